"""Stream framer: bytes from TCP reads in any chunking → whole RCON packets."""

from __future__ import annotations

from bot.protocols.rcon.errors import RCONMessageError
from bot.protocols.rcon.packets import (
    DEFAULT_MAX_PACKET_SIZE,
    HEADER_SIZE,
    RCONMessage,
    check_size,
    packet_at,
)

# Squad answers an empty request with an empty packet and then a broken one: its size field says
# 10 but 21 bytes are on the wire, ending in this tail (SquadJS core/rcon.js probes for it).
SQUAD_FOLLOWUP_SIZE = 21
SQUAD_FOLLOWUP_TAIL = b"\x00\x00\x00\x01\x00\x00\x00\x00\x00"


class PacketFramer:
    """Accumulates received bytes and cuts them into packets.

    A bad size field raises ``RCONMessageError`` and poisons the framer: after a desync nothing
    later in the stream can be trusted, so the connection must be dropped.
    """

    __slots__ = ("_armed", "_buffer", "_error", "_offset", "malformed_skipped", "max_packet_size")

    def __init__(self, max_packet_size: int = DEFAULT_MAX_PACKET_SIZE) -> None:
        self._buffer = bytearray()
        self._offset = 0  # start of the first unparsed byte
        # Public: a connection that learns at login what server it talks to may change it.
        self.max_packet_size = max_packet_size
        self._armed = False
        self._error: RCONMessageError | None = None
        self.malformed_skipped = 0

    @property
    def buffered(self) -> int:
        """Bytes received but not yet part of a whole packet."""
        return len(self._buffer) - self._offset

    def expect_malformed_followup(self) -> None:
        """The next packet may be Squad's broken follow-up; swallow it if it is.

        Only armed right after an empty reply to our own probe: a size-10 packet is then held
        until enough bytes arrive to tell the broken packet from a real empty one. This is why
        packets are taken one at a time: the caller arms the framer between two of them.
        """
        self._armed = True

    def append(self, data: bytes) -> None:
        """Add received bytes; take packets out with :meth:`next_message`."""
        if self._offset:
            del self._buffer[: self._offset]
            self._offset = 0
        self._buffer += data

    def feed(self, data: bytes) -> list[RCONMessage]:
        """Add ``data`` and return every packet it completes, in order."""
        self.append(data)
        messages = []
        while (message := self.next_message()) is not None:
            messages.append(message)
        return messages

    def next_message(self) -> RCONMessage | None:
        """The next whole packet, or ``None`` until more bytes arrive."""
        raw = self.next_packet()
        return None if raw is None else RCONMessage(*raw)

    def next_packet(self) -> tuple[int, int, bytes] | None:
        """Like :meth:`next_message` as ``(id, type, body)``: the hot path builds no object."""
        if self._error is not None:
            raise self._error
        buffer = self._buffer
        while True:
            offset = self._offset
            try:
                size = check_size(buffer, offset, self.max_packet_size)
            except RCONMessageError as exc:
                self._error = exc
                raise
            if size is None:
                return None
            if self._armed:
                if size == 10:
                    probe = bytes(buffer[offset + HEADER_SIZE : offset + SQUAD_FOLLOWUP_SIZE])
                    if probe == SQUAD_FOLLOWUP_TAIL:
                        self._offset = offset + SQUAD_FOLLOWUP_SIZE
                        self._armed = False
                        self.malformed_skipped += 1
                        continue
                    if SQUAD_FOLLOWUP_TAIL.startswith(probe):
                        return None  # not decidable yet: wait for more bytes
                self._armed = False
            if len(buffer) - offset < 4 + size:
                return None
            self._offset = offset + 4 + size
            return packet_at(buffer, offset, size)
