"""Legacy (pre-1.7) ping: the 1.6 request bytes and both answer formats."""

from __future__ import annotations

import struct

import pytest

from bot.protocols.minecraft.errors import MinecraftEncodeError, NotMinecraft
from bot.protocols.minecraft.legacy import (
    MAX_LEGACY_ANSWER_BYTES,
    decode_legacy_answer,
    decode_legacy_text,
    encode_legacy_ping,
    legacy_answer_size,
)
from bot.protocols.minecraft.models import JavaPlayers, JavaVersion


def kick(text: str) -> bytes:
    encoded = text.encode("utf-16-be")
    return b"\xff" + struct.pack(">H", len(encoded) // 2) + encoded


def test_the_1_6_request_layout() -> None:
    wire = encode_legacy_ping("localhost", 25565)
    assert wire[:3] == b"\xfe\x01\xfa"
    assert wire[3:5] == b"\x00\x0b"
    assert wire[5:27] == "MC|PingHost".encode("utf-16-be")
    # 7 + 2*len(host), protocol 74, len(host), host in UTF-16BE, then the port as an i32.
    assert wire[27:32] == struct.pack(">HBH", 7 + 2 * 9, 74, 9)
    assert wire[32:50] == "localhost".encode("utf-16-be")
    assert wire[50:] == bytes.fromhex("000063DD")
    with pytest.raises(MinecraftEncodeError):
        encode_legacy_ping("a" * 256, 1)
    with pytest.raises(MinecraftEncodeError):
        encode_legacy_ping("a", 70000)


def test_the_section_sign_one_on_the_wire() -> None:
    # protocol-notes-2.md 1.2: "§1\0" is 00 A7 00 31 00 00.
    assert kick("§1\0")[3:] == bytes.fromhex("00A7 0031 0000")


# py-mine/mcstatus tests/protocol/test_legacy_client.py fixtures.
def test_a_1_4_7_answer() -> None:
    status = decode_legacy_answer(kick("§1\x0051\x001.4.7\x00A Minecraft Server\x000\x0020"), 3.0)
    assert status.version == JavaVersion("1.4.7", 51)
    assert status.players == JavaPlayers(0, 20)
    assert status.motd == "A Minecraft Server"
    assert status.legacy is True and status.latency_ms == 3.0


def test_a_beta_1_8_answer() -> None:
    status = decode_legacy_answer(kick("A Minecraft Server§0§20"))
    assert status.version == JavaVersion("<1.4", -1)
    assert status.players == JavaPlayers(0, 20)
    assert status.motd == "A Minecraft Server"


def test_motd_with_codes_in_both_formats() -> None:
    assert decode_legacy_text("§aGreen §lMOTD§3§10").motd == "Green MOTD"
    assert decode_legacy_text("§1\x00127\x001.6.4\x00§cRed\x001\x002").motd == "Red"


def test_text_is_decoded_before_splitting() -> None:
    # U+0100 then 'A' is 01 00 00 41: splitting the bytes on 00 00 would cut it (opengsq).
    status = decode_legacy_answer(kick("§1\x00127\x001.6.4\x00\u0100A\x001\x002"))
    assert status.motd == "\u0100A"
    assert status.players == JavaPlayers(1, 2)


def test_the_answer_size_comes_from_the_header_in_utf16_units() -> None:
    wire = kick("ab§1§2")
    assert legacy_answer_size(b"") is None
    assert legacy_answer_size(wire[:2]) is None
    assert legacy_answer_size(wire) == len(wire) == 3 + 2 * 6
    assert legacy_answer_size(b"\xff\xff\xff") == MAX_LEGACY_ANSWER_BYTES


@pytest.mark.parametrize(
    ("wire", "match"),
    [
        (b"", "closed without"),
        (b"\x00\x01", "not the kick packet"),
        (kick("Outdated server!"), "neither"),
        (kick("§1\x0051\x001.4.7"), "fewer than 5"),
        (kick("§1\x00x\x001.4.7\x00m\x000\x0020"), "protocol"),
        (kick("motd§many§20"), "online"),
        (kick("motd§1§" + "9" * 20), "max players"),
        (kick("motd§1§2")[:-2], "shorter"),
    ],
)
def test_answers_that_are_not_a_legacy_status(wire: bytes, match: str) -> None:
    with pytest.raises(NotMinecraft, match=match):
        decode_legacy_answer(wire)
