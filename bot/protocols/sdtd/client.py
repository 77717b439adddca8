"""asyncio client of the 7 Days to Die telnet console (:class:`SdtdTelnetClient`).

All protocol decisions live in :mod:`.session`; this module moves bytes and time: one TCP
connection at a time, commands one after the other, log lines turned into events in a bounded
queue, and (by default) a reconnect with backoff after the server restarts. A refused password
is never sent again on its own.

::

    async with SdtdTelnetClient("127.0.0.1", 8081, password, timeout=10) as client:
        print(await client.command("version"))
        players = await client.players()
        async for event in client.events():
            ...
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable

from ..backoff import Backoff, BackoffPolicy, Clock, Sleep
from ..event_queue import Connected, Disconnected, EventQueue
from .commands import encode_command, encode_password
from .errors import SdtdAuthError, SdtdClosed, SdtdError, SdtdInvalidState, SdtdRefused, SdtdTimeout
from .events import (
    ChatDeduplicator,
    ChatMessage,
    CommandExecuted,
    Event,
    LogMessage,
    parse_event,
)
from .lines import LogLine
from .link import Link, LinkProtocol, Secret
from .models import Player, parse_players
from .session import Answer, SessionConfig, SessionState, SessionStats

log = logging.getLogger(__name__)

DEFAULT_PORT = 8081
DEFAULT_TIMEOUT = 10.0
# Events waiting for the consumer; beyond it the oldest are dropped and counted.
DEFAULT_MAX_EVENTS = 1000
DEFAULT_BACKOFF = BackoffPolicy(initial=1.0, maximum=30.0, jitter=0.5, healthy_after=30.0)
_CLOSE_GRACE = 1.0


class SdtdTelnetClient:
    """A logged-in console connection, kept up across server restarts (``reconnect=True``).

    ``timeout`` covers each whole call: DNS, TCP connect and login in :meth:`connect`; waiting
    for a reconnect, for the previous command and for the answer in :meth:`command`. Errors are
    those of :mod:`.errors`; a command in flight when the connection drops fails with
    :class:`SdtdClosed` and is never sent again (``kick`` must not run twice).
    """

    def __init__(
        self,
        host: str,
        port: int = DEFAULT_PORT,
        password: str = "",
        *,
        timeout: float = DEFAULT_TIMEOUT,
        session: SessionConfig | None = None,
        reconnect: bool = True,
        backoff: BackoffPolicy = DEFAULT_BACKOFF,
        max_events: int = DEFAULT_MAX_EVENTS,
        raw_log: bool = False,
        resolve: Callable[[str], Awaitable[str]] | None = None,
        rng: random.Random | None = None,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
    ) -> None:
        if not 0 < port < 65536:
            raise ValueError(f"port must be 1..65535, got {port}")
        if timeout <= 0 or max_events < 1:
            raise ValueError("timeout and max_events must be positive")
        self.host = host
        self.port = port
        self.timeout = timeout
        self.session_config = session or SessionConfig()
        self.reconnect = reconnect
        self.max_events = max_events
        self.raw_log = raw_log
        # Called before every connection attempt (reconnects too) with ``host``; the address it
        # returns is connected to. An OSError from it is a refused attempt (kept as __cause__):
        # the caller may check where the name points now and refuse internal addresses.
        self.resolve = resolve
        if password:
            encode_password(password)  # refused now, not at the prompt (never in the error)
        self._password = Secret(password)
        self._backoff = Backoff(backoff, rng=rng, sleep=sleep, clock=clock)
        self._link: Link | None = None
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        self._events: EventQueue[Event] = EventQueue(max_events)
        self._stopped = False  # no connection will come again (see `running`)
        self._dedupe = ChatDeduplicator()
        self._started = False
        self.last_error: SdtdError | None = None
        self.reconnects = 0

    def __repr__(self) -> str:
        state = "connected" if self.connected else "closed" if self._closing.is_set() else "down"
        return f"<SdtdTelnetClient {self.host}:{self.port} {state}>"

    # --- state ------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        link = self._link
        return link is not None and link.session.state is SessionState.READY

    @property
    def running(self) -> bool:
        """Connected or reconnecting: False before :meth:`connect`, after :meth:`close`, and
        once it gave up (password refused at a re-login; a loss with ``reconnect=False``)."""
        return self._started and not self._stopped and not self._closing.is_set()

    @property
    def stats(self) -> SessionStats | None:
        return None if self._link is None else self._link.session.stats

    @property
    def dropped_events(self) -> int:
        """Events the consumer was too slow for (the oldest go beyond ``max_events``)."""
        return self._events.dropped

    @property
    def duplicate_chats(self) -> int:
        return self._dedupe.duplicates

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    # --- lifecycle --------------------------------------------------------------------------

    async def __aenter__(self) -> SdtdTelnetClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def connect(self) -> None:
        """Connect and log in once (within ``timeout``); then keep reconnecting if asked."""
        if self._closing.is_set():
            raise SdtdClosed("the client is closed")
        if self._started:
            raise SdtdInvalidState("connect() was already called")
        self._started = True
        try:
            link = await self._open()
        except SdtdError as exc:
            self.last_error = exc
            self._stop_for_good()
            raise
        self._install(link, reconnect=False)
        if self.reconnect:
            self._task = asyncio.create_task(self._supervise(link), name=repr(self))

    async def close(self) -> None:
        """Close the connection and stop reconnecting; :meth:`events` ends. Idempotent."""
        self._closing.set()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        link, self._link = self._link, None
        if link is not None:
            link.fail(SdtdClosed("the client was closed"))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_CLOSE_GRACE):
                    await asyncio.shield(link.lost)
        self._events.finish()
        self._notify()

    async def _open(self) -> Link:
        loop = asyncio.get_running_loop()
        link = Link(self, self._password)
        try:
            async with asyncio.timeout(self.timeout):
                address = self.host
                if self.resolve is not None:
                    try:
                        address = await self.resolve(self.host)
                    except OSError as exc:
                        raise SdtdRefused(f"{self.host}:{self.port}: {exc}") from exc
                try:
                    await loop.create_connection(lambda: LinkProtocol(link), address, self.port)
                except TimeoutError:
                    raise SdtdTimeout(f"TCP connect to {self.host}:{self.port} timed out") from None
                except OSError as exc:
                    reason = exc.strerror or type(exc).__name__
                    raise SdtdRefused(
                        f"cannot connect to {self.host}:{self.port}: {reason}"
                    ) from None
                await asyncio.shield(link.login)
        except TimeoutError as exc:
            link.close()
            if isinstance(exc, SdtdError):
                raise
            raise link.timeout_error(self.timeout) from None
        except BaseException:
            link.close()
            raise
        return link

    def _install(self, link: Link, *, reconnect: bool) -> None:
        self._link = link
        self._push(Connected(reconnect))
        link.go_live()
        self._notify()

    def _on_lost(self, link: Link, reason: str) -> None:
        if link is not self._link:
            return
        self._link = None
        if not self._closing.is_set():
            self._push(Disconnected(reason))
        if not self.reconnect:
            self._stop_for_good()
        self._notify()

    def _stop_for_good(self) -> None:
        self._stopped = True
        self._events.finish()

    async def _supervise(self, link: Link) -> None:
        backoff = self._backoff
        backoff.connected()
        while True:
            reason = await asyncio.shield(link.lost)  # cancelling us must not cancel it
            if self._closing.is_set():
                return
            # A restarting server refuses connections for a while: even the first attempt
            # waits one step, and a connection dropped soon after login waits longer.
            delay = backoff.lost(first=backoff.delay(1))
            log.info("7DTD %s:%s: %s; reconnect in %.2fs", self.host, self.port, reason, delay)
            try:
                opened = await backoff.retry(
                    self._open,
                    SdtdError,
                    delay=delay,
                    stop=self._closing,
                    fatal=lambda exc: isinstance(exc, SdtdAuthError),
                    retrying=self._retrying,
                )
            except SdtdAuthError as exc:
                log.error("7DTD %s:%s: %s; not retrying", self.host, self.port, exc)
                self.last_error = exc
                self._stop_for_good()
                self._notify()
                return
            if opened is None:
                return
            link = opened
            self.reconnects += 1
            backoff.connected()
            self._install(link, reconnect=True)

    def _retrying(self, exc: SdtdError, delay: float) -> None:
        self.last_error = exc
        log.info("7DTD %s:%s: %s; retry in %.2fs", self.host, self.port, exc, delay)

    # --- commands ---------------------------------------------------------------------------

    async def command(self, text: str, *, timeout: float | None = None) -> str:
        """Run one console command; its output (lines joined with ``\\n``)."""
        return (await self.command_answer(text, timeout=timeout)).text

    async def command_answer(
        self,
        text: str,
        *,
        timeout: float | None = None,  # covers waiting and the answer
    ) -> Answer:
        """Like :meth:`command`, with how the answer's end was found."""
        encode_command(text, self.session_config.max_command_bytes)  # refused before waiting
        limit = self.timeout if timeout is None else timeout
        waiting = "for the previous command"
        try:
            async with asyncio.timeout(limit):
                async with self._lock:
                    link = await self._wait_ready()
                    waiting = "for the answer"
                    return await link.run(text)
        except TimeoutError as exc:
            if isinstance(exc, SdtdError):
                raise
            if self._link is None:
                raise SdtdClosed(f"not connected within {limit:g}s (reconnecting)") from None
            raise SdtdTimeout(f"waited {limit:g}s {waiting}") from None

    async def _wait_ready(self) -> Link:
        while True:
            link = self._link
            if link is not None and link.session.ready_for_command:
                return link
            if self._closing.is_set():
                raise SdtdClosed("the client is closed")
            if link is None and (self._task is None or self._task.done()):
                if isinstance(self.last_error, SdtdAuthError):
                    raise self.last_error
                raise SdtdClosed("not connected")
            await self._changed.wait()

    async def players(self, *, timeout: float | None = None) -> list[Player]:
        """The players online (``lp``)."""
        return parse_players(await self.command("lp", timeout=timeout))

    # --- events -----------------------------------------------------------------------------

    def _on_log(self, line: LogLine, own_echo: bool = False) -> None:
        event = parse_event(line)
        if own_echo and isinstance(event, CommandExecuted):
            return  # our own command's echo: part of its answer, not news
        if event is None:
            if self.raw_log:
                self._push(LogMessage(line))
            return
        if isinstance(event, ChatMessage):
            if self._dedupe.is_duplicate(event, asyncio.get_running_loop().time()):
                return
        self._push(event)

    def _push(self, event: Event) -> None:
        self._events.put(event)

    async def events(self) -> AsyncIterator[Event]:
        """Events in order (one consumer: each event is given once) while the client is
        :attr:`running`; then the ones still queued, and the end."""
        if not self._started:  # nothing comes before connect(): what is queued, and the end
            for event in self._events.take_all():
                yield event
            return
        async for event in self._events.stream():
            yield event

    def pending_events(self) -> list[Event]:
        """Take every queued event without waiting."""
        return self._events.take_all()
