"""Legacy (pre-1.7) server list ping, sans-IO: the 1.6 request and the kick-packet answer.

Request (1.6, one write: Paper buffers a fragmented one, older servers may not)::

    FE 01 FA | u16 11 | UTF-16BE "MC|PingHost" | u16 7+2*len(host) | u8 protocol
             | u16 len(host) | UTF-16BE host | i32 port

Pre-1.4 servers read the ``FE`` alone and ignore the rest. The answer is packet ``FF``, a u16
length in UTF-16 code units, then UTF-16BE text: ``§1\\0protocol\\0version\\0motd\\0online\\0max``
(1.4+) or ``motd§online§max`` (older). The text is decoded first and split after (splitting the
bytes on ``00 00`` also matches across characters, as opengsq does).
"""

from __future__ import annotations

import re
import struct

from bot.protocols.minecraft.chat import strip_codes
from bot.protocols.minecraft.errors import MinecraftEncodeError, NotMinecraft
from bot.protocols.minecraft.models import JavaPlayers, JavaStatus, JavaVersion
from bot.protocols.minecraft.status_json import MAX_MOTD_CHARS, MAX_NAME_CHARS

# The 1.6.4 protocol number; 1.6 servers answer any (they report their own).
DEFAULT_LEGACY_PROTOCOL = 74
KICK_PACKET_ID = 0xFF
_PING_HOST = "MC|PingHost".encode("utf-16-be")
# The u16 length caps the answer at 65535 UTF-16 units: bounded by the format itself.
MAX_LEGACY_ANSWER_BYTES = 3 + 2 * 0xFFFF
MAX_LEGACY_HOST_CHARS = 255
PRE_1_4_VERSION = "<1.4"
_INT = re.compile(r"-?\d{1,10}")
_HEADER = struct.Struct(">BH")


def encode_legacy_ping(host: str, port: int, protocol: int = DEFAULT_LEGACY_PROTOCOL) -> bytes:
    """The 1.6 ping with its ``MC|PingHost`` body (understood by 1.4-1.6 and pre-1.4 servers)."""
    encoded_host = host.encode("utf-16-be", "replace")
    units = len(encoded_host) // 2
    if units > MAX_LEGACY_HOST_CHARS:
        raise MinecraftEncodeError("host name too long for the legacy ping")
    if not 0 <= port <= 0xFFFF or not 0 <= protocol <= 0xFF:
        raise MinecraftEncodeError("port or protocol out of range")
    return (
        b"\xfe\x01\xfa"
        + struct.pack(">H", len(_PING_HOST) // 2)
        + _PING_HOST
        + struct.pack(">HBH", 7 + 2 * units, protocol, units)
        + encoded_host
        + struct.pack(">i", port)
    )


def legacy_answer_size(data: bytes | bytearray) -> int | None:
    """Total bytes of the kick packet that ``data`` begins, None until its header arrived."""
    if not data:
        return None
    if data[0] != KICK_PACKET_ID:
        raise NotMinecraft(f"legacy answer starts with {data[0]:#04x}, not the kick packet")
    if len(data) < _HEADER.size:
        return None
    units: int = _HEADER.unpack_from(data)[1]
    return _HEADER.size + 2 * units


def _parse_int(text: str, what: str) -> int:
    if not _INT.fullmatch(text):
        raise NotMinecraft(f"legacy {what} is not a number")
    return int(text)


def decode_legacy_text(text: str, latency_ms: float | None = None) -> JavaStatus:
    """A legacy answer's decoded text (either era) as a :class:`JavaStatus`."""
    if text.startswith("§1\0"):
        fields = text[3:].split("\0")
        if len(fields) < 5:
            raise NotMinecraft("legacy answer has fewer than 5 fields")
        protocol, version, online, maximum = fields[0], fields[1], fields[-2], fields[-1]
        motd = "\0".join(fields[2:-2])
        version_value = JavaVersion(
            strip_codes(version)[:MAX_NAME_CHARS], _parse_int(protocol, "protocol")
        )
    else:
        parts = text.rsplit("§", 2)
        if len(parts) != 3:
            raise NotMinecraft("legacy answer is neither §1 fields nor motd§online§max")
        motd, online, maximum = parts
        version_value = JavaVersion(PRE_1_4_VERSION, -1)
    players = JavaPlayers(_parse_int(online, "online count"), _parse_int(maximum, "max players"))
    return JavaStatus(
        version=version_value,
        players=players,
        motd=strip_codes(motd)[:MAX_MOTD_CHARS],
        description=motd,
        latency_ms=latency_ms,
        legacy=True,
        raw={"text": text},
    )


def decode_legacy_answer(data: bytes, latency_ms: float | None = None) -> JavaStatus:
    """A whole kick packet (``FF`` + length + text) as a :class:`JavaStatus`."""
    if not data:
        raise NotMinecraft("connection closed without a legacy answer")
    size = legacy_answer_size(data)
    if size is None or len(data) < size:
        raise NotMinecraft("legacy answer shorter than its length")
    text = data[_HEADER.size : size].decode("utf-16-be", "replace")
    return decode_legacy_text(text, latency_ms)
