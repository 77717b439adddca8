"""Sans-IO Source RCON client: bytes in, events out, bytes to send. No sockets, no clock.

Feed received bytes to :meth:`ClientConnection.receive_data`, write out whatever
:meth:`ClientConnection.data_to_send` returns after every call. Timeouts belong to the
transport, which calls :meth:`ClientConnection.abandon` so that a late answer is dropped instead
of being taken for the next command's.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from enum import Enum

from bot.protocols.rcon.errors import RCONError, RCONMessageError
from bot.protocols.rcon.framing import PacketFramer
from bot.protocols.rcon.packets import PacketType, RCONMessage, encode_packet
from bot.protocols.rcon.profiles import (
    DEFAULT_PROFILE,
    PALWORLD,
    EndDetection,
    ServerProfile,
    get_profile,
)

_ID_LIMIT = 2**31 - 1
# Bytes of answer body one request may receive: beyond it the stream is treated as hostile
# (a server streaming packets without end would otherwise grow the bot's memory unbounded).
DEFAULT_MAX_RESPONSE_BYTES = 4 << 20
# Ids whose answers are still dropped silently after their request ended (trailing packets).
_RETIRED_KEEP = 256


class State(Enum):
    CONNECTED = "connected"
    AUTHENTICATING = "authenticating"
    AUTHENTICATED = "authenticated"
    AUTH_FAILED = "auth_failed"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class AuthResult:
    """The server answered the AUTH packet."""

    success: bool


@dataclass(frozen=True, slots=True)
class Response:
    """The whole answer to one command: the bodies of all its packets, joined as bytes."""

    request_id: int
    body: bytes
    packets: int


@dataclass(frozen=True, slots=True)
class Unsolicited:
    """A packet that answers nothing we asked: unknown types (Squad chat) or stray ids."""

    message: RCONMessage


@dataclass(frozen=True, slots=True)
class BudgetExceeded:
    """The answer to ``request_id`` outgrew ``budget`` bytes: the connection is now closed."""

    request_id: int
    budget: int


Event = AuthResult | Response | Unsolicited | BudgetExceeded


class _OverBudget(Exception):
    def __init__(self, request_id: int) -> None:
        self.request_id = request_id


class _Request:
    # A plain slotted class: created for every command, so cheaper than a dataclass.
    __slots__ = (
        "discard",
        "id",
        "packet",
        "packets",
        "parts",
        "probe_id",
        "probe_sent",
        "received",
        "sent",
    )

    def __init__(self, id_: int, probe_id: int | None, packet: bytes, discard: bool) -> None:
        self.id = id_
        self.probe_id = probe_id
        self.packet = packet
        self.discard = discard
        self.sent = False
        self.probe_sent = False
        self.packets = 0
        self.received = 0  # body bytes, kept or discarded: the budget counts both
        self.parts: list[bytes] = []


class ClientConnection:
    """Client side of one RCON connection.

    Handles: auth answers in either order (or without SRCDS's extra empty packet), end
    detection per profile, several commands in flight matched by id, servers that zero every id
    (matched in order), packets of unknown types surfaced as :class:`Unsolicited`.

    ``detect_zero_ids``: an AUTH_RESPONSE with id 0 to our non-zero id (Palworld and other
    servers that zero every id) switches to in-order matching, one packet per answer. Set it
    when no profile was chosen explicitly. ``max_response_bytes`` is the per-request budget:
    beyond it :meth:`receive_data` ends with a :class:`BudgetExceeded` event.
    """

    def __init__(
        self,
        profile: ServerProfile = DEFAULT_PROFILE,
        *,
        detect_zero_ids: bool = False,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if max_response_bytes < 1:
            raise ValueError("max_response_bytes must be at least 1")
        self.profile = profile
        self.detect_zero_ids = detect_zero_ids
        self.max_response_bytes = max_response_bytes
        self.state = State.CONNECTED
        self._framer = PacketFramer(profile.max_packet_size)
        self._out = bytearray()
        self._next_id = 1
        self._auth_id: int | None = None
        self._by_id: dict[int, _Request] = {}
        self._order: deque[_Request] = deque()  # sent requests, oldest first
        self._outbox: deque[_Request] = deque()  # lockstep: not yet sent
        self._retired: deque[int] = deque(maxlen=_RETIRED_KEEP)
        self._probe_type = (
            PacketType.RESPONSE_VALUE
            if profile.end_detection is EndDetection.MIRROR
            else PacketType.EXECCOMMAND
        )

    @classmethod
    def for_profile(
        cls, profile: str | ServerProfile | None, max_response_bytes: int
    ) -> ClientConnection:
        """For the profile a caller chose (a name or a profile), or for ``None`` the default
        one, then recognising servers that zero every id at login."""
        return cls(
            get_profile(profile),
            detect_zero_ids=profile is None,
            max_response_bytes=max_response_bytes,
        )

    # -- sending -------------------------------------------------------------------------------

    def _new_id(self) -> int:
        while True:
            value = self._next_id
            self._next_id = 1 if value >= _ID_LIMIT else value + 1
            # Ids with three zero low bytes could look like Squad's broken packet.
            if value & 0xFFFFFF and value not in self._by_id and value != self._auth_id:
                return value

    def _check_size(self, packet: bytes) -> None:
        if len(packet) > self.profile.max_request_size:
            raise RCONMessageError(
                f"request is {len(packet)} bytes; the server accepts at most "
                f"{self.profile.max_request_size}"
            )

    def start_auth(self, password: str) -> None:
        """Queue the AUTH packet. Only once per connection: a wrong password is never re-sent."""
        if self.state is not State.CONNECTED:
            raise RCONError(f"cannot authenticate in state {self.state.value}")
        self._auth_id = self._new_id()
        packet = encode_packet(self._auth_id, PacketType.AUTH, password.encode("utf-8"))
        self._check_size(packet)
        self.state = State.AUTHENTICATING
        self._out += packet

    def send_command(self, command: str | bytes, *, discard: bool = False) -> int:
        """Queue a command; returns its request id. ``discard`` drops the answer unread."""
        if self.state is not State.AUTHENTICATED:
            raise RCONError(f"cannot send a command in state {self.state.value}")
        body = command.encode("utf-8") if isinstance(command, str) else bytes(command)
        request_id = self._new_id()
        packet = encode_packet(request_id, PacketType.EXECCOMMAND, body)
        self._check_size(packet)
        probe_id = None
        if self.profile.end_detection is not EndDetection.SINGLE:
            probe_id = self._new_id()
        request = _Request(request_id, probe_id, packet, discard)
        self._by_id[request_id] = request
        if probe_id is not None:
            self._by_id[probe_id] = request
        if self.profile.lockstep:
            self._outbox.append(request)
            self._pump()
        else:
            self._send(request, with_probe=True)
        return request_id

    def _probe_packet(self, request: _Request) -> bytes:
        assert request.probe_id is not None
        return encode_packet(request.probe_id, self._probe_type, b"")

    def _send(self, request: _Request, *, with_probe: bool) -> None:
        request.sent = True
        self._order.append(request)
        self._out += request.packet
        if with_probe and request.probe_id is not None:
            self._send_probe(request)

    def _send_probe(self, request: _Request) -> None:
        if not request.probe_sent:
            request.probe_sent = True
            self._out += self._probe_packet(request)

    def _pump(self) -> None:
        """Lockstep: put the next request on the wire once nothing is in flight."""
        if self.state is State.AUTHENTICATED and not self._order and self._outbox:
            self._send(self._outbox.popleft(), with_probe=False)

    def abandon(self, request_id: int) -> None:
        """Give up on a request (timed out): its answer, if it ever comes, is dropped."""
        request = self._by_id.get(request_id)
        if request is None or request.id != request_id:
            return
        request.discard = True
        request.parts.clear()
        if self.profile.lockstep and request.sent and request.probe_id is not None:
            # The command got no answer yet; without the probe the request would never end.
            self._send_probe(request)

    def data_to_send(self) -> bytes:
        """Bytes queued for the server since the last call."""
        data = bytes(self._out)
        self._out.clear()
        return data

    @property
    def in_flight(self) -> int:
        """Requests sent or queued whose answer has not completed."""
        return len(self._order) + len(self._outbox)

    # -- receiving -----------------------------------------------------------------------------

    def receive_data(self, data: bytes) -> list[Event]:
        """Feed received bytes; returns the events they complete.

        ``RCONMessageError`` means the stream is desynchronised: the connection is unusable.
        A :class:`BudgetExceeded` event (always the last) means an answer outgrew the budget:
        the connection is closed, the transport must drop it.
        """
        if self.state is State.CLOSED:
            raise RCONError("connection is closed")
        framer = self._framer
        framer.append(data)
        events: list[Event] = []
        try:
            while (packet := framer.next_packet()) is not None:
                self._handle(*packet, events)
        except RCONMessageError:
            self.state = State.CLOSED
            raise
        except _OverBudget as over:
            # Nothing after the offending packet is read; what completed before still counts.
            self.state = State.CLOSED
            events.append(BudgetExceeded(over.request_id, self.max_response_bytes))
        return events

    def connection_lost(self) -> list[int]:
        """The socket closed; returns the ids of the requests that will never be answered."""
        self.state = State.CLOSED
        lost = [r.id for r in (*self._order, *self._outbox) if not r.discard]
        self._order.clear()
        self._outbox.clear()
        self._by_id.clear()
        return lost

    def _handle(self, id_: int, type_: int, body: bytes, events: list[Event]) -> None:
        if self.state is State.AUTHENTICATING:
            if type_ == PacketType.AUTH_RESPONSE:
                ok = id_ != -1 and (not self.profile.strict_auth_id or id_ == self._auth_id)
                if ok and id_ == 0 and self.detect_zero_ids and self.profile.match_ids:
                    self._switch_to_zero_ids()
                self.state = State.AUTHENTICATED if ok else State.AUTH_FAILED
                events.append(AuthResult(ok))
            elif type_ != PacketType.RESPONSE_VALUE:
                events.append(Unsolicited(RCONMessage(id_, type_, body)))
            # SRCDS sends an empty RESPONSE_VALUE before the AUTH_RESPONSE: nothing to keep.
            return
        if type_ != PacketType.RESPONSE_VALUE or self.state is not State.AUTHENTICATED:
            events.append(Unsolicited(RCONMessage(id_, type_, body)))
            return
        if not self.profile.match_ids:
            if self._order:
                self._complete(self._order[0], body, events)
            else:
                events.append(Unsolicited(RCONMessage(id_, type_, body)))
            return
        request = self._by_id.get(id_)
        if request is None:
            # The auth's empty packet (when it comes second) and trailing packets of finished
            # requests: dropped, so they never end up in another command's answer.
            if id_ != self._auth_id and id_ not in self._retired:
                events.append(Unsolicited(RCONMessage(id_, type_, body)))
            return
        if id_ == request.id:
            if self.profile.end_detection is EndDetection.SINGLE:
                self._complete(request, body, events)
                return
            self._count(request, body)
            request.packets += 1
            if not request.discard:
                request.parts.append(body)
            if self.profile.lockstep:
                self._send_probe(request)
            return
        # The probe's answer: SENTINEL's reply or MIRROR's mirrored empty packet.
        self._finish(request, events)
        if not body and self.profile.malformed_followup:
            self._framer.expect_malformed_followup()

    def _switch_to_zero_ids(self) -> None:
        # Our ids are never 0, so this server zeroes them: answers can only be matched in
        # the order sent, and without ids no probe can mark an answer's end.
        self.profile = replace(
            self.profile,
            name=f"{self.profile.name}+zero-ids",
            end_detection=EndDetection.SINGLE,
            match_ids=False,
            lockstep=False,
            malformed_followup=False,
            max_packet_size=max(self.profile.max_packet_size, PALWORLD.max_packet_size),
        )
        self._framer.max_packet_size = self.profile.max_packet_size
        self._probe_type = PacketType.EXECCOMMAND

    def _count(self, request: _Request, body: bytes) -> None:
        request.received += len(body)
        if request.received > self.max_response_bytes:
            raise _OverBudget(request.id)

    def _complete(self, request: _Request, body: bytes, events: list[Event]) -> None:
        self._count(request, body)
        request.packets += 1
        if not request.discard:
            request.parts.append(body)
        self._finish(request, events)

    def _finish(self, request: _Request, events: list[Event]) -> None:
        order = self._order
        if order and order[0] is request:
            order.popleft()
        else:
            try:
                order.remove(request)
            except ValueError:
                return
        by_id = self._by_id
        del by_id[request.id]
        self._retired.append(request.id)
        if request.probe_id is not None:
            del by_id[request.probe_id]
            self._retired.append(request.probe_id)
        if not request.discard:
            parts = request.parts
            body = parts[0] if len(parts) == 1 else b"".join(parts)
            events.append(Response(request.id, body, request.packets))
        if self.profile.lockstep:
            self._pump()
