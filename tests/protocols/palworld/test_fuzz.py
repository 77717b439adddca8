"""Any bytes or status given to the codec give a value or its documented error, nothing else."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.protocols.palworld.codec import (
    MAX_SERVER_MESSAGE,
    decode_info,
    decode_metrics,
    decode_players,
    decode_settings,
    error_for,
    server_message,
)
from bot.protocols.palworld.errors import NotPalworld, PalworldError, PalworldRequestError
from tests.fakes.palworld_server import sample_info, sample_metrics, sample_players
from tests.protocols.fuzzing import json_values, mutated

JSON = json_values(max_leaves=20)
PLAYER_KEYS = [
    "name",
    "accountName",
    "playerId",
    "userId",
    "ip",
    "ping",
    "location_x",
    "location_y",
    "level",
    "building_count",
]
VALID = [
    json.dumps(sample_info()).encode(),
    json.dumps({"players": sample_players()}).encode(),
    json.dumps(sample_metrics() | {"currentplayernum": 1}).encode(),
]


def _decode_all(raw: bytes) -> None:
    for decoder in (decode_info, decode_players, decode_metrics, decode_settings):
        try:
            decoder(raw)
        except NotPalworld:
            pass


@settings(max_examples=150)
@given(st.binary(max_size=512), st.integers(100, 599))
def test_arbitrary_bytes_and_statuses(raw: bytes, status: int) -> None:
    _decode_all(raw)
    error = error_for("/v1/api/x", status, raw, secrets=("pw",))
    assert error is None or isinstance(error, PalworldError)
    assert len(server_message(raw)) <= MAX_SERVER_MESSAGE


@settings(max_examples=150)
@given(JSON)
def test_arbitrary_json(value: Any) -> None:
    _decode_all(json.dumps(value).encode())
    _decode_all(json.dumps({"players": value}).encode())


@settings(max_examples=60)
@given(st.lists(st.dictionaries(st.sampled_from(PLAYER_KEYS), JSON, max_size=10), max_size=3))
def test_players_with_any_values(players: list[dict[str, Any]]) -> None:
    try:
        decoded = decode_players(json.dumps({"players": players}).encode())
    except NotPalworld:
        return  # NaN/Infinity somewhere: json.dumps writes them, JSON has no such thing
    for player in decoded:
        assert player.user_id == "" or " " not in player.user_id


@settings(max_examples=100)
@given(st.sampled_from(VALID), st.data())
def test_mutated_valid_bodies(raw: bytes, data: st.DataObject) -> None:
    _decode_all(mutated(raw, data))


PRINTABLE = st.text(st.characters(blacklist_categories=["Cc", "Cs", "Zl", "Zp"]), max_size=80)


@settings(max_examples=100)
@given(PRINTABLE.filter(lambda p: p.strip() == p and p and not set(p) & set("*…")), PRINTABLE)
def test_the_password_never_survives_into_a_server_message(password: str, noise: str) -> None:
    # The server echoes the password inside any text: scrubbing runs before cleaning and
    # clipping, so no part of the message we keep holds it.
    for raw in (noise + password + noise, json.dumps({"errorMessage": noise + password})):
        error = error_for("/v1/api/kick", 400, raw.encode(), secrets=(password,))
        assert isinstance(error, PalworldRequestError)
        assert password not in error.message
