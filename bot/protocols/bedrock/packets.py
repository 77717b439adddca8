"""RakNet Unconnected Ping / Pong: encode the ping, decode the pong. No I/O.

Layout (big-endian, wiki.bedrock.dev "RakNet and MCPE")::

    ping: 01 | u64 client time | 16 B magic | u64 client GUID                      (33 bytes)
    pong: 1C | u64 time echoed | u64 server GUID | 16 B magic | u16 length | string

The string is the ``;``-separated MOTD (see :mod:`.motd`), decoded as UTF-8 with undecodable
bytes replaced (a strict decode would turn one bad byte into a failed query).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from bot.protocols.bedrock.errors import BedrockMalformedError

# RakNet's OFFLINE_MESSAGE_DATA_ID: marks a datagram as an unconnected (offline) message.
MAGIC = bytes.fromhex("00ffff00fefefefefdfdfdfd12345678")
UNCONNECTED_PING = 0x01
UNCONNECTED_PONG = 0x1C
# A pong is one datagram within RakNet's MTU (~1500); 4 KiB leaves room and bounds the work.
MAX_PONG_SIZE = 4096

_PING = struct.Struct(">BQ16sQ")
_PONG_HEAD = struct.Struct(">BQQ16sH")
PONG_HEADER_SIZE = _PONG_HEAD.size
_U64_MAX = 2**64 - 1


@dataclass(frozen=True, slots=True)
class Pong:
    """A decoded Unconnected Pong: the echoed time, the server's GUID, the MOTD string."""

    time: int
    server_guid: int
    motd: str


def encode_ping(time: int, client_guid: int) -> bytes:
    """The 33-byte Unconnected Ping; ``time`` comes back in the pong, so it names the ping."""
    if not (0 <= time <= _U64_MAX and 0 <= client_guid <= _U64_MAX):
        raise ValueError("time and client_guid must fit in 64 unsigned bits")
    return _PING.pack(UNCONNECTED_PING, time, MAGIC, client_guid)


def decode_pong(datagram: bytes) -> Pong:
    """Decode one Unconnected Pong; :class:`BedrockMalformedError` for anything else.

    Bytes after the announced string are ignored (no known server sends them, and they would
    not change the MOTD); a string longer than the datagram is refused.
    """
    if len(datagram) > MAX_PONG_SIZE:
        raise BedrockMalformedError("oversized", f"{len(datagram)} bytes > {MAX_PONG_SIZE}")
    if not datagram or datagram[0] != UNCONNECTED_PONG:
        first = f"0x{datagram[0]:02x}" if datagram else "empty datagram"
        raise BedrockMalformedError("not a pong", f"packet id {first}")
    if len(datagram) < PONG_HEADER_SIZE:
        raise BedrockMalformedError("truncated", f"{len(datagram)}-byte pong header")
    _, time, server_guid, magic, length = _PONG_HEAD.unpack_from(datagram)
    if magic != MAGIC:
        raise BedrockMalformedError("not a pong", "offline-message magic missing")
    end = PONG_HEADER_SIZE + length
    if end > len(datagram):
        raise BedrockMalformedError(
            "truncated", f"string of {length} bytes, {len(datagram) - PONG_HEADER_SIZE} present"
        )
    motd = datagram[PONG_HEADER_SIZE:end].decode("utf-8", errors="replace")
    return Pong(time, server_guid, motd)
