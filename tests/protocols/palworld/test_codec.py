"""The sans-IO codec: bodies shaped as notes 6 and its sources show them, errors, requests."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.protocols.palworld import codec
from bot.protocols.palworld.codec import (
    decode_info,
    decode_metrics,
    decode_players,
    decode_settings,
    encode_announce,
    encode_ban,
    encode_kick,
    encode_shutdown,
    encode_unban,
    error_for,
    server_message,
)
from bot.protocols.palworld.errors import (
    AuthRefused,
    InvalidArgument,
    NotPalworld,
    PalworldRequestError,
)
from tests.fakes.palworld_server import (
    NOT_FOUND,
    sample_info,
    sample_metrics,
    sample_players,
    sample_settings,
)


def body(value: Any) -> bytes:
    return json.dumps(value).encode()


def test_info() -> None:
    info = decode_info(body(sample_info()))
    assert (info.version, info.servername) == ("v0.3.11.0", "Outpost Pals")
    assert info.description == "A server for tests"
    assert info.worldguid == "E5A1B2C3D4E5F60718293A4B5C6D7E8F"


def test_players_with_platform_prefixed_ids_and_empty_ip() -> None:
    alice, bob = decode_players(body({"players": sample_players()}))
    assert (alice.name, alice.account_name) == ("Alice", "alice_steam")
    assert alice.player_id == "28F2DED7000000000000000000000000"
    assert alice.user_id == "steam_76561197999054170"
    assert alice.ip == ""  # pelican/plugins#124 sample
    assert (alice.ping, alice.level, alice.building_count) == (59.0, 51, 12)
    assert (alice.location_x, alice.location_y) == (-123.5, 4567.25)
    assert bob.user_id == "ps5_4591469878499095569"


def test_player_still_logging_in_and_old_builds() -> None:
    # No playerId while logging in (pal-api notes); a numeric, negative one on old builds.
    logging_in = {"name": "carol", "userId": "steam_1", "ping": 10}
    old = {"name": "dave", "playerId": -12345, "userId": "steam_2", "level": 2.0}
    first, second = decode_players(body({"players": [logging_in, old]}))
    assert first.player_id is None and first.building_count is None and first.level is None
    assert second.player_id == "-12345" and second.level == 2


def test_metrics() -> None:
    metrics = decode_metrics(body(sample_metrics() | {"currentplayernum": 2}))
    assert (metrics.serverfps, metrics.currentplayernum, metrics.maxplayernum) == (59, 2, 32)
    assert (metrics.serverframetime, metrics.uptime) == (16.95, 3600)
    assert (metrics.days, metrics.basecampnum) == (12, 4)
    older = decode_metrics(b'{"currentplayernum": 0, "maxplayernum": 32}')
    assert (older.days, older.basecampnum, older.serverfps) == (None, None, None)


def test_the_fields_clients_get_wrong_are_not_in_metrics() -> None:
    # pelican/plugins#125: servername lives in /info, maxplayernum (not maxplayers) in /metrics.
    with pytest.raises(NotPalworld):
        decode_metrics(b'{"servername": "x", "maxplayers": 32, "currentplayernum": 1}')


def test_settings_keep_scalars_only() -> None:
    raw = sample_settings() | {"Nested": {"a": 1}, "List": [1], "Huge": 2**70}
    settings = decode_settings(body(raw))
    assert settings["ServerPlayerMaxNum"] == 32 and settings["bIsPvP"] is False
    assert settings["DayTimeSpeedRate"] == 1.0 and settings["Difficulty"] == "None"
    assert "Nested" not in settings and "List" not in settings and "Huge" not in settings


def test_bounds() -> None:
    many = [{"name": f"p{i}", "userId": f"steam_{i}"} for i in range(codec.MAX_PLAYERS + 5)]
    assert len(decode_players(body({"players": many}))) == codec.MAX_PLAYERS
    (player,) = decode_players(body({"players": [{"name": "n" * 999, "userId": "s" * 999}]}))
    assert len(player.name) == codec.MAX_NAME
    assert player.user_id == ""  # an id is never clipped into another id
    info = decode_info(body({"servername": "a\nb\x00c", "description": "d" * 9999}))
    assert info.servername == "a b c" and len(info.description) == codec.MAX_DESCRIPTION


@pytest.mark.parametrize(
    ("decoder", "raw"),
    [
        (decode_info, b"Unauthorized"),
        (decode_info, b"[]"),
        (decode_info, b"{}"),
        (decode_players, b'{"players": {}}'),
        (decode_players, b'{"players": [1]}'),
        (decode_players, b"[]"),
        (decode_metrics, b'{"currentplayernum": "2", "maxplayernum": 32}'),
        (decode_settings, b"[1]"),
        (decode_info, b"[" * 100_000),
        (decode_metrics, b'{"currentplayernum": NaN, "maxplayernum": 1}'),
    ],
)
def test_wrong_bodies_are_not_palworld(decoder: Any, raw: bytes) -> None:
    with pytest.raises(NotPalworld):
        decoder(raw)


def test_statuses_mean_errors() -> None:
    assert error_for("/v1/api/info", 200, b"") is None
    assert isinstance(error_for("/v1/api/info", 401, b"Unauthorized"), AuthRefused)
    missing = error_for("/v1/api/nope", 404, body(NOT_FOUND))
    assert isinstance(missing, NotPalworld) and "unknown route" in str(missing)
    failed = error_for("/v1/api/kick", 400, b"Bad Request: invalid userid")
    assert isinstance(failed, PalworldRequestError)
    assert (failed.status, failed.message) == (400, "Bad Request: invalid userid")
    unreal = body({"errorCode": "errors.internal", "errorMessage": "world is busy"})
    assert str(error_for("/v1/api/save", 500, unreal)) == "/v1/api/save: HTTP 500: world is busy"
    code_only = body({"errorCode": "errors.x", "errorMessage": ""})
    redirected = error_for("/v1/api/info", 302, b"")
    assert isinstance(redirected, PalworldRequestError) and redirected.status == 302
    assert server_message(code_only) == "errors.x"


def test_server_message_is_clipped_cleaned_and_scrubbed() -> None:
    assert len(server_message(b"x" * 100_000)) == codec.MAX_SERVER_MESSAGE
    assert server_message(b"line\r\nbreak\x00") == "line break"
    echoed = b"bad password hunter2 (Basic YWRtaW46aHVudGVyMg==)"
    scrubbed = server_message(echoed, secrets=("hunter2", "YWRtaW46aHVudGVyMg=="))
    assert "hunter2" not in scrubbed and "YWRtaW46" not in scrubbed
    assert scrubbed == "bad password *** (Basic ***)"


def test_request_bodies_are_exactly_the_notes() -> None:
    assert json.loads(encode_announce("Restart in 5 min")) == {"message": "Restart in 5 min"}
    assert json.loads(encode_kick("steam_7656", "afk")) == {
        "userid": "steam_7656",
        "message": "afk",
    }
    assert json.loads(encode_ban("ps5_459", "cheat")) == {"userid": "ps5_459", "message": "cheat"}
    assert json.loads(encode_unban("steam_7656")) == {"userid": "steam_7656"}
    assert json.loads(encode_shutdown(60, "bye")) == {"waittime": 60, "message": "bye"}
    assert encode_announce("héllo 🎉") == '{"message": "héllo 🎉"}'.encode()  # UTF-8, not \\u


@pytest.mark.parametrize(
    "call",
    [
        lambda: encode_announce(""),
        lambda: encode_announce("   "),
        lambda: encode_announce("x" * (codec.MAX_MESSAGE + 1)),
        lambda: encode_announce("two\nlines"),
        lambda: encode_announce("\ud800"),
        lambda: encode_kick("", "x"),
        lambda: encode_kick("steam 1", "x"),  # a display name, not a userId
        lambda: encode_kick("s" * 129),
        lambda: encode_unban("steam_1\n"),
        lambda: encode_shutdown(-1, "x"),
        lambda: encode_shutdown(86_401, "x"),
        lambda: encode_shutdown(True, "x"),  # type: ignore[arg-type]
        lambda: encode_shutdown(1.5, "x"),  # type: ignore[arg-type]
        lambda: encode_kick("steam_1", 5),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_are_refused_before_sending(call: Any) -> None:
    with pytest.raises(InvalidArgument):
        call()
