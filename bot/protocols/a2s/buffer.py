"""A bounds-checked little-endian reader over one response.

Every failure is a ``BufferExhaustedError``, so decoders never leak ``struct.error`` or
``IndexError`` on hostile input.
"""

from __future__ import annotations

import struct

from bot.protocols.a2s.errors import BufferExhaustedError

_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_BYTES3 = struct.Struct("<BBB")


class Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def u8(self) -> int:
        pos = self.pos
        try:
            value = self.data[pos]
        except IndexError:
            raise BufferExhaustedError("response ended before a byte field") from None
        self.pos = pos + 1
        return value

    def _unpack(self, fmt: struct.Struct) -> tuple[int | float, ...]:
        pos = self.pos
        end = pos + fmt.size
        if end > len(self.data):
            raise BufferExhaustedError("response ended before a numeric field")
        self.pos = end
        return fmt.unpack_from(self.data, pos)

    def u16(self) -> int:
        return int(self._unpack(_U16)[0])

    def u32(self) -> int:
        return int(self._unpack(_U32)[0])

    def three_u8(self) -> tuple[int, int, int]:
        pos = self.pos
        end = pos + 3
        if end > len(self.data):
            raise BufferExhaustedError("response ended before a byte field")
        self.pos = end
        a, b, c = _BYTES3.unpack_from(self.data, pos)
        return a, b, c

    def raw_cstring(self) -> bytes:
        pos = self.pos
        end = self.data.find(b"\x00", pos)
        if end < 0:
            raise BufferExhaustedError("string without terminator")
        self.pos = end + 1
        return self.data[pos:end]

    def skip(self, size: int) -> None:
        end = self.pos + size
        if end > len(self.data):
            raise BufferExhaustedError("response ended early")
        self.pos = end
