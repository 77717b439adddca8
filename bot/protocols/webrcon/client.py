"""asyncio WebRCON client (:class:`WebRconClient`): one WebSocket kept up for weeks.

``start()`` connects once and raises the typed error if that fails; from then on the client
reconnects by itself with backoff (:mod:`bot.protocols.backoff`). A wrong password ends the
client instead: refused at ``start()`` it is raised at once; refused on a reconnect it is
retried ``auth_retries`` times (a restarting server can drop upgrades), then the client stops
and every call raises :class:`WebRconAuthError`.

Rust sends no pong, so liveness is a cheap command (``serverinfo``) every
``keepalive_interval`` seconds: unanswered within ``keepalive_timeout``, the connection counts
as dead and is replaced. A silent server is noticed within about interval + timeout.
All protocol decisions live in :mod:`.protocol`; this module moves text frames and time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from enum import Enum
from types import TracebackType

import aiohttp

from ..backoff import Backoff, BackoffPolicy
from .codec import MAX_MESSAGE_BYTES, MessageType, ServerMessage, validate_command
from .errors import (
    NotWebRcon,
    WebRconAuthError,
    WebRconClosed,
    WebRconError,
    WebRconTimeout,
)
from .event_queue import ClientEvent, Connected, Disconnected, EventQueue
from .events import parse_push
from .models import RustPlayer, RustServerInfo, parse_playerlist, parse_serverinfo
from .protocol import DEFAULT_MAX_IN_FLIGHT, ProtocolStats, Push, Reply, WebRconProtocol
from .transport import CLOSE_TIMEOUT, Secret, check_address, label, open_websocket

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0
DEFAULT_KEEPALIVE_INTERVAL = 30.0
DEFAULT_BACKOFF = BackoffPolicy(initial=1.0, maximum=30.0, jitter=0.25, healthy_after=30.0)


class ClientState(Enum):
    IDLE = "idle"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    AUTH_FAILED = "auth_failed"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class ClientStats:
    protocol: ProtocolStats
    reconnects: int
    dropped_events: int
    pending_events: int


class WebRconClient:
    """Async Rust WebRCON client::

        async with WebRconClient("203.0.113.5", 28016, password, timeout=5) as rcon:
            text = await rcon.command("status")
            players = await rcon.players()
            async for event in rcon.events():  # ChatMessage, PlayerJoined, ... Connected
                ...

    Commands may run concurrently (at most ``max_in_flight`` on the wire, the others wait
    within their timeout). ``events()`` is for one consumer; its queue holds
    ``max_events`` and drops the oldest beyond that (``stats.dropped_events`` counts them).
    """

    def __init__(
        self,
        host: str,
        port: int,
        password: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        keepalive_interval: float = DEFAULT_KEEPALIVE_INTERVAL,
        keepalive_timeout: float | None = None,
        keepalive_command: str = "serverinfo",
        backoff: BackoffPolicy = DEFAULT_BACKOFF,
        reconnect_delay: float = 0.5,
        auth_retries: int = 2,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        max_message_bytes: int = MAX_MESSAGE_BYTES,
        max_events: int = 1000,
        rng: random.Random | None = None,
    ) -> None:
        check_address(host, port)
        if not isinstance(password, str) or not password:
            raise ValueError("password must be a non-empty string")
        if timeout <= 0 or keepalive_interval <= 0 or reconnect_delay < 0 or auth_retries < 0:
            raise ValueError("timeouts and intervals must be positive, retries not negative")
        validate_command(keepalive_command)
        self.host = host
        self.port = port
        self.timeout = timeout
        self.keepalive_interval = keepalive_interval
        self.keepalive_timeout = timeout if keepalive_timeout is None else keepalive_timeout
        self.keepalive_command = keepalive_command
        self.reconnect_delay = reconnect_delay
        self.auth_retries = auth_retries
        self.max_message_bytes = max_message_bytes
        self._secret = Secret(password)
        self._backoff_policy = backoff
        self._rng = rng
        self._label = label(host, port)
        # Each caller holds one slot and may add one probe (allow_empty): twice the slots.
        self._proto = WebRconProtocol(
            max_in_flight=2 * max_in_flight, max_message_bytes=max_message_bytes
        )
        self._slots = asyncio.Semaphore(max_in_flight)
        self._waiters: dict[int, asyncio.Future[ServerMessage]] = {}
        self._queue = EventQueue(max_events)
        self._state = ClientState.IDLE
        self._failure: WebRconError | None = None
        self._loss: WebRconError | None = None
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._runner: asyncio.Task[None] | None = None
        self._closing = asyncio.Event()
        self.reconnects = 0

    def __repr__(self) -> str:
        return f"<WebRconClient {self._label} {self._state.value}>"

    # --- state ------------------------------------------------------------------------------

    @property
    def state(self) -> ClientState:
        return self._state

    @property
    def connected(self) -> bool:
        return self._state is ClientState.CONNECTED and self._ws is not None

    @property
    def stats(self) -> ClientStats:
        return ClientStats(
            protocol=self._proto.stats,
            reconnects=self.reconnects,
            dropped_events=self._queue.dropped,
            pending_events=len(self._queue),
        )

    # --- lifecycle --------------------------------------------------------------------------

    async def __aenter__(self) -> WebRconClient:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Connect (within ``timeout``), then stay connected until :meth:`close`.

        Raises WebRconRefused, WebRconTimeout, WebRconAuthError or NotWebRcon when this first
        connection fails; the client is then closed.
        """
        if self._state is not ClientState.IDLE:
            raise WebRconClosed(f"client for {self._label} was already started")
        self._session = aiohttp.ClientSession()
        # aiohttp re-sends an idempotent request once when the server drops the connection
        # (as Rust does to a wrong password): that would be a second login attempt per
        # connect, behind our backoff's back. Not a public option; test_utils sets it too.
        if hasattr(self._session, "_retry_connection"):
            self._session._retry_connection = False
        try:
            ws = await self._open()
        except BaseException as exc:
            self._state = (
                ClientState.AUTH_FAILED if isinstance(exc, WebRconAuthError) else ClientState.CLOSED
            )
            if isinstance(exc, WebRconError):
                self._failure = exc
            await self._session.close()
            self._queue.finish()
            raise
        self._attach(ws, reconnect=False)
        self._runner = asyncio.create_task(self._run(ws), name=f"webrcon {self._label}")

    async def close(self) -> None:
        """Close the connection and stop reconnecting; idempotent."""
        self._closing.set()
        if self._state is not ClientState.AUTH_FAILED:
            self._state = ClientState.CLOSED
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

    async def _open(self) -> aiohttp.ClientWebSocketResponse:
        assert self._session is not None
        return await open_websocket(
            self._session,
            self.host,
            self.port,
            self._secret,
            timeout=self.timeout,
            max_message_bytes=self.max_message_bytes,
            close_timeout=min(CLOSE_TIMEOUT, self.timeout),
        )

    def _attach(self, ws: aiohttp.ClientWebSocketResponse, *, reconnect: bool) -> None:
        self._ws = ws
        self._loss = None
        self._state = ClientState.CONNECTED
        self._queue.put(Connected(reconnect=reconnect))

    def _detach(self, reason: WebRconError) -> None:
        self._ws = None
        if self._state is ClientState.CONNECTED:
            self._state = ClientState.RECONNECTING
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

    async def _run(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        backoff = Backoff(self._backoff_policy, rng=self._rng)
        backoff.connected()
        refusals = 0
        while True:
            reason = await self._serve(ws)
            self._detach(reason)
            if self._closing.is_set():
                return
            # Every reason names host:port already.
            log.warning("WebRCON connection lost: %s; reconnecting", reason)
            delay = backoff.lost(first=self.reconnect_delay)
            while True:
                if await backoff.wait(delay, self._closing):
                    return
                try:
                    ws = await self._open()
                except WebRconAuthError as exc:
                    refusals += 1
                    if refusals > self.auth_retries:
                        log.error("WebRCON: %s; giving up", exc)
                        self._give_up(exc)
                        return
                    delay = backoff.failed()
                    log.warning("WebRCON reconnect refused: %s; next try in %.1fs", exc, delay)
                except WebRconError as exc:
                    delay = backoff.failed()
                    log.info("WebRCON reconnect failed: %s; next try in %.1fs", exc, delay)
                else:
                    break
            refusals = 0
            self.reconnects += 1
            backoff.connected()
            self._attach(ws, reconnect=True)
            log.info("WebRCON %s: reconnected", self._label)

    def _give_up(self, error: WebRconAuthError) -> None:
        self._state = ClientState.AUTH_FAILED
        self._failure = error
        self._fail_pending(error)
        self._queue.finish()

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
                await self.request(self.keepalive_command, timeout=self.keepalive_timeout)
            except WebRconTimeout:
                self._loss = WebRconTimeout(
                    f"{self._label} left the keep-alive unanswered for {self.keepalive_timeout} s"
                )
                await ws.close()
                return
            except WebRconError:
                return  # the connection is already going

    # --- commands ---------------------------------------------------------------------------

    def _usable_ws(self) -> aiohttp.ClientWebSocketResponse:
        if self._state is ClientState.AUTH_FAILED and self._failure is not None:
            raise WebRconAuthError(str(self._failure))
        if self._state is ClientState.IDLE:
            raise WebRconClosed(f"client for {self._label} is not started")
        if self._state is ClientState.CLOSED:
            raise WebRconClosed(f"client for {self._label} is closed")
        if self._ws is None or self._state is not ClientState.CONNECTED:
            raise WebRconClosed(f"not connected to {self._label} (reconnecting)")
        return self._ws

    async def request(
        self,
        command: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - expiry must also abandon the Identifier
        allow_empty: bool = False,
    ) -> ServerMessage:
        """Run ``command``; returns the whole reply message (text, Type, Stacktrace).

        A command that prints nothing gets no reply: it raises WebRconTimeout, unless
        ``allow_empty``, which sends the keep-alive command right after it and returns an
        empty message when that is answered first (the server runs one connection's commands
        in order; inferred from its command queue, not documented by Facepunch).
        """
        validate_command(command)
        limit = self.timeout if timeout is None else timeout
        deadline = asyncio.timeout(limit)
        try:
            async with deadline:
                if not allow_empty:
                    return await self._exchange(command)
                return await self._exchange_or_empty(command)
        except TimeoutError:
            if not deadline.expired():
                raise  # a WebRconTimeout of the connection, not this call's deadline
            raise WebRconTimeout(f"no reply from {self._label} within {limit} s") from None

    async def command(
        self,
        command: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - see request()
        allow_empty: bool = False,
    ) -> str:
        """Run ``command`` and return its reply text (see :meth:`request`)."""
        message = await self.request(command, timeout=timeout, allow_empty=allow_empty)
        return message.message

    async def _submit(self, command: str) -> tuple[int, asyncio.Future[ServerMessage]]:
        """Put ``command`` on the wire; returns its Identifier and the future of its reply."""
        ws = self._usable_ws()
        identifier, frame = self._proto.send_command(command)
        waiter: asyncio.Future[ServerMessage] = asyncio.get_running_loop().create_future()
        self._waiters[identifier] = waiter
        try:
            await self._send(ws, frame)
        except BaseException:
            self._forget(identifier)
            raise
        return identifier, waiter

    def _forget(self, identifier: int) -> None:
        if self._waiters.pop(identifier, None) is not None:
            self._proto.abandon(identifier)  # timed out or cancelled: drop a late reply

    async def _exchange(self, command: str) -> ServerMessage:
        async with self._slots:
            identifier, waiter = await self._submit(command)
            try:
                return await waiter
            finally:
                self._forget(identifier)

    async def _exchange_or_empty(self, command: str) -> ServerMessage:
        async with self._slots:
            identifier, waiter = await self._submit(command)
            try:
                # The probe goes out after the command (same connection, same order).
                probe_id, probe = await self._submit(self.keepalive_command)
                try:
                    await asyncio.wait({waiter, probe}, return_when=asyncio.FIRST_COMPLETED)
                    if waiter.done() or probe.exception() is not None:
                        return await waiter
                finally:
                    self._forget(probe_id)
                return ServerMessage(identifier=identifier, message="", type=MessageType.GENERIC)
            finally:
                self._forget(identifier)

    async def _send(self, ws: aiohttp.ClientWebSocketResponse, frame: str) -> None:
        error: WebRconError
        try:
            await ws.send_str(frame)
            return
        except (aiohttp.ClientError, OSError) as exc:
            error = WebRconClosed(f"connection to {self._label} broke ({type(exc).__name__})")
        raise error

    async def players(self, *, timeout: float | None = None) -> list[RustPlayer]:  # noqa: ASYNC109
        """The ``playerlist`` (raises NotWebRcon when the answer is not its JSON)."""
        return parse_playerlist(await self.command("playerlist", timeout=timeout))

    async def server_info(self, *, timeout: float | None = None) -> RustServerInfo:  # noqa: ASYNC109
        """The ``serverinfo`` JSON: host name, map, players, queue, uptime, frame rate."""
        return parse_serverinfo(await self.command("serverinfo", timeout=timeout))

    # --- events -----------------------------------------------------------------------------

    def events(self) -> AsyncIterator[ClientEvent]:
        """Pushed events in the server's order; ends once the client is closed or gave up."""
        return self._queue.stream()
