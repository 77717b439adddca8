"""Sans-IO 7 Days to Die telnet session: bytes and a clock in, events and bytes out.

No sockets, no asyncio, no wall clock: methods take ``now`` (any monotonic seconds). The
transport feeds :meth:`Session.receive_data`, calls :meth:`Session.poll` when
:meth:`Session.next_deadline` passes, and writes what :meth:`Session.send_password` and
:meth:`Session.send_command` return.

Login (protocol notes II, section 8)::

    S: Please enter password:            (with or without \\r\\n)
    C: <password>
    S: Logon successful.                 or: Password incorrect, please enter password:
    S: ...banner...
    S: Press 'help' to get a list of all commands. Press 'exit' to end session.

Where an answer ends. The console has no end marker, the ``Executing command '...' by Telnet
from ...`` echo can be turned off (``HideCommandExecutionLog``), and the live log interleaves
with the output. What tells them apart is the form: log lines start with a timestamp, output
lines do not. So an answer is the untimestamped lines after the command was sent, ended by

1. a known trailer at once: ``Total of N in the game`` (``lp``), ``Total of N keystones in the
   game`` (``llp2``), N any number of digits;
2. otherwise quiet: no output line for ``settle`` seconds after the last one (or after the
   echo); before any sign of the command, ``first_output_wait`` after sending;
3. or the connection's end, once output has begun.

Log lines never end or join an answer (they may arrive between two output lines). The echo
comes before the output (both are queued by the main thread that runs the command), so once
one of our commands was echoed the server is known to echo: output before our next command's
echo is a previous command's late output, not this answer. The untimestamped lines of a stack
trace after an ``ERR`` or ``EXC`` log line (indented, inferred from Mono's format) are not
output either. An abandoned command (timeout) leaves the session draining: its late output is
discarded until quiet, so it cannot become the next command's answer.

Limits: a command that runs longer than ``settle`` between two output lines (or between its
echo and its output) gets an answer cut short; its rest is stray output, kept out of the next
answer when the server echoes, not always when it does not (raise ``settle`` there). Output
that itself looks like a log line cannot be told apart; no 7DTD command is known to print one.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Literal

from .commands import MAX_COMMAND_BYTES, encode_command, encode_password
from .errors import NotSdtd, SdtdInvalidState
from .lines import MAX_LINE_BYTES, LineSplitter, LogLine, parse_log_line

PROMPT = "please enter password:"
REFUSED = "password incorrect, please enter password:"
ACCEPTED = "logon successful."
BANNER_END = "press 'help' to get a list of all commands."
TRAILERS = re.compile(r"Total of \d{1,9} (?:keystones )?in the game", re.ASCII)
ECHO = re.compile(r"Executing command '(?P<command>.*)' by (?P<source>.*)", re.DOTALL)
# Greetings of the services found on the wrong port: fail at once instead of at the timeout.
FOREIGN_GREETINGS = ("SSH-", "HTTP/", "220 ", "220-", "+OK", "* OK", "RFB ", "<")
ERROR_LEVELS = frozenset({"ERR", "EXC"})


class SessionState(enum.Enum):
    AWAITING_PROMPT = "awaiting password prompt"
    PROMPTED = "prompted"
    PASSWORD_SENT = "password sent"
    BANNER = "banner"
    READY = "logged in"
    REFUSED = "refused"
    CLOSED = "closed"


S = SessionState
# The state machine: where each state may go. Anything else is a bug, raised as such.
_TRANSITIONS: dict[SessionState, frozenset[SessionState]] = {
    # READY straight from AWAITING_PROMPT: with no TelnetPassword the server (loopback only)
    # asks nothing and shows the banner (inferred from serverconfig.xml).
    S.AWAITING_PROMPT: frozenset({S.PROMPTED, S.READY, S.CLOSED}),
    S.PROMPTED: frozenset({S.PASSWORD_SENT, S.CLOSED}),
    S.PASSWORD_SENT: frozenset({S.BANNER, S.REFUSED, S.CLOSED}),
    S.BANNER: frozenset({S.READY, S.CLOSED}),
    S.READY: frozenset({S.CLOSED}),
    S.REFUSED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """Timing and bounds; seconds and bytes. Tests shrink the times to hundredths."""

    first_output_wait: float = 2.0
    settle: float = 0.5
    # Quiet after "Logon successful." that counts as the end of the banner when the
    # "Press 'help'" line never comes (a modded or future server).
    banner_wait: float = 1.0
    max_line_bytes: int = MAX_LINE_BYTES
    max_answer_bytes: int = 1024 * 1024
    max_answer_lines: int = 20_000
    # Lines tolerated before the prompt / the login answer before giving up on the peer.
    max_login_lines: int = 32
    max_command_bytes: int = MAX_COMMAND_BYTES

    def __post_init__(self) -> None:
        if min(self.first_output_wait, self.settle, self.banner_wait) <= 0:
            raise ValueError("first_output_wait, settle and banner_wait must be positive")
        if self.first_output_wait < self.settle:
            raise ValueError("first_output_wait must be at least settle")
        if min(self.max_answer_bytes, self.max_answer_lines, self.max_login_lines) < 1:
            raise ValueError("bounds must be positive")


@dataclass(frozen=True, slots=True)
class Answer:
    """A command's output lines. ``ended_by`` says how its end was found (see the module)."""

    command: str
    lines: tuple[str, ...]
    ended_by: Literal["trailer", "quiet", "closed"]
    echoed: bool

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


# --- events ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PasswordRequested:
    pass


@dataclass(frozen=True, slots=True)
class LoginAccepted:
    pass


@dataclass(frozen=True, slots=True)
class LoginRefused:
    pass


@dataclass(frozen=True, slots=True)
class Ready:
    """The banner is over: commands may be sent."""


@dataclass(frozen=True, slots=True)
class LogReceived:
    """A log line; ``own_echo`` when it is the echo of the command being answered."""

    line: LogLine
    own_echo: bool = False


@dataclass(frozen=True, slots=True)
class CommandAnswered:
    answer: Answer


@dataclass(frozen=True, slots=True)
class OtherLine:
    """An untimestamped line outside any answer: banner, stack trace, stray output."""

    text: str


SessionEvent = (
    PasswordRequested
    | LoginAccepted
    | LoginRefused
    | Ready
    | LogReceived
    | CommandAnswered
    | OtherLine
)


@dataclass(slots=True)
class SessionStats:
    lines: int = 0
    log_lines: int = 0
    other_lines: int = 0
    drained_lines: int = 0
    answers_by_trailer: int = 0
    answers_by_quiet: int = 0


@dataclass(slots=True)
class _Pending:
    command: str
    sent_at: float
    deadline: float
    lines: list[str]
    size: int = 0
    echoed: bool = False
    seen: bool = False  # the echo or an output line came: the command is being answered


class Session:
    def __init__(self, config: SessionConfig | None = None) -> None:
        self.config = config or SessionConfig()
        self.stats = SessionStats()
        self._state = S.AWAITING_PROMPT
        self._splitter = LineSplitter(self.config.max_line_bytes)
        self._login_lines = 0
        self._banner_deadline = 0.0
        self._pending: _Pending | None = None
        self._drain_until: float | None = None
        self._drained_bytes = 0
        self._after_error = False
        self._echoes = False  # our commands are echoed (HideCommandExecutionLog is off)

    def __repr__(self) -> str:
        return f"<Session {self._state.value}>"

    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def ready_for_command(self) -> bool:
        return self._state is S.READY and self._pending is None and self._drain_until is None

    def _move(self, to: SessionState) -> None:
        if to not in _TRANSITIONS[self._state]:
            raise SdtdInvalidState(f"cannot go from {self._state.value} to {to.value}")
        self._state = to

    # --- output -----------------------------------------------------------------------------

    def send_password(self, password: str) -> bytes:
        """The password line, once the prompt came (:class:`PasswordRequested`)."""
        if self._state is not S.PROMPTED:
            raise SdtdInvalidState(f"no password prompt to answer ({self._state.value})")
        data = encode_password(password)
        self._move(S.PASSWORD_SENT)
        self._login_lines = 0
        return data

    def send_command(self, command: str, now: float) -> bytes:
        """The command line to write; its answer comes as :class:`CommandAnswered`."""
        data = encode_command(command, self.config.max_command_bytes)
        if self._state is not S.READY:
            raise SdtdInvalidState(f"cannot send a command: {self._state.value}")
        if self._pending is not None or self._drain_until is not None:
            raise SdtdInvalidState("a command is still being answered")
        deadline = now + self.config.first_output_wait
        self._pending = _Pending(command, now, deadline, [])
        self._drained_bytes = 0
        return data

    def abandon(self, now: float) -> None:
        """Give up the pending command (timed out or cancelled); drain its late output."""
        pending, self._pending = self._pending, None
        if pending is None or self._state is not S.READY:
            return
        until = now + self.config.settle
        if not pending.seen:
            until = max(until, pending.sent_at + self.config.first_output_wait)
        self._drain_until = until
        self._drained_bytes = 0

    def connection_lost(self) -> list[SessionEvent]:
        """The connection is gone. An answer whose output had begun is complete (the server
        may close right after a command's output, ``shutdown``); one with no output yet is
        lost, since whether the command ran cannot be told."""
        events: list[SessionEvent] = []
        if self._state is S.READY and self._pending is not None and self._pending.lines:
            events.append(self._complete("closed"))
        self.close()
        return events

    def close(self) -> None:
        """The session cannot be used again."""
        self._state = S.CLOSED
        self._pending = None
        self._drain_until = None

    # --- input ------------------------------------------------------------------------------

    def receive_data(self, data: bytes, now: float) -> list[SessionEvent]:
        """Events for ``data``; :class:`NotSdtd` (and the session closed) when the peer breaks
        the protocol or its bounds."""
        if self._state is S.CLOSED:
            return []
        events: list[SessionEvent] = []
        try:
            for line in self._splitter.feed(data):
                self.stats.lines += 1
                self._on_line(line, now, events)
            if self._state in (S.AWAITING_PROMPT, S.PASSWORD_SENT) and self._splitter.buffered:
                self._on_partial(events)
        except NotSdtd:
            self.close()
            raise
        pending = self._pending
        if pending is not None and self._splitter.buffered and pending.seen:
            # Part of a line is here: wait for the rest rather than ending the answer under it.
            pending.deadline = max(pending.deadline, now + self.config.settle)
        return events

    def _on_line(self, line: str, now: float, events: list[SessionEvent]) -> None:
        state = self._state
        if state is S.READY:
            self._on_ready_line(line, now, events)
        elif state is S.BANNER:
            if line.strip().lower().startswith(BANNER_END):
                self._move(S.READY)
                events.append(Ready())
                return
            self._banner_deadline = now + self.config.banner_wait
            self._other(line, events)
        elif state is not S.REFUSED:
            self._on_login_line(line.strip(), now, events)

    def _on_login_line(self, text: str, now: float, events: list[SessionEvent]) -> None:
        if not text:
            return
        lowered = text.lower()
        state = self._state
        if state is S.AWAITING_PROMPT:
            if lowered == PROMPT:
                self._move(S.PROMPTED)
                events.append(PasswordRequested())
                return
            if lowered.startswith(BANNER_END):
                self._move(S.READY)
                events.extend((LoginAccepted(), Ready()))
                return
            if text.startswith(FOREIGN_GREETINGS):
                raise NotSdtd("the peer greets like another protocol, not the 7DTD console")
        elif state is S.PASSWORD_SENT:
            if lowered == ACCEPTED:
                self._move(S.BANNER)
                self._banner_deadline = now + self.config.banner_wait
                events.append(LoginAccepted())
                return
            if lowered in (REFUSED, PROMPT):
                self._move(S.REFUSED)
                events.append(LoginRefused())
                return
        self._login_lines += 1
        if self._login_lines > self.config.max_login_lines:
            raise NotSdtd(f"{self._login_lines} lines without a 7DTD login ({state.value})")
        events.append(OtherLine(text))

    def _on_partial(self, events: list[SessionEvent]) -> None:
        # The prompt may come without a line end; recognise it unfinished.
        text = self._splitter.partial().strip().lower()
        if self._state is S.AWAITING_PROMPT and text == PROMPT:
            self._splitter.discard_partial()
            self._move(S.PROMPTED)
            events.append(PasswordRequested())
        elif self._state is S.PASSWORD_SENT and text in (REFUSED, PROMPT):
            self._splitter.discard_partial()
            self._move(S.REFUSED)
            events.append(LoginRefused())

    def _on_ready_line(self, line: str, now: float, events: list[SessionEvent]) -> None:
        log = parse_log_line(line)
        pending = self._pending
        if log is not None:
            self.stats.log_lines += 1
            self._after_error = log.level in ERROR_LEVELS
            own = False
            if pending is not None and not pending.echoed:
                echo = ECHO.fullmatch(log.message)
                own = echo is not None and echo["command"].strip() == pending.command.strip()
                if own:
                    pending.echoed = pending.seen = self._echoes = True
                    pending.deadline = now + self.config.settle
            events.append(LogReceived(log, own))
            return
        if self._after_error and line[:1].isspace():
            self._other(line, events)  # a stack trace line of the log entry before
            return
        self._after_error = False
        if self._drain_until is not None:
            self._drain(line, now)
            return
        if pending is None:
            self._other(line, events)
            return
        if self._echoes and not pending.echoed:
            self._drain_line(line)  # late output of the command before ours
            return
        pending.size += len(line) + 1
        if pending.size > self.config.max_answer_bytes:
            raise NotSdtd(f"an answer of over {self.config.max_answer_bytes} bytes")
        pending.lines.append(line)
        if len(pending.lines) > self.config.max_answer_lines:
            raise NotSdtd(f"an answer of over {self.config.max_answer_lines} lines")
        pending.seen = True
        pending.deadline = now + self.config.settle
        if TRAILERS.fullmatch(line.strip()):
            events.append(self._complete("trailer"))

    def _drain(self, line: str, now: float) -> None:
        self._drain_line(line)
        assert self._drain_until is not None
        self._drain_until = max(self._drain_until, now + self.config.settle)

    def _drain_line(self, line: str) -> None:
        self.stats.drained_lines += 1
        self._drained_bytes += len(line) + 1
        if self._drained_bytes > self.config.max_answer_bytes:
            raise NotSdtd(f"output of over {self.config.max_answer_bytes} bytes never ended")

    def _other(self, line: str, events: list[SessionEvent]) -> None:
        self.stats.other_lines += 1
        events.append(OtherLine(line))

    def _complete(self, ended_by: Literal["trailer", "quiet", "closed"]) -> CommandAnswered:
        pending = self._pending
        assert pending is not None
        self._pending = None
        if ended_by == "trailer":
            self.stats.answers_by_trailer += 1
        else:
            self.stats.answers_by_quiet += 1
        answer = Answer(pending.command, tuple(pending.lines), ended_by, pending.echoed)
        return CommandAnswered(answer)

    # --- time -------------------------------------------------------------------------------

    def next_deadline(self) -> float | None:
        """When :meth:`poll` has something to do, if ever."""
        if self._state is S.BANNER:
            return self._banner_deadline
        if self._state is not S.READY:
            return None
        if self._pending is not None:
            return self._pending.deadline
        return self._drain_until

    def poll(self, now: float) -> list[SessionEvent]:
        """Events that time makes: the banner over, an answer complete, a drain done."""
        if self._state is S.BANNER and now >= self._banner_deadline:
            self._move(S.READY)
            return [Ready()]
        if self._state is not S.READY:
            return []
        pending = self._pending
        if pending is not None and now >= pending.deadline:
            if self._splitter.buffered:
                # Quiet with an unfinished line: a line end never came, take it as the last.
                tail = self._splitter.partial()
                self._splitter.discard_partial()
                if parse_log_line(tail) is None:
                    pending.lines.append(tail)
            return [self._complete("quiet")]
        if self._drain_until is not None and now >= self._drain_until:
            self._drain_until = None
            if self._splitter.buffered:
                self._splitter.discard_partial()
        return []
