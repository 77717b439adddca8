"""Minecraft's primitive types on bytes: VarInt, VarLong and String (VarInt length + UTF-8).

VarInts carry 7 bits per byte, lowest group first, bit 7 set on every byte but the last; a
VarInt is at most 5 bytes (32 bits) and a VarLong at most 10 (64 bits). Values are two's
complement, so -1 is ``FF FF FF FF 0F``. Decoding keeps only the low 32 (64) bits of the
fifth (tenth) byte, as the vanilla Java reader does.
"""

from __future__ import annotations

from bot.protocols.minecraft.errors import AnswerTooLarge, MinecraftEncodeError, NotMinecraft

MAX_VARINT_BYTES = 5
MAX_VARLONG_BYTES = 10
# Vanilla's default String limit, in UTF-16 code units (FriendlyByteBuf.readUtf/writeUtf).
MAX_STRING_CHARS = 32767


class Truncated(NotMinecraft):
    """The bytes ended inside a value. A stream reader waits for more; a complete buffer fails."""


def _encode(value: int, bits: int) -> bytes:
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    if not low <= value <= high:
        raise MinecraftEncodeError(f"{value} does not fit a {bits}-bit Var{bits}")
    value &= (1 << bits) - 1
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode_varint(value: int) -> bytes:
    """A signed 32-bit ``value`` as a VarInt (1 to 5 bytes)."""
    return _encode(value, 32)


def encode_varlong(value: int) -> bytes:
    """A signed 64-bit ``value`` as a VarLong (1 to 10 bytes)."""
    return _encode(value, 64)


def _decode(data: bytes | bytearray, offset: int, max_bytes: int, bits: int) -> tuple[int, int]:
    result = 0
    for index in range(max_bytes):
        position = offset + index
        if position >= len(data):
            raise Truncated("data ended inside a VarInt")
        byte = data[position]
        result |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            result &= (1 << bits) - 1
            if result >> (bits - 1):
                result -= 1 << bits
            return result, position + 1
    raise NotMinecraft(f"VarInt longer than {max_bytes} bytes")


def decode_varint(data: bytes | bytearray, offset: int = 0) -> tuple[int, int]:
    """``(value, offset after it)`` of the VarInt at ``offset``.

    :class:`Truncated` when the data ends inside it, :class:`NotMinecraft` past 5 bytes.
    """
    return _decode(data, offset, MAX_VARINT_BYTES, 32)


def decode_varlong(data: bytes | bytearray, offset: int = 0) -> tuple[int, int]:
    """``(value, offset after it)`` of the VarLong at ``offset`` (at most 10 bytes)."""
    return _decode(data, offset, MAX_VARLONG_BYTES, 64)


def encode_string(text: str, max_chars: int = MAX_STRING_CHARS) -> bytes:
    """``text`` as a String; more than ``max_chars`` UTF-16 code units is refused, as vanilla."""
    units = len(text.encode("utf-16-le", "surrogatepass")) // 2
    if units > max_chars:
        raise MinecraftEncodeError(f"string of {units} characters is over the {max_chars} limit")
    # Lone surrogates cannot be UTF-8; Java writes them as '?', and so do we.
    raw = text.encode("utf-8", "replace")
    return encode_varint(len(raw)) + raw


def decode_string(
    data: bytes | bytearray, offset: int = 0, *, max_bytes: int = 3 * MAX_STRING_CHARS
) -> tuple[str, int]:
    """``(text, offset after it)`` of the String at ``offset``.

    A byte length over ``max_bytes`` is :class:`~bot.protocols.minecraft.errors.AnswerTooLarge`;
    invalid UTF-8 is replaced by U+FFFD, as Java's decoder does.
    """
    length, start = decode_varint(data, offset)
    if length < 0:
        raise NotMinecraft("negative string length")
    if length > max_bytes:
        raise AnswerTooLarge(f"string of {length} bytes is over the {max_bytes}-byte limit")
    end = start + length
    if end > len(data):
        raise Truncated("data ended inside a string")
    return bytes(data[start:end]).decode("utf-8", "replace"), end
