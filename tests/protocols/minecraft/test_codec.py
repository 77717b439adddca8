"""VarInt, VarLong and String: the vectors of wiki.vg's Data types table, limits, errors."""

from __future__ import annotations

import pytest

from bot.protocols.minecraft.codec import (
    MAX_STRING_CHARS,
    Truncated,
    decode_string,
    decode_varint,
    decode_varlong,
    encode_string,
    encode_varint,
    encode_varlong,
)
from bot.protocols.minecraft.errors import AnswerTooLarge, MinecraftEncodeError, NotMinecraft

VARINTS = [
    (0, "00"),
    (1, "01"),
    (2, "02"),
    (127, "7f"),
    (128, "8001"),
    (255, "ff01"),
    (25565, "ddc701"),
    (2097151, "ffff7f"),
    (2147483647, "ffffffff07"),
    (-1, "ffffffff0f"),
    (-2147483648, "8080808008"),
]
VARLONGS = [
    (0, "00"),
    (127, "7f"),
    (128, "8001"),
    (2147483647, "ffffffff07"),
    (9223372036854775807, "ffffffffffffffff7f"),
    (-1, "ffffffffffffffffff01"),
    (-2147483648, "80808080f8ffffffff01"),
    (-9223372036854775808, "80808080808080808001"),
]


@pytest.mark.parametrize(("value", "wire"), VARINTS)
def test_varint_vectors(value: int, wire: str) -> None:
    assert encode_varint(value).hex() == wire
    assert decode_varint(bytes.fromhex(wire) + b"\xaa") == (value, len(wire) // 2)


@pytest.mark.parametrize(("value", "wire"), VARLONGS)
def test_varlong_vectors(value: int, wire: str) -> None:
    assert encode_varlong(value).hex() == wire
    assert decode_varlong(bytes.fromhex(wire)) == (value, len(wire) // 2)


def test_varint_decodes_at_an_offset() -> None:
    assert decode_varint(b"\x00\xdd\xc7\x01", 1) == (25565, 4)


def test_a_sixth_varint_byte_is_refused_not_waited_for() -> None:
    with pytest.raises(NotMinecraft, match="longer than 5 bytes") as caught:
        decode_varint(b"\xff\xff\xff\xff\xff\x01")
    assert not isinstance(caught.value, Truncated)
    with pytest.raises(NotMinecraft, match="longer than 10 bytes"):
        decode_varlong(b"\xff" * 11)


@pytest.mark.parametrize("data", [b"", b"\x80", b"\xff\xff\xff\xff"])
def test_varint_ending_early_is_truncated(data: bytes) -> None:
    with pytest.raises(Truncated):
        decode_varint(data)


def test_out_of_range_values_are_refused_when_encoding() -> None:
    for value in (1 << 31, -(1 << 31) - 1):
        with pytest.raises(MinecraftEncodeError):
            encode_varint(value)
    with pytest.raises(MinecraftEncodeError):
        encode_varlong(1 << 63)


def test_fifth_byte_high_bits_are_dropped_like_java() -> None:
    # Java keeps the low 32 bits; 0x7F in the fifth byte wraps to the same value as 0x0F.
    assert decode_varint(bytes.fromhex("ffffffff7f"))[0] == -1


def test_string_round_trip_and_wire() -> None:
    assert encode_string("localhost").hex() == "09" + b"localhost".hex()
    assert encode_string("§a✓").hex() == "06c2a761e29c93"
    wire = encode_string("héllo ⨀")
    assert decode_string(wire + b"tail") == ("héllo ⨀", len(wire))


def test_string_limit_counts_utf16_units_like_vanilla() -> None:
    encode_string("a" * MAX_STRING_CHARS)
    with pytest.raises(MinecraftEncodeError):
        encode_string("a" * (MAX_STRING_CHARS + 1))
    # An astral character is two UTF-16 units.
    with pytest.raises(MinecraftEncodeError):
        encode_string("😀" * (MAX_STRING_CHARS // 2 + 1))


def test_string_decoding_limits_and_errors() -> None:
    with pytest.raises(AnswerTooLarge):
        decode_string(encode_varint(11) + b"x" * 11, max_bytes=10)
    with pytest.raises(Truncated):
        decode_string(encode_varint(5) + b"abc")
    with pytest.raises(NotMinecraft, match="negative"):
        decode_string(encode_varint(-1))
    assert decode_string(b"\x02\xff\xfe")[0] == "\ufffd\ufffd"
