"""asyncio BattlEye RCON client (:class:`BattlEyeClient`), berconpy's AsyncRCONClient surface.

One connection is meant to stay up for weeks: it keeps itself alive with empty commands, notices
a silent server, reconnects with backoff, jitter and an initial delay, and delivers each server
message exactly once and in order. All protocol decisions live in :mod:`.protocol`; this module
only moves datagrams and time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from ..backoff import Backoff, Clock, Sleep
from .commands import Commands
from .config import RECONNECT_BACKOFF_MAX as RECONNECT_BACKOFF_MAX
from .config import ClientConfig
from .dispatch import Dispatcher, Listening
from .errors import (
    ClientRunning,
    LoginFailure,
    LoginRefused,
    LoginTimeout,
    NotConnected,
    RCONCommandError,
)
from .models import Player, parse_players
from .protocol import (
    ClientProtocol,
    ClientState,
    CommandAnswered,
    CommandFailed,
    ConnectionTimedOut,
    LoginAccepted,
    LoginRejected,
    MessageReceived,
    ProtocolEvent,
    ProtocolStats,
)
from .routing import MessageRouter
from .validation import encode_command, validate_password

log = logging.getLogger(__name__)

# Read-only commands: re-asking them under a new sequence number cannot do harm twice.
IDEMPOTENT_COMMANDS = frozenset({"", "players", "bans", "admins", "missions"})
DISALLOWED = "Disallowed command"
LISTENER_GRACE = 1.0


@dataclass(frozen=True, slots=True)
class _Secret:
    """The password on its way to the login packet: hidden from reprs and traceback locals."""

    value: bytes = field(repr=False)


class _NoAnswer(RCONCommandError):
    pass


class _Endpoint(asyncio.DatagramProtocol):
    def __init__(self, client: BattlEyeClient, peer: tuple[Any, ...]) -> None:
        self._client = client
        self._peer = peer[:2]

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        # The socket is connected, but check anyway: only the resolved server may talk to us.
        if addr[:2] != self._peer:
            self._client._stats_foreign += 1
            return
        self._client._on_datagram(data, self)

    def error_received(self, exc: Exception) -> None:
        # ICMP "port unreachable" while the server restarts; liveness handles it.
        log.debug("socket error: %s", exc)


class BattlEyeClient(Commands, Listening):
    """Async BattlEye RCON client. Use :meth:`connect` as an async context manager.

    Events (``add_listener("player_connect", f)`` or ``"on_player_connect"``), with arguments:

    ========================  =============================================================
    ``login``                 ()  -- after every successful login, reconnects included
    ``disconnect``            ()  -- the connection was lost or closed
    ``raw_event``             (text,) -- every server message, whatever it says
    ``admin_login``           (admin_id, "ip:port")
    ``player_connect``        (player,)
    ``player_guid``           (player,)
    ``player_verify_guid``    (player,)
    ``player_disconnect``     (player,)
    ``player_kick``           (player, reason)
    ``player_message``        (player, channel, text) -- ``player.id`` is -1 if not cached
    ``admin_message``         (admin_id, channel, text)
    ``admin_announcement``    (admin_id, text)
    ``admin_whisper``         (player, admin_id, text)
    ``battleye_notice``       (text,) -- "Connected to BE Master" and the like
    ========================  =============================================================

    Each server message is dispatched exactly once, in the server's order, even when the
    network loses, duplicates or reorders datagrams (see :mod:`.dedupe`).
    """

    def __init__(
        self,
        config: ClientConfig | None = None,
        *,
        rng: random.Random | None = None,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
    ):
        self.config = config or ClientConfig()
        self._rng = rng or random.Random()
        self._sleep = sleep
        self._clock = clock
        self._dispatcher = Dispatcher()
        self._proto = ClientProtocol(self.config.protocol)
        self._transport: asyncio.DatagramTransport | None = None
        self._endpoint: _Endpoint | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing: asyncio.Event | None = None
        self._session_end: asyncio.Future[str] | None = None
        self._login_waiter: asyncio.Future[bool] | None = None
        self._first_login: asyncio.Future[None] | None = None
        self._refused = False
        self._answered_login = False
        self._futures: dict[int, asyncio.Future[str]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._timer_when = 0.0
        self._router = MessageRouter(self._dispatcher)
        self._deliver = False
        self._deferred: list[str] = []
        self._background: set[asyncio.Task[Any]] = set()
        self._stats_foreign = 0
        self.reconnects = 0

    # --- state ------------------------------------------------------------------------------

    @property
    def client_id(self) -> int | None:
        """Our RCON admin number (from the first ``RCon admin #N ... logged in`` after login)."""
        return self._router.client_id

    @property
    def stats(self) -> ProtocolStats:
        return self._proto.stats

    @property
    def foreign_datagrams(self) -> int:
        return self._stats_foreign

    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    def is_connected(self) -> bool:
        return self._transport is not None and self._proto.state is ClientState.LOGGED_IN

    def is_logged_in(self) -> bool | None:
        """True when logged in, None while no login answer came yet; raises once refused."""
        if self._refused:
            raise LoginRefused("the server refused the password")
        if self._proto.state is ClientState.LOGGED_IN:
            return True
        return False if self._answered_login else None

    # --- connection -------------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def connect(self, host: str, port: int, password: str) -> AsyncIterator[BattlEyeClient]:
        """Log in, stay connected (reconnecting as needed) inside the block, close after it.

        Raises :class:`LoginRefused` / :class:`LoginTimeout` when the first login fails, and
        :class:`ClientRunning` when already running. If the password is refused on a later
        reconnect, the block's task is cancelled and ``LoginRefused`` is raised from it.
        """
        if self.is_running():
            raise ClientRunning("client is already running")
        if not 0 < port < 65536:
            raise ValueError(f"port must be 1..65535, got {port}")
        secret = _Secret(validate_password(password))
        loop = asyncio.get_running_loop()
        self._closing = asyncio.Event()
        self._first_login = loop.create_future()
        self._refused = False
        self._answered_login = False
        self._task = asyncio.create_task(self._run(host, port, secret), name="battleye-run")
        task = self._task
        current = asyncio.current_task()
        cancelled_by_us = False

        def _cancel_on_failure(t: asyncio.Task[None]) -> None:
            nonlocal cancelled_by_us
            if not t.cancelled() and t.exception() is not None and current is not None:
                cancelled_by_us = True
                current.cancel()

        try:
            await self._first_login
            task.add_done_callback(_cancel_on_failure)
            yield self
        finally:
            task.remove_done_callback(_cancel_on_failure)
            self.close()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(task)
            # Listeners get a moment to finish; one that never returns must not block close.
            await self._dispatcher.drain(timeout=LISTENER_GRACE)
            failure = None if task.cancelled() else task.exception()
            if failure is not None:
                if cancelled_by_us and current is not None:
                    current.uncancel()  # we turn our own cancellation into the real error
                raise failure

    def close(self) -> None:
        """Stop the connection; idempotent, safe from any callback."""
        if self._closing is not None:
            self._closing.set()
        if self._session_end is not None and not self._session_end.done():
            self._session_end.set_result("closed")
        if self._login_waiter is not None and not self._login_waiter.done():
            self._login_waiter.cancel()

    async def _run(self, host: str, port: int, password: _Secret) -> None:
        assert self._closing is not None and self._first_login is not None
        backoff = Backoff(
            self.config.backoff_policy(), rng=self._rng, sleep=self._sleep, clock=self._clock
        )
        attempts = self.config.login_attempts
        first = True
        delay = self.config.connect_delay
        try:
            while not self._closing.is_set():
                if delay > 0 and await backoff.wait(delay, self._closing):
                    break
                try:
                    await self._login_once(host, port, password)
                except LoginRefused:
                    self._refused = True
                    raise
                except (LoginTimeout, OSError) as exc:
                    if self._closing.is_set():
                        break
                    delay = backoff.failed()
                    if first and attempts is not None and backoff.failures >= attempts:
                        raise LoginTimeout(
                            f"no login answer from {host}:{port} after {attempts} attempts"
                        ) from exc
                    log.info(
                        "login attempt %d failed (%s); retry in %.2fs", backoff.failures, exc, delay
                    )
                    continue
                if not first:
                    self.reconnects += 1
                first = False
                backoff.connected()
                if not self._first_login.done():
                    self._first_login.set_result(None)
                self._dispatcher.dispatch("login")
                self._deliver = True
                deferred, self._deferred = self._deferred, []
                for text in deferred:
                    self._router.route(text)
                if self.config.fetch_players_on_login:
                    self._spawn(self._refresh_players())
                reason = await self._session()
                self._end_session("connection lost" if reason != "closed" else "client closed")
                self._dispatcher.dispatch("disconnect")
                delay = backoff.lost(first=self.config.reconnect_delay)
        except BaseException as exc:
            if not self._first_login.done():
                self._first_login.set_exception(exc)
                # The error is delivered through the future; the task itself ends quietly.
                return
            raise
        finally:
            self._end_session("client closed")
            if not self._first_login.done():
                self._first_login.set_exception(LoginFailure("closed before login"))

    async def _login_once(self, host: str, port: int, password: _Secret) -> None:
        loop = asyncio.get_running_loop()
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
        if not infos:
            raise OSError(f"cannot resolve {host}")
        family, _, _, _, sockaddr = infos[0]
        peer = (str(sockaddr[0]), int(sockaddr[1]))
        endpoint = _Endpoint(self, peer)
        transport, _ = await loop.create_datagram_endpoint(
            lambda: endpoint, remote_addr=peer, family=family
        )
        self._transport, self._endpoint = transport, endpoint
        self._login_waiter = loop.create_future()
        self._deliver = False
        self._deferred.clear()
        self._router.awaiting_own_login = True
        self._proto.login(password.value, loop.time())
        self._flush()
        try:
            accepted = await asyncio.wait_for(self._login_waiter, self.config.login_timeout)
        except TimeoutError:
            self._drop_transport()
            raise LoginTimeout("no answer to the login") from None
        except asyncio.CancelledError:
            self._drop_transport()
            if self._closing is not None and self._closing.is_set():
                raise LoginTimeout("closed while logging in") from None
            raise
        if not accepted:
            self._drop_transport()
            raise LoginRefused("the server refused the password")
        self._answered_login = True
        self._session_end = loop.create_future()

    async def _session(self) -> str:
        assert self._session_end is not None
        if self._closing is not None and self._closing.is_set():
            return "closed"
        self._arm_timer()
        return await self._session_end

    def _end_session(self, why: str) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for fut in self._futures.values():
            if not fut.done():
                fut.set_exception(RCONCommandError(f"command not answered: {why}"))
        self._futures.clear()
        self._proto.reset()
        self._drop_transport()

    def _drop_transport(self) -> None:
        if self._transport is not None:
            self._transport.close()
        self._transport = None
        self._endpoint = None

    # --- datagrams and time -----------------------------------------------------------------

    def _on_datagram(self, data: bytes, endpoint: _Endpoint) -> None:
        if endpoint is not self._endpoint:
            return
        loop = asyncio.get_running_loop()
        events = self._proto.receive_datagram(data, loop.time())
        self._flush()
        self._handle(events)
        if self._proto.state is ClientState.LOGGED_IN:
            self._arm_timer()

    def _flush(self) -> None:
        out = self._proto.data_to_send()
        if self._transport is None:
            return
        for datagram in out:
            self._transport.sendto(datagram)

    def _arm_timer(self) -> None:
        deadline = self._proto.next_deadline()
        if deadline is None:
            return
        if self._timer is not None:
            if self._timer_when <= deadline:
                return
            self._timer.cancel()
        loop = asyncio.get_running_loop()
        self._timer_when = deadline
        self._timer = loop.call_at(deadline, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        loop = asyncio.get_running_loop()
        events = self._proto.poll(loop.time())
        self._flush()
        self._handle(events)
        if self._proto.state is ClientState.LOGGED_IN:
            self._arm_timer()

    def _handle(self, events: list[ProtocolEvent]) -> None:
        for event in events:
            if isinstance(event, MessageReceived):
                if self._deliver:
                    self._router.route(event.text)
                else:
                    # Arrived with or just after the login answer: after the "login" event.
                    self._deferred.append(event.text)
            elif isinstance(event, CommandAnswered):
                fut = self._futures.pop(event.sequence, None)
                if fut is not None and not fut.done():
                    fut.set_result(event.text)
            elif isinstance(event, CommandFailed):
                fut = self._futures.pop(event.sequence, None)
                if fut is not None and not fut.done():
                    fut.set_exception(_NoAnswer("the server did not answer the command"))
            elif isinstance(event, LoginAccepted | LoginRejected):
                if self._login_waiter is not None and not self._login_waiter.done():
                    self._login_waiter.set_result(isinstance(event, LoginAccepted))
            elif isinstance(event, ConnectionTimedOut):
                log.warning("server silent for %.1fs; reconnecting", event.silent_for)
                if self._session_end is not None and not self._session_end.done():
                    self._session_end.set_result("timeout")

    # --- commands ---------------------------------------------------------------------------

    async def send_command(self, command: str) -> str:
        """Send a command and return the answer text.

        Raises :class:`NotConnected` (an ``RCONCommandError``) when not logged in,
        :class:`RCONCommandError` when no answer comes after the retries or the server
        answers "Disallowed command", and
        :class:`CommandValidationError` (a ``ValueError``) for text that cannot be sent.
        """
        if not self.is_running():
            raise NotConnected("cannot send a command: the client is not connected")
        data = encode_command(command, self.config.max_command_bytes)
        rounds = 1
        if command.strip().lower() in IDEMPOTENT_COMMANDS:
            rounds += self.config.reask_rounds
        for round_no in range(rounds):
            try:
                answer = await self._command_round(data)
            except _NoAnswer:
                if round_no + 1 < rounds:
                    continue
                raise RCONCommandError(f"no answer to {command!r} after retries") from None
            if answer == DISALLOWED:
                raise RCONCommandError(f"the server refused {command!r}: {DISALLOWED}")
            return answer
        raise RCONCommandError(f"no answer to {command!r}")  # pragma: no cover - loop returns

    async def _command_round(self, data: bytes) -> str:
        if self._proto.state is not ClientState.LOGGED_IN or self._transport is None:
            raise NotConnected("not logged in (the client is reconnecting)")
        loop = asyncio.get_running_loop()
        seq = self._proto.send_command(data, loop.time())
        fut: asyncio.Future[str] = loop.create_future()
        self._futures[seq] = fut
        self._flush()
        self._arm_timer()
        try:
            return await fut
        finally:
            if self._futures.get(seq) is fut:
                # Cancelled by the caller: abandon the sequence number.
                del self._futures[seq]
                self._proto.cancel_command(seq, loop.time())

    async def fetch_players(self) -> list[Player]:
        """The ``players`` list; also refreshes the player cache (pings, lobby state)."""
        return self._router.replace_all(parse_players(await self.send_command("players")))

    # --- players ----------------------------------------------------------------------------

    @property
    def players(self) -> list[Player]:
        return self._router.players

    def get_player(self, player_id: int) -> Player | None:
        return self._router.get(player_id)

    async def _refresh_players(self) -> None:
        try:
            await self.fetch_players()
        except RCONCommandError as exc:
            log.warning("could not fetch players after login: %s", exc)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
