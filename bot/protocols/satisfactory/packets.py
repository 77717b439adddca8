"""Lightweight Query API messages: encode the poll, decode the state response. No I/O.

All little-endian (protocol notes §5.1, satisfactory.wiki.gg "Lightweight Query API")::

    envelope: u16 magic F6D5 (bytes D5 F6) | u8 message type | u8 protocol version 1
              | payload | u8 terminator 01
    Poll Server State (type 0), 13 bytes: payload = u64 cookie
    Server State Response (type 1): payload =
        u64 cookie | u8 server state | u32 server net CL (changelist) | u64 server flags
        | u8 count | count x (u8 sub-state id, u16 sub-state version)
        | u16 name length (bytes) | UTF-8 name

Sub-state entries are 3 bytes, as three independent implementations read them (the community
doc's 4-byte example is taken as wrong, per the notes). Like DJWoodZ's probe, the decoder
checks magic, type, version, the total length and the terminator.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from enum import IntEnum

from bot.protocols.satisfactory.errors import SatisfactoryMalformedError

PROTOCOL_MAGIC = 0xF6D5
PROTOCOL_VERSION = 1
TERMINATOR = 0x01
# A response is at most 26 + 255 x 3 + 2 + name + 1 bytes; names are short. The bound keeps
# a hostile name from costing more than a few KiB.
MAX_RESPONSE_SIZE = 8192
MAX_NAME_CHARS = 256

_ENVELOPE = struct.Struct("<HBB")
_POLL = struct.Struct("<HBBQB")
_RESPONSE_HEAD = struct.Struct("<HBBQBIQB")
_SUB_STATE = struct.Struct("<BH")
_NAME_LENGTH = struct.Struct("<H")
_U64_MAX = 2**64 - 1
_CONTROL = re.compile("[\x00-\x1f\x7f]")


class MessageType(IntEnum):
    POLL_SERVER_STATE = 0
    SERVER_STATE_RESPONSE = 1


class ServerState(IntEnum):
    OFFLINE = 0  # never sent: an offline server does not answer
    IDLE = 1  # running, no save loaded
    LOADING = 2  # loading a save; the HTTPS API is unavailable meanwhile
    PLAYING = 3


class SubStateId(IntEnum):
    """What a changed sub-state version means: re-fetch that HTTPS API function."""

    SERVER_GAME_STATE = 0  # QueryServerState
    SERVER_OPTIONS = 1  # GetServerOptions
    ADVANCED_GAME_SETTINGS = 2  # GetAdvancedGameSettings
    SAVE_COLLECTION = 3  # EnumerateSessions


@dataclass(frozen=True, slots=True)
class SubState:
    id: int
    version: int

    @property
    def kind(self) -> SubStateId | None:
        """The documented meaning, None for ids 4-7 (custom) and unknown ones (ignored)."""
        try:
            return SubStateId(self.id)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class StateResponse:
    """A decoded Server State Response. ``state`` is a plain int when it is not documented."""

    cookie: int
    state: ServerState | int
    net_cl: int
    flags: int
    sub_states: tuple[SubState, ...]
    name: str

    @property
    def modded(self) -> bool:
        return bool(self.flags & 1)


def encode_poll(cookie: int) -> bytes:
    """The 13-byte Poll Server State message; the server echoes ``cookie``."""
    if not 0 <= cookie <= _U64_MAX:
        raise ValueError("the cookie must fit in 64 unsigned bits")
    return _POLL.pack(
        PROTOCOL_MAGIC, MessageType.POLL_SERVER_STATE, PROTOCOL_VERSION, cookie, TERMINATOR
    )


def _state(value: int) -> ServerState | int:
    try:
        return ServerState(value)
    except ValueError:
        return value


def decode_state_response(datagram: bytes) -> StateResponse:
    """Decode one Server State Response; :class:`SatisfactoryMalformedError` for anything else."""
    size = len(datagram)
    if size > MAX_RESPONSE_SIZE:
        raise SatisfactoryMalformedError("oversized", f"{size} bytes > {MAX_RESPONSE_SIZE}")
    if size < _ENVELOPE.size:
        raise SatisfactoryMalformedError("not this protocol", f"{size}-byte datagram")
    magic, message_type, version = _ENVELOPE.unpack_from(datagram)
    if magic != PROTOCOL_MAGIC:
        raise SatisfactoryMalformedError("not this protocol", f"magic 0x{magic:04x}")
    if message_type != MessageType.SERVER_STATE_RESPONSE:
        raise SatisfactoryMalformedError("unexpected message type", str(message_type))
    if version != PROTOCOL_VERSION:
        raise SatisfactoryMalformedError("unsupported protocol version", str(version))
    if size < _RESPONSE_HEAD.size:
        raise SatisfactoryMalformedError("truncated", f"{size}-byte response header")
    _, _, _, cookie, state, net_cl, flags, count = _RESPONSE_HEAD.unpack_from(datagram)
    offset = _RESPONSE_HEAD.size
    name_at = offset + count * _SUB_STATE.size
    if name_at + _NAME_LENGTH.size > size:
        raise SatisfactoryMalformedError("truncated", f"{count} sub-states announced")
    sub_states = tuple(
        SubState(*_SUB_STATE.unpack_from(datagram, offset + index * _SUB_STATE.size))
        for index in range(count)
    )
    (name_length,) = _NAME_LENGTH.unpack_from(datagram, name_at)
    end = name_at + _NAME_LENGTH.size + name_length
    if end + 1 > size:
        raise SatisfactoryMalformedError("truncated", f"name of {name_length} bytes")
    if end + 1 < size:
        extra = size - end - 1
        raise SatisfactoryMalformedError("length mismatch", f"{extra} bytes after the name")
    if datagram[end] != TERMINATOR:
        raise SatisfactoryMalformedError("no terminator", f"last byte 0x{datagram[end]:02x}")
    name = datagram[name_at + _NAME_LENGTH.size : end].decode("utf-8", errors="replace")
    return StateResponse(
        cookie=cookie,
        state=_state(state),
        net_cl=net_cl,
        flags=flags,
        sub_states=sub_states,
        name=_CONTROL.sub("", name)[:MAX_NAME_CHARS],
    )
