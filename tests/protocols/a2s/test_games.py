"""Game knowledge: GameID app id, CS:GO fake player, Arma 3 / DayZ binary rules."""

from __future__ import annotations

import struct

import pytest

from bot.protocols.a2s import games
from bot.protocols.a2s.errors import BrokenMessageError
from bot.protocols.a2s.models import Player


def test_resolve_app_id_prefers_game_id_low_24_bits() -> None:
    assert games.resolve_app_id(0, (123 << 24) | 346110) == 346110
    assert games.resolve_app_id(440, None) == 440
    assert games.resolve_app_id(440, 0) == 440
    assert games.resolve_app_id(440, 1 << 24) == 440  # low bits empty: keep the field


def test_csgo_fake_player_dropped() -> None:
    fake = Player(0, "Max Players", 64, 0.0)
    real = Player(0, "alice", 3, 10.0)
    assert games.drop_csgo_fake_player([fake, real], games.APP_CSGO) == [real]
    assert games.drop_csgo_fake_player([fake], None) == []
    assert games.drop_csgo_fake_player([fake, real], None) == [fake, real]
    assert games.drop_csgo_fake_player([fake], 440) == [fake]
    raw = Player(0, b"Max Players", 0, 0.0)
    assert games.drop_csgo_fake_player([raw], games.APP_CSGO) == []


def test_unescape_is_single_pass() -> None:
    """§1A.7: chained replace() turns 01 01 02 into 00; one pass gives 01 02."""
    assert games.unescape(b"\x01\x01\x02") == b"\x01\x02"
    assert games.unescape(b"a\x01\x02b\x01\x03\x01\x01") == b"a\x00b\xff\x01"
    assert games.unescape(b"plain") == b"plain"
    with pytest.raises(BrokenMessageError):
        games.unescape(b"\x01")
    with pytest.raises(BrokenMessageError):
        games.unescape(b"\x01\x09")


def _escape(data: bytes) -> bytes:
    return (
        data.replace(b"\x01", b"\x01\x01")
        .replace(b"\x00", b"\x01\x02")
        .replace(b"\xff", b"\x01\x03")
    )


def _chunks(blob: bytes, size: int = 125) -> dict[bytes, bytes]:
    escaped = _escape(blob)
    parts = [escaped[i : i + size] for i in range(0, len(escaped), size)]
    rules = {b"allowedBuild": b"0", b"island": b"Altis"}
    for i, part in enumerate(parts, 1):
        rules[bytes([i, len(parts)])] = part
    return rules


def _varchar(text: str) -> bytes:
    return bytes([len(text)]) + text.encode()


def test_dayz_blob_has_no_difficulty_and_a_description() -> None:
    blob = (
        bytes([2, 0])
        + struct.pack("<H", 0b1)
        + struct.pack("<I", 0xFFFF0001)
        + bytes([1])
        + struct.pack("<I", 7)
        + bytes([0x04])
        + struct.pack("<I", 1559212036)
        + _varchar("CF")
        + bytes([1])
        + _varchar("dayz")
        + _varchar("Welcome")
    )
    decoded = games.decode_arma3_rules(_chunks(blob, 7), dayz=True)
    assert decoded.version == 2 and decoded.dlc_hashes == (0xFFFF0001,)
    assert decoded.mods == (games.Arma3Mod(7, False, 1559212036, "CF"),)
    assert decoded.signatures == ("dayz",)
    assert decoded.description == "Welcome"
    assert decoded.bytes_consumed == len(blob)


def test_arma3_difficulty_bits() -> None:
    blob = bytes([3, 0]) + struct.pack("<HH", 0, 0b1_1100_1010) + bytes([0, 0])
    decoded = games.decode_arma3_rules(_chunks(blob))
    assert decoded.difficulty == 2 and decoded.ai_skill == 1
    assert decoded.third_person_view and decoded.weapon_crosshair
    assert decoded.advanced_flight_model


def test_binary_rules_missing_chunk_or_bad_total() -> None:
    rules = _chunks(bytes(range(40)) * 10, 50)
    del rules[bytes([2, len([k for k in rules if len(k) == 2])])]
    with pytest.raises(BrokenMessageError):
        games.decode_arma3_rules(rules)
    with pytest.raises(BrokenMessageError):
        games.join_binary_rules({b"\x01\x02": b"a", b"\x02\x03": b"b"})
    with pytest.raises(BrokenMessageError):
        games.join_binary_rules({b"hostname": b"x"})
