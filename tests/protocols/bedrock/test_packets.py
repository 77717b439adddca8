"""Ping/pong bytes and the MOTD string, from the protocol notes' vectors."""

from __future__ import annotations

import struct

import pytest

from bot.protocols.bedrock import (
    MAGIC,
    BedrockMalformedError,
    BedrockMismatchError,
    Edition,
    PingQuery,
    decode_pong,
    encode_ping,
    parse_motd,
    strip_formatting,
)
from bot.protocols.bedrock.motd import MAX_EXTRA_FIELDS, MAX_FIELD_CHARS
from bot.protocols.bedrock.packets import MAX_PONG_SIZE
from tests.fakes.bedrock_server import NOTES_MOTD, encode_pong, motd_string, parse_ping


def test_magic_is_raknets_offline_message_id() -> None:
    assert MAGIC.hex(" ") == "00 ff ff 00 fe fe fe fe fd fd fd fd 12 34 56 78"


def test_ping_layout() -> None:
    datagram = encode_ping(0x0102030405060708, 0x1112131415161718)
    assert len(datagram) == 33
    assert datagram == (
        b"\x01" + bytes.fromhex("0102030405060708") + MAGIC + bytes.fromhex("1112131415161718")
    )
    assert parse_ping(datagram) == (0x0102030405060708, 0x1112131415161718)


def test_ping_refuses_values_beyond_64_bits() -> None:
    with pytest.raises(ValueError):
        encode_ping(2**64, 0)
    with pytest.raises(ValueError):
        encode_ping(0, -1)


def test_pong_layout_and_decode() -> None:
    body = b"MCPE;x;1;v;0;1;"
    datagram = (
        b"\x1c"
        + struct.pack(">Q", 42)
        + struct.pack(">Q", 0xDEADBEEF)
        + MAGIC
        + struct.pack(">H", len(body))
        + body
    )
    assert datagram == encode_pong(42, 0xDEADBEEF, body)
    pong = decode_pong(datagram)
    assert (pong.time, pong.server_guid, pong.motd) == (42, 0xDEADBEEF, "MCPE;x;1;v;0;1;")
    # Trailing bytes after the announced string are ignored.
    assert decode_pong(datagram + b"\x00\x00").motd == pong.motd


@pytest.mark.parametrize(
    ("datagram", "reason"),
    [
        (b"", "not a pong"),
        (b"\x1d" + bytes(40), "not a pong"),
        (b"\x1c" + bytes(10), "truncated"),
        (b"\x1c" + bytes(16) + bytes(16) + b"\x00\x00", "not a pong"),  # magic zeroed
        (encode_pong(1, 2, b"abcdef")[:-1], "truncated"),
        (encode_pong(1, 2, b"x" * MAX_PONG_SIZE), "oversized"),
    ],
)
def test_pong_refusals(datagram: bytes, reason: str) -> None:
    with pytest.raises(BedrockMalformedError) as info:
        decode_pong(datagram)
    assert info.value.reason == reason


def test_invalid_utf8_is_replaced_not_fatal() -> None:
    pong = decode_pong(encode_pong(1, 2, b"MCPE;caf\xe9;1;v;0;1;"))
    assert parse_motd(pong.motd).name == "caf\ufffd"


def test_the_notes_motd() -> None:
    motd = parse_motd(NOTES_MOTD)
    assert motd.edition is Edition.POCKET
    assert motd.name == "GayBowser"
    assert motd.name_raw.startswith("§r§4G")
    assert motd.protocol == 422
    assert motd.version == ""  # empty in the capture
    assert (motd.players, motd.max_players) == (1, 69)
    assert motd.server_id == 3767071975391053022
    assert motd.level_name == ""
    assert (motd.game_mode, motd.game_mode_id) == ("Default", 1)
    assert (motd.port_v4, motd.port_v6) == (19132, None)  # -1: no IPv6 listener
    assert motd.extra == ()


def test_education_edition_and_missing_trailing_fields() -> None:
    motd = parse_motd("MCEE;School;390;1.14.31;2;30")
    assert motd.edition is Edition.EDUCATION
    assert (motd.players, motd.max_players, motd.version) == (2, 30, "1.14.31")
    assert motd.server_id is None and motd.level_name == "" and motd.game_mode == ""
    assert motd.game_mode_id is None and motd.port_v4 is None and motd.port_v6 is None
    # Up to the level name only (mcstatus treats fields 8+ as optional).
    assert parse_motd("MCPE;a;1;v;0;1;99;World;").level_name == "World"


def test_extra_fields_are_kept_and_bounded() -> None:
    motd = parse_motd(motd_string() + "0;extra;")
    assert motd.extra == ("0", "extra")
    many = parse_motd(motd_string() + ";".join(str(i) for i in range(200)))
    assert len(many.extra) <= MAX_EXTRA_FIELDS


def test_fields_are_clipped() -> None:
    motd = parse_motd(motd_string(name="n" * 10_000, level_name="l" * 10_000))
    assert len(motd.name) == len(motd.name_raw) == MAX_FIELD_CHARS
    assert len(motd.level_name) == MAX_FIELD_CHARS


@pytest.mark.parametrize(
    "text",
    [
        "",
        "MCPE;a;1;v;0",  # five fields
        "MCJE;a;1;v;0;1;",  # unknown edition
        "MCPE;a;1;v;;1;",  # empty player count
        "MCPE;a;1;v;x;1;",
        "MCPE;a;1;v;-1;1;",
        "MCPE;a;1;v;1;" + "9" * 30 + ";",
    ],
)
def test_motd_refusals(text: str) -> None:
    with pytest.raises(BedrockMalformedError):
        parse_motd(text)


def test_numeric_fields_tolerate_garbage() -> None:
    motd = parse_motd("MCPE;a;x;v;0;1;id;lvl;Creative;c;99999;0;")
    assert motd.protocol is None and motd.server_id is None and motd.game_mode_id is None
    assert motd.port_v4 is None and motd.port_v6 is None
    # Java's signed long: some servers print a negative GUID.
    assert parse_motd("MCPE;a;1;v;0;1;-42;").server_id == -42


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("§aGreen §lbold§r plain", "Green bold plain"),
        ("§gminecoin §mmaterial §ncolours", "minecoin material colours"),  # Bedrock-only codes
        ("trailing §", "trailing "),
        ("§§x", "x"),  # § then § is one code, then text
        ("line\nbreak\x00", "linebreak"),
    ],
)
def test_strip_formatting(raw: str, plain: str) -> None:
    assert strip_formatting(raw) == plain


def test_query_matches_its_own_pings_and_measures_from_that_send() -> None:
    tokens = iter([111, 222])
    query = PingQuery(token=lambda: next(tokens))
    first = query.next_request(10.0)
    second = query.next_request(11.0)
    assert parse_ping(first)[0] == 111 and parse_ping(second)[0] == 222  # type: ignore[index]
    # Same client GUID in every attempt of one query.
    assert parse_ping(first)[1] == parse_ping(second)[1]  # type: ignore[index]
    status = query.receive(encode_pong(111, 7, motd_string(players=4)), 10.25)
    assert status.latency == pytest.approx(0.25)
    assert status.motd.players == 4 and status.server_guid == 7
    assert query.receive(encode_pong(222, 7, motd_string()), 11.5).latency == pytest.approx(0.5)
    with pytest.raises(BedrockMismatchError):
        query.receive(encode_pong(333, 7, motd_string()), 12.0)
