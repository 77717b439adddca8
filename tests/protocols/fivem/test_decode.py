"""The sans-IO decoders on bodies shaped as the notes (3.1) show them, then on bad ones."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from bot.protocols.fivem import decode
from bot.protocols.fivem.decode import (
    MAX_HOSTNAME,
    MAX_IDENTIFIERS,
    MAX_NAME,
    MAX_PLAYERS,
    MAX_RESOURCES,
    MAX_VARS,
    as_int,
    decode_dynamic,
    decode_icon,
    decode_info,
    decode_players,
)
from bot.protocols.fivem.errors import NotFiveM
from bot.protocols.fivem.text import display, strip_colours
from tests.fakes.fivem_server import sample_dynamic, sample_info, sample_players, tiny_png


def body(value: Any) -> bytes:
    return json.dumps(value).encode()


def test_info_json_from_the_notes() -> None:
    info = decode_info(body(sample_info()))
    assert info.server == "FXServer-master SERVER v1.0.0.7290 linux"
    assert info.version == 1234567890
    assert info.enhanced_host_support is True
    assert info.resources == ("hardcap", "sessionmanager", "mapmanager", "spawnmanager", "chat")
    assert info.resources_count == 5
    assert info.project_name == "Outpost RP"  # ^1 and ^7 stripped
    assert info.project_desc == "Serious roleplay"
    assert info.max_clients == 48
    assert info.vars["sv_projectName"] == "^1Outpost ^7RP"  # raw convar kept
    assert info.vars["onesync_enabled"] == "true"
    assert info.icon == tiny_png()
    assert "icon" not in repr(info)  # a 96x96 PNG has no place in a log line


def test_dynamic_json_from_the_notes_has_string_convars() -> None:
    dynamic = decode_dynamic(body(sample_dynamic()))
    assert dynamic.hostname == "Outpost RP | discord.gg/outpost"
    assert dynamic.raw_hostname == "^1Outpost ^7RP ~r~|~s~ discord.gg/outpost"
    assert dynamic.clients == 2
    assert dynamic.max_clients == 48  # "48", a JSON string
    assert dynamic.info_version == 1234567890  # iv is a string too
    assert (dynamic.gametype, dynamic.mapname) == ("Freeroam", "San Andreas")


def test_players_json_from_the_notes() -> None:
    alice, bob = decode_players(body(sample_players()))
    assert (alice.name, alice.id, alice.ping, alice.endpoint) == ("Alice", 1, 42, "127.0.0.1")
    assert alice.identifier("license") == "0123456789abcdef0123456789abcdef01234567"
    assert alice.identifier("discord") == "123456789012345678"
    assert alice.identifier("ip") is None  # sv_endpointPrivacy removes ip: identifiers
    assert len(alice.identifiers) == 5
    assert (bob.name, bob.ping, bob.identifiers) == ("Bob", -1, ())  # -1: peer gone


def test_empty_player_list() -> None:
    assert decode_players(b"[]") == ()


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("^1Red^7 name", "Red name"),
        ("~r~Red~s~ and ~HUD~x", "Red and x"),
        ("^^12", "^2"),  # one pass, as the game renders it
        ("~toolong~", "~toolong~"),  # {1,3} letters only
        ("a\nb\x00c\x7f", "a b c"),
        ("\ud800lone", "lone"),  # a lone surrogate never reaches an encoder
        ("  padded  ", "padded"),
    ],
)
def test_display_text(raw: str, shown: str) -> None:
    assert display(raw, 64) == shown


def test_strip_colours_leaves_other_carets() -> None:
    assert strip_colours("2^x = ^a ^10") == "2^x = ^a 0"


def test_strings_are_clipped() -> None:
    dyn = sample_dynamic() | {"hostname": "h" * 10_000}
    dynamic = decode_dynamic(body(dyn))
    assert len(dynamic.hostname) == MAX_HOSTNAME and dynamic.hostname.endswith("…")
    assert len(dynamic.raw_hostname) == MAX_HOSTNAME
    player = {"name": "^1" + "n" * 5000, "id": 1, "ping": 1, "identifiers": []}
    (decoded,) = decode_players(body([player]))
    assert len(decoded.name) == MAX_NAME


def test_lists_are_bounded() -> None:
    many = [{"name": f"p{i}", "id": i, "ping": 1} for i in range(MAX_PLAYERS + 50)]
    assert len(decode_players(body(many))) == MAX_PLAYERS
    ids = [f"license:{i}" for i in range(100)] + ["x" * 500, "bad\nid", 5]
    (player,) = decode_players(body([{"name": "a", "id": 1, "ping": 1, "identifiers": ids}]))
    assert len(player.identifiers) == MAX_IDENTIFIERS
    info = sample_info() | {"resources": [f"r{i}" for i in range(MAX_RESOURCES + 10)]}
    info["vars"] = {f"v{i}": str(i) for i in range(MAX_VARS + 10)}
    decoded = decode_info(body(info))
    assert len(decoded.resources) == MAX_RESOURCES
    assert decoded.resources_count == MAX_RESOURCES + 10  # the real count is kept
    assert len(decoded.vars) == MAX_VARS


def test_overlong_identifiers_are_dropped_not_clipped() -> None:
    # A clipped key would name someone else; better no key.
    entry = {"name": "a", "id": 1, "ping": 1, "identifiers": ["steam:" + "1" * 200, "fivem:9"]}
    (player,) = decode_players(body([entry]))
    assert player.identifiers == ("fivem:9",)


def test_wrong_field_types_take_defaults() -> None:
    entry = {"name": 5, "id": "x", "ping": None, "identifiers": "license:1", "endpoint": []}
    (player,) = decode_players(body([entry]))
    assert (player.name, player.id, player.ping, player.identifiers) == ("", -1, -1, ())
    dynamic = decode_dynamic(body({"clients": "3", "hostname": 7, "sv_maxclients": True}))
    assert (dynamic.clients, dynamic.hostname, dynamic.max_clients) == (3, "", None)
    info = decode_info(body({"vars": {"a": {"nested": 1}, "b": 2, "c": False, "k" * 70: "x"}}))
    assert info.vars == {"b": "2", "c": "false"}
    assert (info.server, info.version, info.icon, info.resources) == ("", None, None, ())


def test_negative_counts_are_not_kept() -> None:
    dynamic = decode_dynamic(body({"clients": -5, "sv_maxclients": "-1"}))
    assert (dynamic.clients, dynamic.max_clients) == (0, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3, 3),
        ("48", 48),
        (" 7 ", 7),
        ("-1", -1),
        (2.0, 2),
        (2.5, None),
        (True, None),
        ("٣", None),  # Arabic-Indic digit: int() takes it, FXServer never sends it
        ("1" * 19, None),
        (2**70, None),
        (None, None),
        ("", None),
    ],
)
def test_as_int(value: Any, expected: int | None) -> None:
    assert as_int(value) == expected


def test_icon_bounds_and_checks() -> None:
    png = tiny_png()
    assert decode_icon(base64.b64encode(png).decode()) == png
    assert decode_icon("data:image/png;base64," + base64.b64encode(png).decode()) == png
    assert decode_icon(base64.b64encode(b"GIF89a....").decode()) is None  # not a PNG
    assert decode_icon("not base64!") is None
    assert decode_icon(5) is None
    big = base64.b64encode(png + b"\x00" * decode.MAX_ICON_BYTES).decode()
    assert decode_icon(big) is None


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b'{"clients": 3, "hostname": ',
        b"NaN",
        b'{"clients": Infinity}',
        b"[" * 100_000,  # deeper than the recursion limit
        b"\xff\xfe{}",
        b"<html>It works!</html>",
    ],
)
def test_not_json_is_not_fivem(raw: bytes) -> None:
    for decoder in (decode_info, decode_dynamic, decode_players):
        with pytest.raises(NotFiveM):
            decoder(raw)


@pytest.mark.parametrize(
    ("decoder", "raw"),
    [
        (decode_info, b"[]"),
        (decode_info, b'{"server": "x"}'),  # neither vars nor resources
        (decode_dynamic, b'{"iv": "1"}'),  # neither clients nor hostname
        (decode_dynamic, b'"text"'),
        (decode_players, b"{}"),
        (decode_players, b"[1, 2]"),
    ],
)
def test_wrong_shape_is_not_fivem(decoder: Any, raw: bytes) -> None:
    with pytest.raises(NotFiveM):
        decoder(raw)


def test_bom_and_invalid_utf8_in_a_name_are_tolerated() -> None:
    raw = b'\xef\xbb\xbf[{"name": "Al\xffice", "id": 1, "ping": 3}]'
    (player,) = decode_players(raw)
    assert player.name == "Al\ufffdice"
