"""Sans-IO WebRCON: the request table of one client. Text in, classified messages out.

:meth:`WebRconProtocol.send_command` gives the text message to send and the Identifier that
will carry its reply; :meth:`WebRconProtocol.receive_message` says what a received message is:

* :class:`Reply` -- the answer to a request still waiting; the request is done;
* :class:`Push` -- console output (Identifier 0), chat (-1) and anything else <= 0;
* :class:`Unmatched` -- a positive Identifier no request waits for: a late reply to a request
  that timed out (kept a while as a tombstone, so it is never taken for a push or another
  request's answer), or a made-up one.

There is no end-of-reply marker: the first message with a request's Identifier is its whole
answer, and a command that prints nothing gets none (the transport's timeout ends it). Our
Identifiers start above 1000 (Facepunch's web client keeps those for requests too) and never
reach 0 or below, where the server's pushes live.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .codec import (
    DEFAULT_NAME,
    INT32_MAX,
    MAX_MESSAGE_BYTES,
    MessageType,
    ServerMessage,
    decode_message,
    encode_request,
)
from .errors import WebRconRequestError

ID_FIRST = 1001
DEFAULT_MAX_IN_FLIGHT = 64
# Identifiers of ended requests whose late replies are still recognised and dropped.
TOMBSTONES = 256


@dataclass(frozen=True, slots=True)
class Reply:
    identifier: int
    message: ServerMessage


@dataclass(frozen=True, slots=True)
class Push:
    message: ServerMessage


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A positive Identifier nobody waits for; ``late``: it belonged to an abandoned request."""

    message: ServerMessage
    late: bool


Incoming = Reply | Push | Unmatched


@dataclass(slots=True)
class ProtocolStats:
    requests: int = 0
    replies: int = 0
    pushes: int = 0
    late_replies: int = 0
    unmatched: int = 0


class WebRconProtocol:
    """The request table: Identifiers allocated, answers matched, at most ``max_in_flight``.

    One object serves a client across reconnects: :meth:`connection_lost` forgets the requests
    of the connection that ended, the Identifier counter carries on.
    """

    def __init__(
        self,
        *,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
        name: str = DEFAULT_NAME,
        first_id: int = ID_FIRST,
    ) -> None:
        if max_in_flight < 1 or max_message_bytes < 1:
            raise ValueError("max_in_flight and max_message_bytes must be at least 1")
        if not ID_FIRST <= first_id <= INT32_MAX:
            raise ValueError(f"first_id must be in {ID_FIRST}..{INT32_MAX}")
        self.max_in_flight = max_in_flight
        self.max_message_bytes = max_message_bytes
        self.name = name
        self.stats = ProtocolStats()
        self._next_id = first_id
        self._pending: set[int] = set()
        self._tombstones: deque[int] = deque()
        self._tombstone_set: set[int] = set()

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    def is_pending(self, identifier: int) -> bool:
        return identifier in self._pending

    def _allocate(self) -> int:
        while True:
            identifier = self._next_id
            self._next_id = ID_FIRST if identifier >= INT32_MAX else identifier + 1
            if identifier not in self._pending and identifier not in self._tombstone_set:
                return identifier

    def send_command(self, command: str) -> tuple[int, str]:
        """Register a request; returns its Identifier and the text message to send.

        Raises WebRconRequestError for a command that cannot be sent, or when
        ``max_in_flight`` requests already wait (the transport queues before that).
        """
        if len(self._pending) >= self.max_in_flight:
            raise WebRconRequestError(f"{self.max_in_flight} commands already wait for a reply")
        identifier = self._allocate()
        frame = encode_request(identifier, command, self.name)
        self._pending.add(identifier)
        self.stats.requests += 1
        return identifier, frame

    def abandon(self, identifier: int) -> None:
        """The request timed out or was cancelled: a reply that still comes is dropped."""
        if identifier in self._pending:
            self._pending.discard(identifier)
            self._bury(identifier)

    def _bury(self, identifier: int) -> None:
        if len(self._tombstones) >= TOMBSTONES:
            self._tombstone_set.discard(self._tombstones.popleft())
        self._tombstones.append(identifier)
        self._tombstone_set.add(identifier)

    def receive_message(self, data: str | bytes) -> Incoming:
        """Classify one received message; raises NotWebRcon when it is not WebRCON's JSON."""
        message = decode_message(data, max_bytes=self.max_message_bytes)
        return self.classify(message)

    def classify(self, message: ServerMessage) -> Incoming:
        identifier = message.identifier
        # Chat is broadcast, never an answer, even if it were sent while our command ran.
        if identifier <= 0 or message.type is MessageType.CHAT:
            self.stats.pushes += 1
            return Push(message)
        if identifier in self._pending:
            self._pending.discard(identifier)
            self._bury(identifier)  # a second message with this id is not the next answer
            self.stats.replies += 1
            return Reply(identifier, message)
        late = identifier in self._tombstone_set
        if late:
            self.stats.late_replies += 1
        else:
            self.stats.unmatched += 1
        return Unmatched(message, late)

    def connection_lost(self) -> list[int]:
        """The connection ended; returns the Identifiers that will never be answered."""
        lost = sorted(self._pending)
        self._pending.clear()
        self._tombstones.clear()
        self._tombstone_set.clear()
        return lost
