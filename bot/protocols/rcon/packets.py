"""Source RCON packets: encode and decode one packet, no I/O.

Layout (all little-endian): ``size:int32 | id:int32 | type:int32 | body | 00 | 00`` where ``size``
counts everything after itself, so an empty packet has size 10.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar

from bot.protocols.rcon.errors import RCONMessageError

_HEADER = struct.Struct("<iii")
_SIZE = struct.Struct("<i")

HEADER_SIZE = _HEADER.size  # size + id + type
MIN_SIZE_FIELD = 10  # id + type + two NULs
# SRCDS never sends or accepts a packet larger than this (size field included).
MAX_REQUEST_SIZE = 4096
# Responses larger than this mean the stream is desynchronised: a sane server splits long
# answers (SRCDS at 4096, Minecraft at 4110); Palworld sends one packet, still far smaller.
DEFAULT_MAX_PACKET_SIZE = 65536

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1


class PacketType(IntEnum):
    """``SERVERDATA_*`` packet types; 2 means AUTH_RESPONSE from the server, EXECCOMMAND to it."""

    RESPONSE_VALUE = 0
    AUTH_RESPONSE = 2
    EXECCOMMAND = 2
    AUTH = 3


SERVERDATA_RESPONSE_VALUE = PacketType.RESPONSE_VALUE
SERVERDATA_AUTH_RESPONSE = PacketType.AUTH_RESPONSE
SERVERDATA_EXECCOMMAND = PacketType.EXECCOMMAND
SERVERDATA_AUTH = PacketType.AUTH


def _type_name(value: int) -> str:
    # 1: Squad pushes chat lines with this type; it is not part of Valve's protocol.
    names = {0: "RESPONSE_VALUE", 1: "CHAT_VALUE", 2: "AUTH_RESPONSE/EXECCOMMAND", 3: "AUTH"}
    return names.get(value, f"type {value}")


@dataclass(frozen=True, slots=True, init=False, repr=False)
class RCONMessage:
    """One RCON packet. ``type`` is a plain ``int`` because servers send types we do not know.

    ``body`` may be given as ``str`` (encoded as UTF-8). The repr shows the length of the body,
    never its content: an AUTH body is the password.
    """

    Type: ClassVar[type[PacketType]] = PacketType
    ENCODING: ClassVar[str] = "utf-8"

    id: int
    type: int
    body: bytes

    def __init__(self, id: int, type: int, body: bytes | str = b"") -> None:
        object.__setattr__(self, "id", int(id))
        object.__setattr__(self, "type", int(type))
        object.__setattr__(
            self, "body", body.encode(self.ENCODING) if isinstance(body, str) else bytes(body)
        )

    def __repr__(self) -> str:
        return f"<RCONMessage id={self.id} {_type_name(self.type)} {len(self.body)}B>"

    @property
    def text(self) -> str:
        """The body as text: UTF-8, undecodable bytes replaced (servers send non-ASCII)."""
        return self.body.decode(self.ENCODING, errors="replace")

    def encode(self) -> bytes:
        """The packet as bytes, size field included."""
        return encode_packet(self.id, self.type, self.body)

    @classmethod
    def decode(
        cls, buffer: bytes, *, max_size: int = DEFAULT_MAX_PACKET_SIZE
    ) -> tuple[RCONMessage, bytes]:
        """Decode the first packet of ``buffer``; return it and the bytes after it.

        Raises ``RCONMessageError`` when the buffer is too short or the size field is absurd.
        """
        view = memoryview(buffer)
        size = check_size(view, 0, max_size)
        if size is None or len(view) < 4 + size:
            raise RCONMessageError(f"incomplete packet: have {len(buffer)} bytes")
        return message_at(view, 0, size), bytes(view[4 + size :])


def check_size(buffer: memoryview | bytes | bytearray, offset: int, max_size: int) -> int | None:
    """The size field at ``offset``, or ``None`` when fewer than 4 bytes are there."""
    if len(buffer) - offset < 4:
        return None
    (size,) = _SIZE.unpack_from(buffer, offset)
    if size < MIN_SIZE_FIELD or size + 4 > max_size:
        raise RCONMessageError(f"invalid packet size field {size}: stream desynchronised")
    return int(size)


def message_at(buffer: memoryview | bytes | bytearray, offset: int, size: int) -> RCONMessage:
    """Build the packet whose (already checked) size field is at ``offset``."""
    return RCONMessage(*packet_at(buffer, offset, size))


def packet_at(
    buffer: memoryview | bytes | bytearray, offset: int, size: int
) -> tuple[int, int, bytes]:
    """``(id, type, body)`` of the packet whose (already checked) size field is at ``offset``."""
    _, id_, type_ = _HEADER.unpack_from(buffer, offset)
    end = offset + 4 + size
    # Lenient terminators: some servers get them wrong; the size field alone frames the stream.
    if buffer[end - 2 : end] == b"\x00\x00":
        end -= 2
    elif buffer[end - 1] == 0:
        end -= 1
    return id_, type_, bytes(buffer[offset + HEADER_SIZE : end])


def encode_packet(id_: int, type_: int, body: bytes) -> bytes:
    """Encode one packet; ``RCONMessageError`` if a field does not fit in an int32."""
    try:
        return _HEADER.pack(len(body) + MIN_SIZE_FIELD, id_, type_) + body + b"\x00\x00"
    except struct.error:
        raise RCONMessageError("packet id, type or size out of int32 range") from None
