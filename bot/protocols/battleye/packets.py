"""BattlEye RCON packet encoding and decoding (BERConProtocol v2), pure functions on bytes.

Layout: ``'B' 'E' | CRC32 little-endian of the rest | 0xFF | type | payload``. The CRC covers
the ``0xFF`` byte too. Decoders raise :class:`PacketError` with a short ``reason`` so a caller can
count what it dropped; they never raise anything else on hostile input.
"""

from __future__ import annotations

import enum
import zlib
from dataclasses import dataclass, field

from .errors import PacketError

# Largest UDP payload over IPv4; BattlEye never sends more.
MAX_DATAGRAM = 65507
HEADER_SIZE = 7
_PREFIX = b"BE"

REASON_SHORT = "short"
REASON_HEADER = "header"
REASON_CRC = "crc"
REASON_TYPE = "type"
REASON_MALFORMED = "malformed"


class PacketType(enum.IntEnum):
    LOGIN = 0x00
    COMMAND = 0x01
    MESSAGE = 0x02


# --- server -> client -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginResponse:
    success: bool


@dataclass(frozen=True, slots=True)
class CommandResponse:
    """One part of a command answer; single answers are part 0 of 1."""

    sequence: int
    total: int
    index: int
    payload: bytes


@dataclass(frozen=True, slots=True)
class ServerMessage:
    sequence: int
    payload: bytes


ServerPacket = LoginResponse | CommandResponse | ServerMessage


# --- client -> server -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginRequest:
    password: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class CommandRequest:
    sequence: int
    command: bytes


@dataclass(frozen=True, slots=True)
class MessageAck:
    sequence: int


ClientPacket = LoginRequest | CommandRequest | MessageAck


# --- encoding ---------------------------------------------------------------------------------


def _frame(ptype: PacketType, body: bytes) -> bytes:
    rest = bytes((0xFF, ptype)) + body
    if len(rest) + 6 > MAX_DATAGRAM:
        raise ValueError(f"packet of {len(rest) + 6} bytes exceeds the UDP limit")
    return _PREFIX + zlib.crc32(rest).to_bytes(4, "little") + rest


def _check_seq(sequence: int) -> int:
    if not 0 <= sequence <= 255:
        raise ValueError(f"sequence must be 0..255, got {sequence}")
    return sequence


def encode_login(password: bytes) -> bytes:
    if b"\x00" in password:
        # Deliberately no value in the message: it is a secret.
        raise ValueError("password contains a NUL byte")
    return _frame(PacketType.LOGIN, password)


def encode_command(sequence: int, command: bytes) -> bytes:
    return _frame(PacketType.COMMAND, bytes((_check_seq(sequence),)) + command)


# Every server message costs one ack: all 256 possible ones, CRC included, are built once.
_ACKS = tuple(_frame(PacketType.MESSAGE, bytes((seq,))) for seq in range(256))


def encode_ack(sequence: int) -> bytes:
    return _ACKS[_check_seq(sequence)]


def encode_login_response(success: bool) -> bytes:
    return _frame(PacketType.LOGIN, b"\x01" if success else b"\x00")


def encode_command_response(
    sequence: int, payload: bytes, *, total: int = 1, index: int = 0
) -> bytes:
    """One answer packet. The ``00 total index`` sub-header is written when ``total > 1``, and
    also for a single part starting with a NUL byte, which would otherwise read as a header."""
    _check_seq(sequence)
    if not 1 <= total <= 255 or not 0 <= index < total:
        raise ValueError(f"bad part {index} of {total}")
    plain = total == 1 and not payload.startswith(b"\x00")
    head = bytes((sequence,)) if plain else bytes((sequence, 0, total, index))
    return _frame(PacketType.COMMAND, head + payload)


def split_command_response(sequence: int, payload: bytes, chunk_size: int) -> list[bytes]:
    """All packets of an answer, cut into ``chunk_size`` byte parts (multi-part when > 1)."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    chunks = [payload[i : i + chunk_size] for i in range(0, len(payload), chunk_size)] or [b""]
    total = len(chunks)
    return [
        encode_command_response(sequence, chunk, total=total, index=i)
        for i, chunk in enumerate(chunks)
    ]


def encode_server_message(sequence: int, payload: bytes) -> bytes:
    return _frame(PacketType.MESSAGE, bytes((_check_seq(sequence),)) + payload)


# --- decoding ---------------------------------------------------------------------------------

# A dict lookup is several times cheaper than calling the enum on every datagram.
_TYPES = {t.value: t for t in PacketType}


def _unframe(data: bytes) -> tuple[PacketType, bytes]:
    if len(data) < HEADER_SIZE + 1:
        raise PacketError(REASON_SHORT, f"{len(data)} bytes")
    if data[:2] != _PREFIX or data[6] != 0xFF:
        raise PacketError(REASON_HEADER, "missing 'BE' ... 0xFF header")
    # A memoryview slice: the checksum is computed in place, without copying the payload.
    if zlib.crc32(memoryview(data)[6:]) != int.from_bytes(data[2:6], "little"):
        raise PacketError(REASON_CRC, "checksum mismatch")
    ptype = _TYPES.get(data[7])
    if ptype is None:
        raise PacketError(REASON_TYPE, f"unknown type 0x{data[7]:02x}")
    return ptype, data[8:]


def decode_server_packet(data: bytes) -> ServerPacket:
    ptype, body = _unframe(data)
    if ptype is PacketType.LOGIN:
        if len(body) != 1 or body[0] not in (0, 1):
            raise PacketError(REASON_MALFORMED, "login answer must be one byte 0 or 1")
        return LoginResponse(body[0] == 1)
    if not body:
        raise PacketError(REASON_SHORT, "missing sequence number")
    sequence = body[0]
    if ptype is PacketType.MESSAGE:
        return ServerMessage(sequence, body[1:])
    # A 0x00 right after the sequence announces the multi-part sub-header (in every part).
    if len(body) > 1 and body[1] == 0:
        if len(body) < 4:
            raise PacketError(REASON_SHORT, "truncated multi-part header")
        total, index = body[2], body[3]
        if total == 0 or index >= total:
            raise PacketError(REASON_MALFORMED, f"part {index} of {total}")
        return CommandResponse(sequence, total, index, body[4:])
    return CommandResponse(sequence, 1, 0, body[1:])


def decode_client_packet(data: bytes) -> ClientPacket:
    ptype, body = _unframe(data)
    if ptype is PacketType.LOGIN:
        return LoginRequest(body)
    if not body:
        raise PacketError(REASON_SHORT, "missing sequence number")
    if ptype is PacketType.COMMAND:
        return CommandRequest(body[0], body[1:])
    if len(body) != 1:
        raise PacketError(REASON_MALFORMED, "acknowledgement carries data")
    return MessageAck(body[0])
