"""Events come from the line, never from the player cache; the cache and its names are bounded."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.protocols.battleye import BattlEyeClient, Player
from bot.protocols.battleye.events import (
    MAX_NAME,
    NameIndex,
    PlayerChat,
    PlayerDisconnect,
    PlayerKick,
    parse_message,
)
from bot.protocols.battleye.routing import MAX_CACHED_PLAYERS
from tests.fakes.battleye_server import FakeBattlEyeServer

from .helpers import FAST

G1 = "394e2c09af98b00fd4094f86c7921622"
G2 = "d93ed2257011b47e67fa53e824b60ca5"


async def _settle(server: FakeBattlEyeServer) -> None:
    async with asyncio.timeout(5):
        await server.wait_acked()
    await asyncio.sleep(0.02)


def _record(client: BattlEyeClient, seen: list[tuple[str, tuple[Any, ...]]]) -> None:
    for name in (
        "player_connect",
        "player_guid",
        "player_verify_guid",
        "player_disconnect",
        "player_kick",
        "player_message",
    ):
        client.add_listener(name, lambda *a, _n=name: seen.append((_n, a)))


def test_kick_line_without_guid_parses() -> None:
    line = "Player #9 Ghost has been kicked by BattlEye: Admin Kick (afk)"
    assert parse_message(line) == PlayerKick(9, "Ghost", None, "Admin Kick (afk)")
    # Read with the known name too (the exact path), and still from the line.
    assert parse_message(line, {9: "Ghost"}) == PlayerKick(9, "Ghost", None, "Admin Kick (afk)")


async def test_every_line_reaches_listeners_with_the_name_from_the_line() -> None:
    async with FakeBattlEyeServer() as server:
        client = BattlEyeClient(FAST)
        seen: list[tuple[str, tuple[Any, ...]]] = []
        _record(client, seen)
        async with client.connect(*server.address, "secret"):
            await server.push_messages(
                [
                    # Slot 0 was held by Alice; Bq000 took it without the client seeing the join.
                    "Player #0 Alice (1.1.1.1:1) connected",
                    f"Player #0 Alice - BE GUID: {G1}",
                    "Player #0 Bq000 disconnected",
                    # A kick of a player the client never saw connect, in the GUID-less form.
                    "Player #9 Ghost has been kicked by BattlEye: Admin Kick (afk)",
                    # A GUID and a verify line for a slot whose cached holder left unseen.
                    "Player #4 Old (2.2.2.2:2) connected",
                    f"Player #4 New - BE GUID: {G2}",
                    f"Verified GUID ({G2}) of player #4 New",
                    f"Player #4 New ({G2}) has been kicked by BattlEye: Admin Ban (cheat)",
                ]
            )
            await _settle(server)
            assert client.get_player(0) is None and client.get_player(4) is None

    by_kind = [(kind, args[0].id, args[0].name) for kind, args in seen]
    assert by_kind == [
        ("player_connect", 0, "Alice"),
        ("player_guid", 0, "Alice"),
        ("player_disconnect", 0, "Bq000"),
        ("player_kick", 9, "Ghost"),
        ("player_connect", 4, "Old"),
        ("player_guid", 4, "New"),
        ("player_verify_guid", 4, "New"),
        ("player_kick", 4, "New"),
    ]
    # The stale holder's GUID never rides on the new name.
    disconnect = next(args for kind, args in seen if kind == "player_disconnect")
    assert disconnect[0].guid == ""
    kicks = [args for kind, args in seen if kind == "player_kick"]
    assert kicks[0][1] == "Admin Kick (afk)"
    assert kicks[1][0].guid == G2 and kicks[1][1] == "Admin Ban (cheat)"


async def test_player_cache_and_names_are_bounded() -> None:
    long_name = "N" * (MAX_NAME * 4)
    async with FakeBattlEyeServer() as server:
        client = BattlEyeClient(FAST)
        connects: list[Player] = []
        chats: list[tuple[int, str, str]] = []
        client.add_listener("player_connect", connects.append)
        client.add_listener("player_message", lambda p, c, t: chats.append((p.id, p.name, t)))
        async with client.connect(*server.address, "secret"):
            total = MAX_CACHED_PLAYERS + 50
            await server.push_messages(
                f"Player #{i} P{i} (1.1.1.1:{i + 1}) connected" for i in range(total)
            )
            await server.push_message(f"Player #{total} {long_name} (1.1.1.1:9) connected")
            await server.push_message(f"(Global) P{total - 1}: still here")
            await _settle(server)
            assert len(client.players) == MAX_CACHED_PLAYERS
            assert client.get_player(0) is None  # the oldest went first
            assert len(client.get_player(total).name) == MAX_NAME  # type: ignore[union-attr]
            assert max(len(p.name) for p in connects) == MAX_NAME
            assert chats == [(total - 1, f"P{total - 1}", "still here")]


def test_name_index_follows_changes_and_splits_chat() -> None:
    index = NameIndex({1: "Bob: the builder", 2: "Bob"})
    line = "(Global) Bob: the builder: hi"
    assert parse_message(line, index) == PlayerChat("Global", "Bob: the builder", "hi")
    index.discard(1)
    assert parse_message(line, index) == PlayerChat("Global", "Bob", "the builder: hi")
    index.set(2, "Carol")
    assert "Bob" not in index and index.id_of("Carol") == 2
    # A line far longer than any name costs a bounded number of lookups and still parses.
    huge = "(Global) " + ": " * 50_000
    assert isinstance(parse_message(huge, index), PlayerChat)


def test_known_names_are_ignored_when_the_line_says_otherwise() -> None:
    index = NameIndex({0: "Alice"})
    assert parse_message("Player #0 Bq000 disconnected", index) == PlayerDisconnect(0, "Bq000")


async def test_players_listing_is_bounded_too() -> None:
    roster = [Player(i, f"P{i}", "1.1.1.1", i + 1, 10, "", False) for i in range(600)]
    async with FakeBattlEyeServer(players=roster, chunk_size=4096) as server:
        client = BattlEyeClient(FAST)
        async with client.connect(*server.address, "secret"):
            players = await client.fetch_players()
    assert len(players) == MAX_CACHED_PLAYERS and len(client.players) == MAX_CACHED_PLAYERS
    assert players[0].name == "P0"
