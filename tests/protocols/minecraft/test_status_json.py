"""The status JSON → JavaStatus: the notes' example, optional keys, strictness, favicon."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.protocols.minecraft.errors import AnswerTooLarge, NotMinecraft
from bot.protocols.minecraft.models import JavaPlayers, JavaVersion, PlayerSample
from bot.protocols.minecraft.status_json import (
    MAX_FAVICON_BYTES,
    MAX_JSON_DEPTH,
    MAX_SAMPLE_PLAYERS,
    decode_favicon,
    parse_status,
)
from tests.protocols.minecraft.helpers import FAVICON, PNG_1X1

# protocol-notes-2.md 1.1 (wiki.vg oldid=5136 plus mcstatus's optional keys).
NOTES_EXAMPLE = {
    "version": {"name": "1.7.2", "protocol": 4},
    "players": {
        "max": 100,
        "online": 5,
        "sample": [{"name": "Thinkofdeath", "id": "4566e69fc90748ee8d71d7ba5aa00d20"}],
    },
    "description": {"text": "Hello world"},
    "favicon": FAVICON,
    "enforcesSecureChat": True,
    "forgeData": {
        "fmlNetworkVersion": 3,
        "channels": [],
        "mods": [],
        "d": "...",
        "truncated": False,
    },
}


def test_the_notes_example() -> None:
    status = parse_status(json.dumps(NOTES_EXAMPLE), latency_ms=12.5)
    assert status.version == JavaVersion("1.7.2", 4)
    assert status.players == JavaPlayers(
        5, 100, (PlayerSample("Thinkofdeath", "4566e69fc90748ee8d71d7ba5aa00d20"),)
    )
    assert status.motd == "Hello world"
    assert status.description == {"text": "Hello world"}
    assert status.favicon == PNG_1X1
    assert status.enforces_secure_chat is True
    assert status.forge_data == NOTES_EXAMPLE["forgeData"]
    assert status.mod_info is None
    assert status.latency_ms == 12.5
    assert status.legacy is False
    assert status.raw == NOTES_EXAMPLE


def test_optional_parts_may_be_missing_or_null() -> None:
    status = parse_status(
        '{"description": "§aJust a MOTD", "players": {"max": 20, "online": 0, "sample": null}}'
    )
    assert status.version is None
    assert status.players == JavaPlayers(0, 20, None)
    assert status.motd == "Just a MOTD"
    assert status.favicon is None and status.enforces_secure_chat is None
    assert parse_status('{"version": {"name": "Velocity"}}').version == JavaVersion("Velocity", -1)


def test_legacy_modinfo_and_cleaned_names() -> None:
    status = parse_status(
        json.dumps(
            {
                "version": {"name": "§cBungeeCord 1.8-1.21", "protocol": 47},
                "players": {"max": 1, "online": 0, "sample": [{"name": "§6Welcome!", "id": "0"}]},
                "modinfo": {"type": "FML", "modList": [{"modid": "forge", "version": "14.23"}]},
            }
        )
    )
    assert status.version == JavaVersion("BungeeCord 1.8-1.21", 47)
    assert status.players is not None and status.players.sample == (PlayerSample("Welcome!", "0"),)
    assert status.mod_info == {"type": "FML", "modList": [{"modid": "forge", "version": "14.23"}]}


def test_sample_entries_that_are_not_players_are_skipped_and_the_list_clipped() -> None:
    sample: list[Any] = [{"name": "ok", "id": "1"}, {"id": "no name"}, "text", {"name": 5}]
    sample += [{"name": f"p{i}", "id": str(i)} for i in range(200)]
    status = parse_status(json.dumps({"players": {"max": 1, "online": 1, "sample": sample}}))
    assert status.players is not None and status.players.sample is not None
    assert status.players.sample[0] == PlayerSample("ok", "1")
    assert len(status.players.sample) == MAX_SAMPLE_PLAYERS - 3


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[1, 2]",
        '"a string"',
        '{"unrelated": true}',
        '{"players": {"online": "5", "max": 20}}',
        '{"players": {"online": true, "max": 20}}',
        '{"players": []}',
        '{"version": "1.21"}',
        '{"version": {"protocol": 4.5}}',
        "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1),
        '{"description": ' + "[" * 5000,
    ],
)
def test_answers_that_are_not_a_status(text: str) -> None:
    with pytest.raises(NotMinecraft):
        parse_status(text)


def test_nesting_inside_strings_does_not_count() -> None:
    text = json.dumps({"description": "[" * 1000 + "{" * 1000 + '"\\'})
    assert parse_status(text).motd.startswith("[[[")


def test_huge_numbers_are_clamped_to_32_bits() -> None:
    status = parse_status('{"players": {"online": 99999999999999999999, "max": -99999999999}}')
    assert status.players == JavaPlayers(2**31 - 1, -(2**31))


def test_favicon_with_line_breaks_is_accepted() -> None:
    # Vanilla 1.7-1.12 wrapped the base64 every 76 characters.
    prefix, data = FAVICON.split(",", 1)
    wrapped = prefix + "," + "\n".join(data[i : i + 20] for i in range(0, len(data), 20))
    assert decode_favicon(wrapped) == PNG_1X1


@pytest.mark.parametrize(
    "uri",
    [
        "data:image/jpeg;base64,/9j/4AAQ",
        "https://example.com/icon.png",
        "data:image/png;base64,not*base64!",
        "data:image/png;base64,aGVsbG8=",  # valid base64 of "hello", not a PNG
        "data:image/png;base64,iVBORw0KGgo",  # unpadded
    ],
)
def test_invalid_favicons(uri: str) -> None:
    with pytest.raises(NotMinecraft):
        decode_favicon(uri)
    assert parse_status(json.dumps({"description": "x", "favicon": uri})).favicon is None


def test_oversized_favicon_is_refused_before_decoding() -> None:
    uri = "data:image/png;base64," + "A" * (MAX_FAVICON_BYTES // 3 * 4 + 8)
    with pytest.raises(AnswerTooLarge):
        decode_favicon(uri)
