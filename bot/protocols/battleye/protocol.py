"""Sans-IO BattlEye RCON client: bytes and a clock in, events and bytes out.

No sockets, no asyncio, no wall clock: every method takes ``now`` (any monotonic seconds), so
retransmission, keep-alive and liveness are unit-tested by passing numbers. The transport calls
:meth:`ClientProtocol.receive_datagram` for each datagram, :meth:`ClientProtocol.poll` when
:meth:`ClientProtocol.next_deadline` passes, and sends what :meth:`ClientProtocol.data_to_send`
returns.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field

from . import packets
from .dedupe import Delivery, MessageSequencer
from .errors import NotConnected, PacketError, RCONCommandError
from .multipart import MultipartAssembler, PartResult

# BattlEye forgets a client that sent no command for this long (BERConProtocol v2).
BATTLEYE_COMMAND_TIMEOUT = 45.0
SEQ_SPACE = 256


class ClientState(enum.Enum):
    IDLE = "idle"
    LOGGING_IN = "logging in"
    LOGGED_IN = "logged in"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class ProtocolConfig:
    """Timing of the client; seconds. Defaults follow BattlEye's limits with a margin."""

    command_attempts: int = 3
    command_interval: float = 1.0
    # Well inside BattlEye's 45 s, and often enough that a restarted server (which ignores the
    # old session) is noticed within keepalive_interval + attempts * interval.
    keepalive_interval: float = 12.0
    liveness_timeout: float = 45.0
    message_hold: float = 10.5

    def __post_init__(self) -> None:
        if self.command_attempts < 1:
            raise ValueError("command_attempts must be at least 1")
        if self.command_interval <= 0:
            raise ValueError("command_interval must be positive")
        if not 0 < self.keepalive_interval < BATTLEYE_COMMAND_TIMEOUT:
            raise ValueError("keepalive_interval must be positive and below BattlEye's 45 s")
        if self.liveness_timeout <= self.keepalive_interval:
            raise ValueError("liveness_timeout must exceed keepalive_interval")
        if self.message_hold < 0:
            raise ValueError("message_hold must not be negative")


# --- events -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoginAccepted:
    pass


@dataclass(frozen=True, slots=True)
class LoginRejected:
    pass


@dataclass(frozen=True, slots=True)
class CommandAnswered:
    sequence: int
    text: str
    keepalive: bool = False


@dataclass(frozen=True, slots=True)
class CommandFailed:
    """Every attempt went unanswered; the sequence number is abandoned."""

    sequence: int
    keepalive: bool = False


@dataclass(frozen=True, slots=True)
class MessageReceived:
    sequence: int
    text: str
    late: bool = False


@dataclass(frozen=True, slots=True)
class ConnectionTimedOut:
    """The session is gone: silent for ``liveness_timeout``, or a keep-alive (sent when idle,
    and as a probe when a command goes unanswered) got no answer through all its attempts
    with nothing at all received since."""

    silent_for: float


ProtocolEvent = (
    LoginAccepted
    | LoginRejected
    | CommandAnswered
    | CommandFailed
    | MessageReceived
    | ConnectionTimedOut
)


@dataclass(slots=True)
class ProtocolStats:
    dropped: Counter[str] = field(default_factory=Counter)
    acks_sent: int = 0
    messages_delivered: int = 0
    duplicate_messages: int = 0
    retransmits: int = 0
    commands_failed: int = 0
    keepalives_sent: int = 0


@dataclass(slots=True)
class _Pending:
    packet: bytes
    next_at: float
    keepalive: bool
    sent_at: float = 0.0
    attempts: int = 1
    parts: MultipartAssembler = field(default_factory=MultipartAssembler)


def decode_text(payload: bytes) -> str:
    # BattlEye says ASCII but servers send UTF-8 and sometimes worse; never lose a message.
    return payload.decode("utf-8", errors="replace")


class ClientProtocol:
    def __init__(self, config: ProtocolConfig | None = None) -> None:
        self.config = config or ProtocolConfig()
        self.stats = ProtocolStats()
        self.state = ClientState.IDLE
        self._sequencer = MessageSequencer(hold=self.config.message_hold)
        self._outgoing: list[bytes] = []
        self._early: list[ProtocolEvent] = []
        self._pending: dict[int, _Pending] = {}
        self._quarantine: dict[int, float] = {}
        self._next_seq = 0
        self._last_received = 0.0
        self._last_command = 0.0

    # --- lifecycle ----------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to IDLE: a new login starts new sequence spaces on both sides."""
        self.state = ClientState.IDLE
        self._sequencer.reset()
        self._outgoing.clear()
        self._early.clear()
        self._pending.clear()
        self._quarantine.clear()
        self._next_seq = 0

    def login(self, password: bytes, now: float) -> None:
        self.reset()
        self.state = ClientState.LOGGING_IN
        self._last_received = now
        self._last_command = now
        self._outgoing.append(packets.encode_login(password))

    def data_to_send(self) -> list[bytes]:
        out, self._outgoing = self._outgoing, []
        return out

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    # --- commands -----------------------------------------------------------------------------

    def send_command(self, command: bytes, now: float, *, keepalive: bool = False) -> int:
        """Queue a command; returns its sequence number (the key of its answer)."""
        if self.state is not ClientState.LOGGED_IN:
            raise NotConnected("not logged in")
        seq = self._allocate(now)
        packet = packets.encode_command(seq, command)
        self._pending[seq] = _Pending(
            packet, now + self.config.command_interval, keepalive, sent_at=now
        )
        self._outgoing.append(packet)
        self._last_command = now
        if keepalive:
            self.stats.keepalives_sent += 1
        return seq

    def cancel_command(self, sequence: int, now: float) -> None:
        """Abandon a command: a late answer to it is dropped, never given to a newer one."""
        if self._pending.pop(sequence, None) is not None:
            self._quarantine[sequence] = now + self.config.command_interval

    def _allocate(self, now: float) -> int:
        for offset in range(SEQ_SPACE):
            seq = (self._next_seq + offset) % SEQ_SPACE
            if seq in self._pending:
                continue
            until = self._quarantine.get(seq)
            if until is not None:
                if until > now:
                    continue
                del self._quarantine[seq]
            self._next_seq = (seq + 1) % SEQ_SPACE
            return seq
        raise RCONCommandError("all 256 sequence numbers are in use")

    # --- input --------------------------------------------------------------------------------

    def receive_datagram(self, data: bytes, now: float) -> list[ProtocolEvent]:
        try:
            packet = packets.decode_server_packet(data)
        except PacketError as exc:
            self.stats.dropped[exc.reason] += 1
            return []
        self._last_received = now
        if isinstance(packet, packets.LoginResponse):
            return self._on_login(packet)
        if isinstance(packet, packets.ServerMessage):
            return self._on_message(packet, now)
        return self._on_answer(packet, now)

    def _on_login(self, packet: packets.LoginResponse) -> list[ProtocolEvent]:
        if self.state is not ClientState.LOGGING_IN:
            self.stats.dropped["unexpected login"] += 1
            return []
        if packet.success:
            self.state = ClientState.LOGGED_IN
            early, self._early = self._early, []
            return [LoginAccepted(), *early]
        self.state = ClientState.REFUSED
        return [LoginRejected()]

    def _on_message(self, packet: packets.ServerMessage, now: float) -> list[ProtocolEvent]:
        # Acknowledge every copy at once, even a duplicate: the ack of the first may be lost.
        self._outgoing.append(packets.encode_ack(packet.sequence))
        self.stats.acks_sent += 1
        if self.state not in (ClientState.LOGGED_IN, ClientState.LOGGING_IN):
            self.stats.dropped["message while logged out"] += 1
            return []
        before = self._sequencer.stats.duplicates
        deliveries = self._sequencer.receive(packet.sequence, packet.payload, now)
        self.stats.duplicate_messages += self._sequencer.stats.duplicates - before
        events = self._delivered(deliveries)
        if self.state is ClientState.LOGGING_IN:
            # The server only messages clients it accepted: our login answer is late or lost.
            # Keep the message (already acknowledged) and release it right after the login.
            self._early.extend(events)
            return []
        return events

    def _delivered(self, deliveries: list[Delivery]) -> list[ProtocolEvent]:
        out: list[ProtocolEvent] = [
            MessageReceived(d.sequence, decode_text(d.payload), d.late) for d in deliveries
        ]
        self.stats.messages_delivered += len(out)
        return out

    def _on_answer(self, packet: packets.CommandResponse, now: float) -> list[ProtocolEvent]:
        pending = self._pending.get(packet.sequence)
        if pending is None:
            self.stats.dropped["unexpected answer"] += 1
            return []
        result = pending.parts.add(packet.total, packet.index, packet.payload)
        if result is PartResult.INCONSISTENT:
            self.stats.dropped["inconsistent part"] += 1
            return []
        if result is PartResult.DUPLICATE:
            self.stats.dropped["duplicate part"] += 1
            return []
        if result is PartResult.INCOMPLETE:
            return []
        del self._pending[packet.sequence]
        if pending.attempts > 1:
            # Copies of the re-sent command may still be answered: keep the number out of use.
            self._quarantine[packet.sequence] = now + self.config.command_interval
        text = decode_text(pending.parts.assemble())
        return [CommandAnswered(packet.sequence, text, pending.keepalive)]

    # --- time ---------------------------------------------------------------------------------

    def next_deadline(self) -> float | None:
        if self.state is not ClientState.LOGGED_IN:
            return None
        # Called after every datagram: a running minimum, no temporary list.
        config = self.config
        soonest = min(
            self._last_command + config.keepalive_interval,
            self._last_received + config.liveness_timeout,
        )
        for pending in self._pending.values():
            if pending.next_at < soonest:
                soonest = pending.next_at
        hold = self._sequencer.next_deadline()
        if hold is not None and hold < soonest:
            soonest = hold
        return soonest

    def poll(self, now: float) -> list[ProtocolEvent]:
        if self.state is not ClientState.LOGGED_IN:
            return []
        silent = now - self._last_received
        if silent >= self.config.liveness_timeout:
            self.reset()
            return [ConnectionTimedOut(silent)]
        events: list[ProtocolEvent] = []
        for seq, pending in list(self._pending.items()):
            if pending.next_at > now:
                continue
            if pending.attempts >= self.config.command_attempts:
                del self._pending[seq]
                self._quarantine[seq] = now + self.config.command_interval
                self.stats.commands_failed += 1
                events.append(CommandFailed(seq, pending.keepalive))
                if pending.keepalive and self._last_received < pending.sent_at:
                    # Not a lost datagram: the server said nothing at all since we asked (it
                    # restarted and forgot us, or went away). End the session now instead of
                    # waiting out the liveness timeout.
                    self.reset()
                    events.append(ConnectionTimedOut(silent))
                    return events
                continue
            if (
                not pending.keepalive
                and pending.attempts == 1
                and self._last_received < pending.sent_at
                and not any(p.keepalive for p in self._pending.values())
            ):
                # A command without answer from a silent server: probe the session with a
                # keep-alive under its own number (some servers never answer a re-sent number,
                # so the command alone cannot tell a lost datagram from a forgotten session).
                self.send_command(b"", now, keepalive=True)
            # Same bytes, same sequence number: the server must not run it twice.
            pending.attempts += 1
            pending.next_at = now + self.config.command_interval
            self._outgoing.append(pending.packet)
            self._last_command = now
            self.stats.retransmits += 1
        events.extend(self._delivered(self._sequencer.poll(now)))
        if now - self._last_command >= self.config.keepalive_interval:
            self.send_command(b"", now, keepalive=True)
        return events
