"""Server List Ping (1.7+), sans-IO: packet codecs and the status exchange as a state machine.

Every packet is ``VarInt length | VarInt packet id | data``. The exchange::

    C→S handshake (id 0, next state 1), status request (id 0, empty)
    S→C status response (id 0): String JSON
    C→S ping (id 1): i64 BE payload
    S→C pong (id 1): the same payload

:class:`StatusConnection` holds no socket and no clock: feed it received bytes, take events out,
write what its methods return.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import Enum

from bot.protocols.minecraft.codec import (
    MAX_STRING_CHARS,
    Truncated,
    decode_string,
    decode_varint,
    encode_string,
    encode_varint,
)
from bot.protocols.minecraft.errors import (
    AnswerTooLarge,
    InvalidStateError,
    MinecraftEncodeError,
    NotMinecraft,
)

# "By convention -1 should be set" when pinging to learn the version (wiki.vg Server_List_Ping).
DEFAULT_PROTOCOL_VERSION = -1
# Vanilla writes the status JSON as a default String: at most 32767 UTF-16 units, so at most
# 3 bytes each in UTF-8. Nothing vanilla-based can send more; we refuse more.
MAX_STATUS_JSON_BYTES = 3 * MAX_STRING_CHARS
# Bytes allowed after the JSON string in the same packet (a second JSON object some mods append,
# e.g. Better Compatibility Checker); they are ignored.
MAX_STATUS_TAIL_BYTES = 8192
# Largest frame accepted: packet id, the string's VarInt length (3 bytes for the bound), the JSON
# and the tail. A bigger announced length is refused before any of it is read.
MAX_FRAME_BYTES = 1 + 3 + MAX_STATUS_JSON_BYTES + MAX_STATUS_TAIL_BYTES
# The handshake's server address is a String(255) in vanilla.
MAX_HANDSHAKE_HOST_CHARS = 255

STATUS_PACKET_ID = 0x00
PING_PACKET_ID = 0x01
_I64 = struct.Struct(">q")
_U16 = struct.Struct(">H")


def frame(body: bytes) -> bytes:
    """``body`` (packet id + data) with its VarInt length in front."""
    return encode_varint(len(body)) + body


def encode_handshake(
    host: str, port: int, protocol_version: int = DEFAULT_PROTOCOL_VERSION, next_state: int = 1
) -> bytes:
    """The framed handshake; ``next_state`` 1 asks for status. ``port`` goes big-endian."""
    if not 0 <= port <= 0xFFFF:
        raise MinecraftEncodeError(f"port {port} is out of range")
    body = (
        encode_varint(0x00)
        + encode_varint(protocol_version)
        + encode_string(host, MAX_HANDSHAKE_HOST_CHARS)
        + _U16.pack(port)
        + encode_varint(next_state)
    )
    return frame(body)


def encode_status_request() -> bytes:
    """The framed, empty status request: ``01 00``."""
    return frame(encode_varint(STATUS_PACKET_ID))


def encode_ping(payload: int) -> bytes:
    """The framed ping request carrying ``payload`` (a signed 64-bit value)."""
    if not -(1 << 63) <= payload < 1 << 63:
        raise MinecraftEncodeError("ping payload does not fit 64 bits")
    return frame(encode_varint(PING_PACKET_ID) + _I64.pack(payload))


def decode_status_response(body: bytes) -> str:
    """The JSON text of a status response frame body (bytes after the JSON string ignored)."""
    try:
        packet_id, offset = decode_varint(body)
        if packet_id != STATUS_PACKET_ID:
            raise NotMinecraft(f"expected the status response (id 0), got packet id {packet_id}")
        text, end = decode_string(body, offset, max_bytes=MAX_STATUS_JSON_BYTES)
    except Truncated:
        raise NotMinecraft("status response shorter than its fields") from None
    if len(body) - end > MAX_STATUS_TAIL_BYTES:
        raise AnswerTooLarge("too many bytes after the status JSON")
    return text


def decode_pong(body: bytes) -> int:
    """The payload of a pong frame body."""
    try:
        packet_id, offset = decode_varint(body)
    except Truncated:
        raise NotMinecraft("empty packet") from None
    if packet_id != PING_PACKET_ID:
        raise NotMinecraft(f"expected the pong (id 1), got packet id {packet_id}")
    if len(body) - offset != _I64.size:
        raise NotMinecraft("pong payload is not 8 bytes")
    value: int = _I64.unpack_from(body, offset)[0]
    return value


class FrameReader:
    """Cuts a TCP stream into frames; an announced length over ``max_frame_bytes`` is refused."""

    __slots__ = ("_buffer", "max_frame_bytes")

    def __init__(self, max_frame_bytes: int = MAX_FRAME_BYTES) -> None:
        self._buffer = bytearray()
        self.max_frame_bytes = max_frame_bytes

    @property
    def buffered(self) -> int:
        """Bytes received and not yet returned in a frame."""
        return len(self._buffer)

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def next_frame(self) -> bytes | None:
        """The next whole frame's body, or None until enough bytes arrived."""
        try:
            length, start = decode_varint(self._buffer)
        except Truncated:
            return None
        if length <= 0:
            raise NotMinecraft(f"frame length {length}")
        if length > self.max_frame_bytes:
            raise AnswerTooLarge(
                f"frame of {length} bytes is over the {self.max_frame_bytes}-byte limit"
            )
        end = start + length
        if len(self._buffer) < end:
            return None
        body = bytes(self._buffer[start:end])
        del self._buffer[:end]
        return body


class State(Enum):
    IDLE = "idle"
    AWAIT_STATUS = "await_status"
    AWAIT_PING = "await_ping"  # status received; a ping may be sent
    AWAIT_PONG = "await_pong"
    DONE = "done"
    CLOSED = "closed"  # the peer closed the stream


@dataclass(frozen=True, slots=True)
class StatusReceived:
    json_text: str


@dataclass(frozen=True, slots=True)
class PongReceived:
    payload: int


@dataclass(frozen=True, slots=True)
class ConnectionClosed:
    """The peer closed the stream between packets."""


@dataclass(frozen=True, slots=True)
class NeedData:
    """No whole packet yet: feed more bytes."""


NEED_DATA = NeedData()
Event = StatusReceived | PongReceived | ConnectionClosed | NeedData

# (step, state before) -> state after; a step missing here is an InvalidStateError.
_TRANSITIONS: dict[tuple[str, State], State] = {
    ("start", State.IDLE): State.AWAIT_STATUS,
    ("status", State.AWAIT_STATUS): State.AWAIT_PING,
    ("ping", State.AWAIT_PING): State.AWAIT_PONG,
    ("pong", State.AWAIT_PONG): State.DONE,
    ("eof", State.AWAIT_STATUS): State.CLOSED,
    ("eof", State.AWAIT_PONG): State.CLOSED,
}


class StatusConnection:
    """The client side of one status exchange (``start`` → status → ``ping`` → pong)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        protocol_version: int = DEFAULT_PROTOCOL_VERSION,
        max_frame_bytes: int = MAX_FRAME_BYTES,
    ) -> None:
        self._host = host
        self._port = port
        self._protocol_version = protocol_version
        self._reader = FrameReader(max_frame_bytes)
        self._eof = False
        self._ping_payload: int | None = None
        self.state = State.IDLE

    def _step(self, step: str) -> None:
        after = _TRANSITIONS.get((step, self.state))
        if after is None:
            raise InvalidStateError(f"cannot {step} in state {self.state.value}")
        self.state = after

    def start(self) -> bytes:
        """Handshake and status request, to send in one write."""
        request = encode_handshake(self._host, self._port, self._protocol_version)
        self._step("start")
        return request + encode_status_request()

    def ping(self, payload: int) -> bytes:
        """The ping request; allowed once the status arrived."""
        request = encode_ping(payload)
        self._step("ping")
        self._ping_payload = payload
        return request

    def receive_data(self, data: bytes) -> None:
        """Bytes read from the socket; ``b""`` means the peer closed it."""
        if not data:
            self._eof = True
        else:
            self._reader.feed(data)

    def next_event(self) -> Event:
        """The next event; :class:`NotMinecraft` for bytes that break the protocol."""
        if self.state not in (State.AWAIT_STATUS, State.AWAIT_PONG):
            raise InvalidStateError(f"no event expected in state {self.state.value}")
        body = self._reader.next_frame()
        if body is None:
            if not self._eof:
                return NEED_DATA
            if self._reader.buffered:
                raise NotMinecraft("connection closed inside a packet")
            self._step("eof")
            return ConnectionClosed()
        if self.state is State.AWAIT_STATUS:
            text = decode_status_response(body)
            self._step("status")
            return StatusReceived(text)
        payload = decode_pong(body)
        if payload != self._ping_payload:
            raise NotMinecraft("pong payload differs from the ping's")
        self._step("pong")
        return PongReceived(payload)
