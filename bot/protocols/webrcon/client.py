"""asyncio WebRCON client (:class:`WebRconClient`): commands, typed answers, events.

Connecting, keep-alive, reconnecting and giving up on a refused password are
:mod:`.link`'s; protocol decisions are :mod:`.protocol`'s. This module sends commands and
matches their replies, with one timeout per call covering the wait for a slot and the answer.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from ..backoff import BackoffPolicy
from ..event_queue import EventQueue
from .codec import MAX_MESSAGE_BYTES, MessageType, ServerMessage, validate_command
from .errors import WebRconClosed, WebRconError, WebRconTimeout
from .events import ClientEvent
from .link import ClientState, Link
from .models import RustPlayer, RustServerInfo, parse_playerlist, parse_serverinfo
from .protocol import DEFAULT_MAX_IN_FLIGHT, ProtocolStats, WebRconProtocol
from .transport import Secret, check_address, label

__all__ = ["ClientState", "ClientStats", "WebRconClient"]

DEFAULT_TIMEOUT = 10.0
DEFAULT_KEEPALIVE_INTERVAL = 30.0
DEFAULT_BACKOFF = BackoffPolicy(initial=1.0, maximum=30.0, jitter=0.25, healthy_after=30.0)


def _retrieve(future: asyncio.Future[ServerMessage]) -> None:
    """Mark a failed reply future as seen: a lost connection fails the command and its probe
    together, and the one nobody awaited would be logged as "exception never retrieved"."""
    if future.done() and not future.cancelled():
        future.exception()


@dataclass(frozen=True, slots=True)
class ClientStats:
    protocol: ProtocolStats
    reconnects: int
    dropped_events: int
    pending_events: int


class WebRconClient(Link):
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
        resolve: Callable[[str], Awaitable[str]] | None = None,
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
        self._resolve = resolve
        self._label = label(host, port)
        # Each caller holds one slot and may add one probe (allow_empty): twice the slots.
        self._proto = WebRconProtocol(
            max_in_flight=2 * max_in_flight, max_message_bytes=max_message_bytes
        )
        self._slots = asyncio.Semaphore(max_in_flight)
        self._waiters: dict[int, asyncio.Future[ServerMessage]] = {}
        self._queue: EventQueue[ClientEvent] = EventQueue(max_events)
        self.reconnects = 0
        self._init_link()

    def __repr__(self) -> str:
        return f"<WebRconClient {self._label} {self._state.value}>"

    # --- state ------------------------------------------------------------------------------

    @property
    def stats(self) -> ClientStats:
        return ClientStats(
            protocol=self._proto.stats,
            reconnects=self.reconnects,
            dropped_events=self._queue.dropped,
            pending_events=len(self._queue),
        )

    async def __aenter__(self) -> WebRconClient:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _keepalive_probe(self) -> None:
        await self.request(self.keepalive_command, timeout=self.keepalive_timeout)

    # --- commands ---------------------------------------------------------------------------

    async def request(
        self,
        command: str,
        *,
        timeout: float | None = None,  # expiry must also abandon the Identifier
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
        timeout: float | None = None,  # see request()
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
                _retrieve(waiter)

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
                    _retrieve(probe)
                return ServerMessage(identifier=identifier, message="", type=MessageType.GENERIC)
            finally:
                self._forget(identifier)
                _retrieve(waiter)

    async def _send(self, ws: aiohttp.ClientWebSocketResponse, frame: str) -> None:
        error: WebRconError
        try:
            await ws.send_str(frame)
            return
        except (aiohttp.ClientError, OSError) as exc:
            error = WebRconClosed(f"connection to {self._label} broke ({type(exc).__name__})")
        raise error

    async def players(self, *, timeout: float | None = None) -> list[RustPlayer]:
        """The ``playerlist`` (raises NotWebRcon when the answer is not its JSON)."""
        return parse_playerlist(await self.command("playerlist", timeout=timeout))

    async def server_info(self, *, timeout: float | None = None) -> RustServerInfo:
        """The ``serverinfo`` JSON: host name, map, players, queue, uptime, frame rate."""
        return parse_serverinfo(await self.command("serverinfo", timeout=timeout))

    # --- events -----------------------------------------------------------------------------

    def events(self) -> AsyncIterator[ClientEvent]:
        """Pushed events in the server's order; ends once the client is closed or gave up."""
        return self._queue.stream()
