"""Shared test data: a real (1x1) PNG and its favicon URI."""

from __future__ import annotations

import base64
import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PNG_1X1 = (
    b"\x89PNG\r\n\x1a\n"
    + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
    + _chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00"))
    + _chunk(b"IEND", b"")
)
FAVICON = "data:image/png;base64," + base64.b64encode(PNG_1X1).decode()
