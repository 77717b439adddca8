"""Keeping one WebRCON WebSocket up: connect, read, keep alive, reconnect, give up.

The base of :class:`~.client.WebRconClient` (which adds the commands). ``start()`` connects
once and raises the typed error if that fails, or with ``wait=False`` makes that first attempt
in the background, retrying what is not a refused password. From then on the link reconnects
by itself with backoff (:mod:`bot.protocols.backoff`).

A refused password ends the link: at the first connection it is final at once (the password
never worked); after a connection that worked it is retried ``auth_retries`` times, since a
restarting server can drop upgrades the same way. Then every call raises WebRconAuthError.

Rust sends no pong, so liveness is a cheap command every ``keepalive_interval`` seconds;
unanswered within ``keepalive_timeout``, the connection counts as dead and is replaced. A
silent server is noticed within about interval + timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import TYPE_CHECKING

import aiohttp

from ..backoff import Backoff, BackoffPolicy
from ..event_queue import Connected, Disconnected, EventQueue
from .codec import ServerMessage
from .errors import (
    NotWebRcon,
    WebRconAuthError,
    WebRconClosed,
    WebRconError,
    WebRconRefused,
    WebRconTimeout,
)
from .events import ClientEvent, parse_push
from .protocol import Push, Reply, WebRconProtocol
from .transport import CLOSE_TIMEOUT, Secret, open_websocket

if TYPE_CHECKING:
    Resolver = Callable[[str], Awaitable[str]]

log = logging.getLogger(__name__)


class ClientState(Enum):
    IDLE = "idle"  # not started
    CONNECTING = "connecting"  # started without waiting; no connection has worked yet
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    AUTH_FAILED = "auth_failed"  # password refused: nothing is retried any more
    CLOSED = "closed"


class Link:
    """Connection state shared with the client; attributes are set by its ``__init__``."""

    host: str
    port: int
    timeout: float
    keepalive_interval: float
    keepalive_timeout: float
    reconnect_delay: float
    auth_retries: int
    max_message_bytes: int
    reconnects: int
    _label: str
    _secret: Secret
    _resolve: Resolver | None
    _backoff_policy: BackoffPolicy
    _rng: random.Random | None
    _proto: WebRconProtocol
    _waiters: dict[int, asyncio.Future[ServerMessage]]
    _queue: EventQueue[ClientEvent]

    def _init_link(self) -> None:
        self._state = ClientState.IDLE
        self._changed = asyncio.Event()
        self._failure: WebRconError | None = None
        self._loss: WebRconError | None = None
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._runner: asyncio.Task[None] | None = None
        self._closing = asyncio.Event()

    # The keep-alive request; the client (the class this mixin goes into) defines it.
    _keepalive_probe: Callable[[], Awaitable[None]]

    # --- state --------------------------------------------------------------------------------

    @property
    def state(self) -> ClientState:
        return self._state

    @property
    def connected(self) -> bool:
        return self._state is ClientState.CONNECTED and self._ws is not None

    def _set_state(self, state: ClientState) -> None:
        self._state = state
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def _check_usable(self) -> None:
        """Raise why no command can be sent now, if one cannot."""
        if self._state is ClientState.AUTH_FAILED and self._failure is not None:
            raise WebRconAuthError(str(self._failure))
        if self._state is ClientState.IDLE:
            raise WebRconClosed(f"client for {self._label} is not started")
        if self._state is ClientState.CLOSED:
            raise WebRconClosed(f"client for {self._label} is closed")
        if not self.connected:
            raise WebRconClosed(f"not connected to {self._label} (reconnecting)")

    def _usable_ws(self) -> aiohttp.ClientWebSocketResponse:
        self._check_usable()
        assert self._ws is not None
        return self._ws

    async def wait_connected(self) -> None:
        """Return once connected; raises WebRconAuthError after giving up on the password,
        WebRconClosed when closed or not started (wrap it in a timeout)."""
        while not self.connected:
            if self._state not in (ClientState.CONNECTING, ClientState.RECONNECTING):
                self._check_usable()
            await self._changed.wait()

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self, *, wait: bool = True) -> None:
        """Connect (within ``timeout``), then stay connected until :meth:`close`.

        ``wait=True``: raises WebRconRefused, WebRconTimeout, WebRconAuthError or NotWebRcon
        when this first connection fails, and the client is closed. ``wait=False``: returns at
        once; the first connection is made in the background (see :meth:`wait_connected`).
        """
        if self._state is not ClientState.IDLE:
            raise WebRconClosed(f"client for {self._label} was already started")
        self._session = aiohttp.ClientSession()
        # aiohttp re-sends an idempotent request once when the server drops the connection
        # (as Rust does to a wrong password): that would be a second login attempt per
        # connect, behind our backoff's back. Not a public option; test_utils sets it too.
        if hasattr(self._session, "_retry_connection"):
            self._session._retry_connection = False
        ws: aiohttp.ClientWebSocketResponse | None = None
        if wait:
            try:
                ws = await self._open()
            except BaseException as exc:
                if isinstance(exc, WebRconAuthError):
                    self._failure = exc
                    self._set_state(ClientState.AUTH_FAILED)
                else:
                    self._set_state(ClientState.CLOSED)
                await self._session.close()
                self._queue.finish()
                raise
            self._attach(ws, reconnect=False)
        else:
            self._set_state(ClientState.CONNECTING)
        self._runner = asyncio.create_task(self._run(ws), name=f"webrcon {self._label}")

    async def close(self) -> None:
        """Close the connection and stop reconnecting; idempotent."""
        self._closing.set()
        if self._state is not ClientState.AUTH_FAILED:
            self._set_state(ClientState.CLOSED)
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        self._fail_pending(WebRconClosed(f"client for {self._label} closed"))
        if self._session is not None:
            await self._session.close()
        self._queue.finish()

    async def _resolved_host(self) -> str:
        """The address for this attempt: the resolver's answer (it may refuse) or the host."""
        if self._resolve is None:
            return self.host
        error: WebRconError
        try:
            async with asyncio.timeout(self.timeout):
                return await self._resolve(self.host)
        except TimeoutError:
            error = WebRconTimeout(f"resolving {self.host} took over {self.timeout} s")
        except OSError as exc:
            # The resolver's own words (e.g. why an address is not allowed); no password.
            error = WebRconRefused(str(exc) or f"cannot resolve {self.host}")
        raise error

    async def _open(self) -> aiohttp.ClientWebSocketResponse:
        assert self._session is not None
        loop = asyncio.get_running_loop()
        started = loop.time()
        host = await self._resolved_host()
        return await open_websocket(
            self._session,
            host,
            self.port,
            self._secret,
            # One timeout for the whole attempt: resolving, connecting, upgrading.
            timeout=max(0.001, self.timeout - (loop.time() - started)),
            max_message_bytes=self.max_message_bytes,
            close_timeout=min(CLOSE_TIMEOUT, self.timeout),
        )

    def _attach(self, ws: aiohttp.ClientWebSocketResponse, *, reconnect: bool) -> None:
        self._ws = ws
        self._loss = None
        self._set_state(ClientState.CONNECTED)
        self._queue.put(Connected(reconnect=reconnect))

    def _detach(self, reason: WebRconError) -> None:
        self._ws = None
        if self._state is ClientState.CONNECTED:
            self._set_state(ClientState.RECONNECTING)
        self._proto.connection_lost()
        self._fail_pending(reason)
        self._queue.put(Disconnected(str(reason)))

    def _fail_pending(self, reason: WebRconError) -> None:
        waiters, self._waiters = self._waiters, {}
        for identifier, waiter in waiters.items():
            self._proto.abandon(identifier)
            if not waiter.done():
                # One instance per caller: a shared one would collect every caller's traceback.
                waiter.set_exception(type(reason)(str(reason)))

    def _give_up(self, error: WebRconAuthError) -> None:
        log.error("WebRCON: %s; giving up", error)
        self._failure = error
        self._set_state(ClientState.AUTH_FAILED)
        self._fail_pending(error)
        self._queue.finish()

    async def _run(self, ws: aiohttp.ClientWebSocketResponse | None) -> None:
        """``ws``: the connection ``start()`` made and attached; None to make the first."""
        backoff = Backoff(self._backoff_policy, rng=self._rng)
        worked = ws is not None
        delay = 0.0
        while True:
            if ws is None:
                ws = await self._connect(backoff, delay, worked)
                if ws is None:
                    return
                if worked:
                    self.reconnects += 1
                    log.info("WebRCON %s: reconnected", self._label)
                self._attach(ws, reconnect=worked)
                worked = True
            backoff.connected()
            reason = await self._serve(ws)
            ws = None
            self._detach(reason)
            if self._closing.is_set():
                return
            # Every reason names host:port already.
            log.warning("WebRCON connection lost: %s; reconnecting", reason)
            delay = backoff.lost(first=self.reconnect_delay)

    async def _connect(
        self, backoff: Backoff, delay: float, worked: bool
    ) -> aiohttp.ClientWebSocketResponse | None:
        """Attempts with backoff until one works; None when closing or giving up."""
        refusals = 0

        def refused_for_good(exc: WebRconError) -> bool:
            # A refusal after a working connection may be the server's restart: a few retries.
            nonlocal refusals
            if not isinstance(exc, WebRconAuthError):
                return False
            refusals += 1
            return not worked or refusals > self.auth_retries

        try:
            return await backoff.retry(
                self._open,
                WebRconError,
                delay=delay,
                stop=self._closing,
                fatal=refused_for_good,
                retrying=_log_retry,
            )
        except WebRconAuthError as exc:
            self._give_up(exc)
            return None

    # --- one connection -----------------------------------------------------------------------

    async def _serve(self, ws: aiohttp.ClientWebSocketResponse) -> WebRconError:
        """Read until the connection ends; returns why it ended."""
        keepalive = asyncio.create_task(
            self._keepalive(ws), name=f"webrcon keepalive {self._label}"
        )
        reason: WebRconError = WebRconClosed(f"{self._label} closed the connection")
        try:
            async for frame in ws:
                if frame.type is aiohttp.WSMsgType.TEXT:
                    error = self._on_text(frame.data)
                elif frame.type is aiohttp.WSMsgType.ERROR:
                    error = self._frame_error(frame.data)
                elif frame.type is aiohttp.WSMsgType.BINARY:
                    error = NotWebRcon(f"{self._label} sent a binary frame")
                else:
                    continue
                if error is not None:
                    reason = error
                    log.warning("WebRCON: %s; closing", error)
                    break
        except (aiohttp.ClientError, OSError) as exc:
            reason = WebRconClosed(f"connection to {self._label} broke ({type(exc).__name__})")
        finally:
            keepalive.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keepalive
            with contextlib.suppress(aiohttp.ClientError, OSError):
                await ws.close()
        return self._loss or reason

    def _frame_error(self, exc: object) -> WebRconError:
        if (
            isinstance(exc, aiohttp.WebSocketError)
            and exc.code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
        ):
            return NotWebRcon(f"{self._label} sent a message over {self.max_message_bytes} bytes")
        return NotWebRcon(f"{self._label} broke the WebSocket protocol")

    def _on_text(self, text: str) -> WebRconError | None:
        try:
            incoming = self._proto.receive_message(text)
        except NotWebRcon as exc:
            return NotWebRcon(f"{self._label} sent a {exc}")
        if isinstance(incoming, Reply):
            waiter = self._waiters.pop(incoming.identifier, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(incoming.message)
        elif isinstance(incoming, Push):
            self._queue.put(parse_push(incoming.message))
        else:
            log.debug(
                "WebRCON %s: dropped a %s reply (Identifier %d)",
                self._label,
                "late" if incoming.late else "stray",
                incoming.message.identifier,
            )
        return None

    async def _keepalive(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        while True:
            await asyncio.sleep(self.keepalive_interval)
            try:
                await self._keepalive_probe()
            except WebRconTimeout:
                self._loss = WebRconTimeout(
                    f"{self._label} left the keep-alive unanswered for {self.keepalive_timeout} s"
                )
                await ws.close()
                return
            except WebRconError:
                return  # the connection is already going


def _log_retry(exc: WebRconError, delay: float) -> None:
    if isinstance(exc, WebRconAuthError):
        log.warning("WebRCON reconnect refused: %s; next try in %.1fs", exc, delay)
    else:
        log.info("WebRCON connect failed: %s; next try in %.1fs", exc, delay)
