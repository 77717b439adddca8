"""playerlist and serverinfo answers as typed values."""

from __future__ import annotations

import json

import pytest

from bot.protocols.webrcon import NotWebRcon, RustPlayer, parse_playerlist, parse_serverinfo

PLAYER = {
    "SteamID": "76561198000000001",
    "OwnerSteamID": "0",
    "DisplayName": "Alice",
    "Ping": 28,
    "Address": "127.0.0.1:12345",
    "ConnectedSeconds": 300,
    "VoiationLevel": 0.5,
    "CurrentLevel": 1.0,
    "UnspentXp": 2.0,
    "Health": 87.5,
}


def test_playerlist_fields_from_the_notes() -> None:
    (player,) = parse_playerlist(json.dumps([PLAYER], indent=2))
    assert player == RustPlayer(
        steam_id="76561198000000001",
        name="Alice",
        ping=28,
        address="127.0.0.1:12345",
        connected_seconds=300,
        health=87.5,
        owner_steam_id="0",
        violation_level=0.5,
        current_level=1.0,
        unspent_xp=2.0,
    )
    assert (player.ip, player.port) == ("127.0.0.1", 12345)


def test_empty_playerlist_from_the_notes() -> None:
    assert parse_playerlist("[]") == []


def test_odd_entries_are_skipped_and_odd_values_read_as_zero() -> None:
    text = json.dumps(
        [
            "junk",
            {"DisplayName": "no id"},
            {
                "SteamID": 76561198000000002,
                "Ping": "fast",
                "Health": "INF",
                "ConnectedSeconds": 1e30,
            },
            {"SteamID": "3", "DisplayName": "x" * 999, "Address": "[::1]:28015", "Ping": True},
        ]
    ).replace('"INF"', "1e999")  # JSON's overflowing number: Python reads it as inf
    second, third = parse_playerlist(text)
    assert second.steam_id == "76561198000000002"
    assert (second.ping, second.health, second.connected_seconds) == (0, 0.0, 0)
    assert len(third.name) == 128 and third.ping == 0
    assert (third.ip, third.port) == ("::1", 28015)


def test_address_without_port() -> None:
    player = RustPlayer("1", "a", address="nowhere")
    assert (player.ip, player.port) == ("nowhere", 0)


@pytest.mark.parametrize("text", ["", "{}", "not json", '"[]"', "[" * 50_000])
def test_playerlist_that_is_not_a_list(text: str) -> None:
    with pytest.raises(NotWebRcon):
        parse_playerlist(text)


def test_serverinfo_fields_from_the_notes() -> None:
    info = parse_serverinfo(
        json.dumps(
            {
                "Hostname": "Rust Server [DOCKER]",
                "MaxPlayers": 500,
                "Players": 3,
                "Queued": 1,
                "Joining": 2,
                "EntityCount": 9000,
                "GameTime": "06/01/2024 12:00:00",
                "Uptime": 77,
                "Map": "Procedural Map",
                "Framerate": 30.5,
                "Memory": 4000,
                "Collections": 3,
                "NetworkIn": 10,
                "NetworkOut": 20,
                "Restarting": True,
                "SaveCreatedTime": "yesterday",
            }
        )
    )
    assert (info.hostname, info.max_players, info.players, info.queued) == (
        "Rust Server [DOCKER]",
        500,
        3,
        1,
    )
    assert (info.map, info.uptime, info.framerate, info.restarting) == (
        "Procedural Map",
        77,
        30.5,
        True,
    )


def test_serverinfo_that_is_not_an_object() -> None:
    with pytest.raises(NotWebRcon):
        parse_serverinfo("[]")
    assert parse_serverinfo('{"Restarting": "yes"}').restarting is False
