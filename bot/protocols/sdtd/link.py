"""One TCP connection of the client and its sans-IO session: bytes in, events out, timers.

Private to :mod:`.client`, which owns the connections and turns their log lines into events.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from dataclasses import dataclass, field
from typing import Protocol

from .errors import NotSdtd, SdtdAuthError, SdtdClosed, SdtdError, SdtdTimeout
from .lines import LogLine
from .session import (
    Answer,
    CommandAnswered,
    LoginRefused,
    LogReceived,
    PasswordRequested,
    Ready,
    Session,
    SessionConfig,
    SessionEvent,
    SessionState,
)


class Owner(Protocol):
    """What a link needs of the client that owns it."""

    session_config: SessionConfig
    max_events: int

    def _on_log(self, line: LogLine, own_echo: bool = False) -> None: ...
    def _on_lost(self, link: Link, reason: str) -> None: ...
    def _notify(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Secret:
    """The password on its way to the socket: hidden from reprs and traceback locals."""

    value: str = field(repr=False)


# A host that vanishes without a FIN would leave the connection open forever (the console
# sends nothing when the log is quiet): TCP keep-alive notices it within about a minute.
KEEPALIVE_IDLE = 30
KEEPALIVE_INTERVAL = 10
KEEPALIVE_COUNT = 3


def _keepalive(transport: asyncio.Transport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is None:
        return
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        for name, value in (
            ("TCP_KEEPIDLE", KEEPALIVE_IDLE),
            ("TCP_KEEPINTVL", KEEPALIVE_INTERVAL),
            ("TCP_KEEPCNT", KEEPALIVE_COUNT),
        ):
            if hasattr(socket, name):  # Linux; other systems keep their defaults
                sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)


class LinkProtocol(asyncio.Protocol):
    def __init__(self, link: Link) -> None:
        self._link = link

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        _keepalive(transport)
        self._link.transport = transport

    def data_received(self, data: bytes) -> None:
        self._link.on_data(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._link.on_lost(exc)


class Link:
    """One TCP connection and its session."""

    def __init__(self, client: Owner, password: Secret) -> None:
        self._client = client
        self._password = password
        self._loop = asyncio.get_running_loop()
        self.session = Session(client.session_config)
        self.transport: asyncio.Transport | None = None
        self.login: asyncio.Future[None] = self._loop.create_future()
        self.lost: asyncio.Future[str] = self._loop.create_future()
        self.received_any = False
        self.live = False  # installed as the client's connection: log events flow
        self._early: list[LogLine] = []
        self._answer: asyncio.Future[Answer] | None = None
        self._error: SdtdError | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0

    # --- input ------------------------------------------------------------------------------

    def on_data(self, data: bytes) -> None:
        self.received_any = True
        try:
            events = self.session.receive_data(data, self._loop.time())
        except NotSdtd as exc:
            self.fail(exc)
            return
        self._handle(events)

    def on_lost(self, exc: Exception | None) -> None:
        self._cancel_timer()
        self._handle(self.session.connection_lost(), arm=False)
        error = self._error or SdtdClosed("the server closed the connection")
        self._resolve(error)
        if not self.lost.done():
            self.lost.set_result(str(error))
        self._client._on_lost(self, str(error))

    def _on_timer(self) -> None:
        self._timer = None
        self._handle(self.session.poll(self._loop.time()))

    def _handle(self, events: list[SessionEvent], *, arm: bool = True) -> None:
        for event in events:
            if isinstance(event, LogReceived):
                if self.live:
                    self._client._on_log(event.line, event.own_echo)
                elif len(self._early) < self._client.max_events:
                    self._early.append(event.line)
            elif isinstance(event, CommandAnswered):
                if self._answer is not None and not self._answer.done():
                    self._answer.set_result(event.answer)
            elif isinstance(event, PasswordRequested):
                if not self._password.value:
                    self.fail(SdtdAuthError("the server asks for a password and none is set"))
                    return
                self._write(self.session.send_password(self._password.value))
            elif isinstance(event, LoginRefused):
                self.fail(SdtdAuthError("the server refused the password"))
                return
            elif isinstance(event, Ready) and not self.login.done():
                self.login.set_result(None)
        if arm:
            self._arm()
        self._client._notify()

    # --- output -----------------------------------------------------------------------------

    def _write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    async def run(self, command: str) -> Answer:
        if self._error is not None:
            raise self._error
        data = self.session.send_command(command, self._loop.time())
        answer: asyncio.Future[Answer] = self._loop.create_future()
        self._answer = answer
        self._write(data)
        self._arm()
        try:
            return await answer
        finally:
            self._answer = None
            # Timed out or cancelled (awaiting a future cancels it): drain its late output.
            if answer.cancelled() or not answer.done():
                self.session.abandon(self._loop.time())
                self._arm()
            self._client._notify()

    def go_live(self) -> None:
        self.live = True
        early, self._early = self._early, []
        for line in early:
            self._client._on_log(line)

    # --- ending -----------------------------------------------------------------------------

    def fail(self, error: SdtdError) -> None:
        """End the connection because of ``error`` (given to whoever waits on it)."""
        if self._error is None:
            self._error = error
        self._resolve(error)
        self.close()

    def _resolve(self, error: SdtdError) -> None:
        if not self.login.done():
            self.login.set_exception(error)
            self.login.exception()  # retrieved: nobody may be waiting any more
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(error)

    def close(self) -> None:
        self._cancel_timer()
        if self.transport is not None:
            self.transport.close()
        elif not self.lost.done():
            self.lost.set_result("closed")

    def timeout_error(self, timeout: float) -> SdtdError:
        """What a login that ran out of time means, by how far it got."""
        state = self.session.state
        if self.transport is None:
            return SdtdTimeout(f"no TCP connection within {timeout:g}s")
        if state is SessionState.AWAITING_PROMPT:
            said = "sent no password prompt" if self.received_any else "sent nothing"
            return NotSdtd(f"the server {said} within {timeout:g}s (not a 7DTD telnet port?)")
        return SdtdTimeout(f"no login answer within {timeout:g}s ({state.value})")

    # --- time -------------------------------------------------------------------------------

    def _arm(self) -> None:
        deadline = self.session.next_deadline()
        if deadline is None:
            self._cancel_timer()
            return
        if self._timer is not None:
            if self._timer_at == deadline:
                return
            self._timer.cancel()
        self._timer_at = deadline
        self._timer = self._loop.call_at(deadline, self._on_timer)

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
