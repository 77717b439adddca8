"""Asyncio transport for the sans-IO client: ``connect()``, ``execute()``, ``cvarlist()``.

``asyncio.Protocol`` rather than streams: received bytes go straight into the state machine and
each answer resolves a future, with no reader task in between (this path bounds commands/s).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import AsyncIterator, Callable, Generator

from bot.protocols.rcon.connection import (
    DEFAULT_MAX_RESPONSE_BYTES,
    AuthResult,
    BudgetExceeded,
    ClientConnection,
    Response,
    State,
)
from bot.protocols.rcon.convars import ConVar, parse_cvarlist
from bot.protocols.rcon.errors import (
    RCONAuthDroppedError,
    RCONAuthenticationError,
    RCONBudgetExceededError,
    RCONCommunicationError,
    RCONError,
    RCONMessageError,
    RCONTimeoutError,
)
from bot.protocols.rcon.executor import Executor
from bot.protocols.rcon.packets import RCONMessage
from bot.protocols.rcon.profiles import ServerProfile

log = logging.getLogger(__name__)

Address = tuple[str, int]
UnsolicitedHandler = Callable[[RCONMessage], None]
DEFAULT_TIMEOUT = 10.0


class _Protocol(asyncio.Protocol):
    def __init__(self, owner: RCONConnection) -> None:
        self._owner = owner

    def data_received(self, data: bytes) -> None:
        self._owner._on_data(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._owner._on_lost(exc)


class RCONConnection(Executor):
    """One TCP connection to an RCON server. Get one from :func:`connect`.

    Without ``profile``, a server that zeroes every id is recognised at login and answered
    in order (``profile`` names the result). ``max_response_bytes`` caps one answer: beyond
    it the command fails with :class:`RCONBudgetExceededError` and the connection closes.
    """

    def __init__(
        self,
        address: Address,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        profile: str | ServerProfile | None = None,
        encoding: str = "utf-8",
        on_unsolicited: UnsolicitedHandler | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        self.address = address
        self.timeout = timeout
        self.encoding = encoding
        self.on_unsolicited = on_unsolicited
        self._sm = ClientConnection.for_profile(profile, max_response_bytes)
        self._transport: asyncio.Transport | None = None
        self._loop = asyncio.get_running_loop()
        # request id -> (future, deadline in loop time, timeout given)
        self._waiters: dict[int, tuple[asyncio.Future[bytes], float, float]] = {}
        # One timer for all commands, moved only when a new deadline is earlier: a timer per
        # command cost about 5% of the sequential command rate (measured with bench_rcon).
        self._sweep: asyncio.TimerHandle | None = None
        self._sweep_at = 0.0
        self._flush_soon = False
        self._auth_waiter: asyncio.Future[bool] | None = None
        self._lost = self._loop.create_future()
        self._closed = False
        self.unsolicited_count = 0

    def __repr__(self) -> str:
        host, port = self.address[:2]
        return f"<RCONConnection {host}:{port} {self._sm.state.value} profile={self.profile.name}>"

    # -- state -----------------------------------------------------------------------------------

    @property
    def profile(self) -> ServerProfile:
        """How this server is spoken to (may change at login, see the class docstring)."""
        return self._sm.profile

    @property
    def max_response_bytes(self) -> int:
        return self._sm.max_response_bytes

    @property
    def connected(self) -> bool:
        """A TCP connection was made and is not known to be closed."""
        return self._transport is not None and not self._closed

    @property
    def authenticated(self) -> bool:
        return self.connected and self._sm.state is State.AUTHENTICATED

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def in_flight(self) -> int:
        """Commands sent whose answer has not arrived yet."""
        return self._sm.in_flight

    # -- opening ---------------------------------------------------------------------------------

    async def open(self) -> None:
        """Make the TCP connection (within ``timeout``)."""
        if self._transport is not None or self._closed:
            raise RCONError("connection already opened")
        host, port = self.address[:2]
        try:
            async with asyncio.timeout(self.timeout):
                transport, _ = await self._loop.create_connection(
                    lambda: _Protocol(self), host, port
                )
        except TimeoutError:
            self._closed = True
            raise RCONCommunicationError(f"connect to {host}:{port} timed out") from None
        except OSError as exc:
            self._closed = True
            reason = exc.strerror or type(exc).__name__
            raise RCONCommunicationError(f"cannot connect to {host}:{port}: {reason}") from exc
        # No isinstance check: uvloop's transports are look-alikes, not asyncio.Transport.
        self._transport = transport

    async def authenticate(
        self,
        password: str,
        *,
        timeout: float | None = None,  # expiry closes the connection
    ) -> None:
        """Send the password once. A refusal closes the connection and is never retried here."""
        if not self.connected:
            raise RCONError("not connected")
        if timeout is None:
            timeout = self.timeout
        waiter: asyncio.Future[bool] = self._loop.create_future()
        self._auth_waiter = waiter
        self._sm.start_auth(password)
        self._flush()
        handle = self._loop.call_later(timeout, self._expire_auth, waiter, timeout)
        try:
            ok = await waiter
        except BaseException:
            self.close()
            raise
        finally:
            handle.cancel()
            self._auth_waiter = None
        if not ok:
            self.close()
            raise RCONAuthenticationError()

    def _expire_auth(self, waiter: asyncio.Future[bool], timeout: float) -> None:
        if not waiter.done():
            waiter.set_exception(
                RCONTimeoutError(f"no answer to authentication within {timeout} s")
            )

    # -- commands --------------------------------------------------------------------------------

    # ``timeout`` is not asyncio.timeout(): expiry must also tell the state machine to drop the
    # late answer.
    async def _execute(
        self, command: str, *, block: bool, raw: bool, timeout: float | None
    ) -> str | bytes | None:
        """With ``block=False`` the answer is dropped when it arrives. ``RCONTimeoutError``
        leaves the connection usable: only that answer is lost."""
        if not self.authenticated:
            raise RCONError("not connected" if not self.connected else "not authenticated")
        request_id = self._sm.send_command(command, discard=not block)
        if self._sm.in_flight == 1:
            self._flush()  # alone on the wire: no reason to wait
        elif not self._flush_soon:
            # Others are in flight (pipelining): gather every command queued during this loop
            # iteration into one write instead of one send() per command.
            self._flush_soon = True
            self._loop.call_soon(self._flush)
        if not block:
            return None
        if timeout is None:
            timeout = self.timeout
        loop = self._loop
        waiter: asyncio.Future[bytes] = loop.create_future()
        deadline = loop.time() + timeout
        self._waiters[request_id] = (waiter, deadline, timeout)
        if self._sweep is None or deadline < self._sweep_at:
            self._schedule_sweep(deadline)
        try:
            body = await waiter
        except asyncio.CancelledError:
            self._give_up(request_id)
            raise
        return body if raw else body.decode(self.encoding, errors="replace")

    def _schedule_sweep(self, when: float) -> None:
        if self._sweep is not None:
            self._sweep.cancel()
        self._sweep_at = when
        self._sweep = self._loop.call_at(when, self._run_sweep)

    def _run_sweep(self) -> None:
        """Fail the commands past their deadline, then wait for the next deadline."""
        self._sweep = None
        now = self._loop.time() + 1e-3  # timers may fire a hair early (uvloop: ms ticks)
        next_at: float | None = None
        for request_id, (waiter, deadline, timeout) in list(self._waiters.items()):
            if deadline <= now:
                self._give_up(request_id)
                if not waiter.done():
                    waiter.set_exception(RCONTimeoutError(f"no complete answer within {timeout} s"))
            elif next_at is None or deadline < next_at:
                next_at = deadline
        if next_at is not None:
            self._schedule_sweep(next_at)

    def _give_up(self, request_id: int) -> None:
        self._waiters.pop(request_id, None)
        if self._sm.state is State.AUTHENTICATED:
            self._sm.abandon(request_id)
            self._flush()

    async def cvarlist(
        self,
        *,
        timeout: float | None = None,  # passed on to execute()
    ) -> AsyncIterator[ConVar]:
        """Yield every ConVar listed by the ``cvarlist`` command."""
        text = await self.execute("cvarlist", timeout=timeout)
        for convar in parse_cvarlist(text):
            yield convar

    # -- closing ---------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection and fail the commands in flight. Safe to call repeatedly."""
        if self._closed:
            return
        self._closed = True
        if self._transport is not None:
            self._transport.close()
        self._fail_all(RCONCommunicationError("connection closed"))

    async def wait_closed(self) -> None:
        """Wait until the socket is really gone."""
        if self._transport is not None:
            await asyncio.shield(self._lost)

    # -- protocol callbacks ------------------------------------------------------------------------

    def _flush(self) -> None:
        self._flush_soon = False
        data = self._sm.data_to_send()
        if data and self._transport is not None and not self._closed:
            self._transport.write(data)

    def _on_data(self, data: bytes) -> None:
        if self._closed:
            return
        try:
            events = self._sm.receive_data(data)
        except RCONMessageError as exc:
            log.warning("RCON %s:%s: %s; closing", self.address[0], self.address[1], exc)
            error = RCONCommunicationError("stream desynchronised")
            auth = self._auth_waiter
            if auth is not None and not auth.done():
                auth.set_exception(error)  # not a ban, whatever connection_lost concludes
            self._fail_all(error)
            self.close()
            return
        for event in events:
            if isinstance(event, Response):
                entry = self._waiters.pop(event.request_id, None)
                if entry is not None and not entry[0].done():
                    entry[0].set_result(event.body)
            elif isinstance(event, BudgetExceeded):
                log.warning(
                    "RCON %s:%s: an answer exceeded %d bytes; closing",
                    self.address[0],
                    self.address[1],
                    event.budget,
                )
                entry = self._waiters.pop(event.request_id, None)
                if entry is not None and not entry[0].done():
                    entry[0].set_exception(RCONBudgetExceededError(event.budget, event.request_id))
                self.close()
                return
            elif isinstance(event, AuthResult):
                if self._auth_waiter is not None and not self._auth_waiter.done():
                    self._auth_waiter.set_result(event.success)
            else:
                self.unsolicited_count += 1
                message = event.message
                if self.on_unsolicited is not None:
                    try:
                        self.on_unsolicited(message)
                    except Exception:
                        # A faulty listener must not break the stream for pending commands.
                        log.exception("RCON on_unsolicited handler failed")
                else:
                    log.debug("RCON unsolicited packet %r", message)
        self._flush()

    def _on_lost(self, exc: Exception | None) -> None:
        self._sm.connection_lost()
        auth = self._auth_waiter
        if auth is not None and not auth.done():
            # No answer to the AUTH packet: a restart or network drop as much as a ban (SRCDS
            # drops a banned IP) or Squad's wrong password. Retried with backoff by callers.
            auth.set_exception(RCONAuthDroppedError())
        self._closed = True
        self._fail_all(RCONCommunicationError("connection lost"))
        if not self._lost.done():
            self._lost.set_result(None)

    def _fail_all(self, error: RCONError) -> None:
        waiters, self._waiters = self._waiters, {}
        for waiter, _, _ in waiters.values():
            if not waiter.done():
                waiter.set_exception(error)
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep = None
        if self._sm.state is not State.CLOSED:
            self._sm.connection_lost()


class _Connect:
    """What :func:`connect` returns: ``async with`` it, or ``await`` it and close yourself."""

    __slots__ = ("_address", "_conn", "_make", "_password")

    def __init__(self, address: Address, password: str, make: Callable[[], RCONConnection]) -> None:
        self._address = address
        self._password = password
        self._make = make  # called in _open: a connection needs the running loop
        self._conn: RCONConnection | None = None

    def __repr__(self) -> str:
        return f"<rcon.connect {self._address[0]}:{self._address[1]}>"

    async def _open(self) -> RCONConnection:
        conn = self._make()
        await conn.open()
        try:
            await conn.authenticate(self._password)
        except BaseException:
            conn.close()
            raise
        return conn

    def __await__(self) -> Generator[object, None, RCONConnection]:
        return self._open().__await__()

    async def __aenter__(self) -> RCONConnection:
        self._conn = await self._open()
        return self._conn

    async def __aexit__(self, *exc_info: object) -> None:
        if self._conn is not None:
            self._conn.close()
            await self._conn.wait_closed()


def connect(
    address: Address,
    password: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    profile: str | ServerProfile | None = None,
    encoding: str = "utf-8",
    on_unsolicited: UnsolicitedHandler | None = None,
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
) -> _Connect:
    """Connect and authenticate: ``async with connect((host, port), password) as conn: ...``.

    ``profile=None`` (the default) recognises servers that zero every id at login; a named
    profile is used as it is. ``max_response_bytes`` caps each answer (4 MiB by default).
    """
    make = functools.partial(
        RCONConnection,
        address,
        timeout=timeout,
        profile=profile,
        encoding=encoding,
        on_unsolicited=on_unsolicited,
        max_response_bytes=max_response_bytes,
    )
    return _Connect(address, password, make)


async def aexecute(
    address: Address,
    password: str,
    command: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,  # per step, as in connect()
    profile: str | ServerProfile | None = None,
) -> str:
    """One-shot: connect, authenticate, run ``command``, close; returns the answer text."""
    async with connect(address, password, timeout=timeout, profile=profile) as conn:
        return await conn.execute(command)
