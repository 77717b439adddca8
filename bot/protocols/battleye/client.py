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
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from ..backoff import Backoff, BackoffPolicy, Clock, Sleep
from . import events as ev
from .dispatch import Dispatcher, Listener
from .errors import (
    ClientRunning,
    LoginFailure,
    LoginRefused,
    LoginTimeout,
    NotConnected,
    RCONCommandError,
)
from .models import Admin, Ban, Player, parse_admins, parse_bans, parse_missions, parse_players
from .protocol import (
    ClientProtocol,
    ClientState,
    CommandAnswered,
    CommandFailed,
    ConnectionTimedOut,
    LoginAccepted,
    LoginRejected,
    MessageReceived,
    ProtocolConfig,
    ProtocolEvent,
    ProtocolStats,
)
from .validation import DEFAULT_MAX_COMMAND_BYTES, encode_command, validate_password, validate_text

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Listener)

# Read-only commands: re-asking them under a new sequence number cannot do harm twice.
IDEMPOTENT_COMMANDS = frozenset({"", "players", "bans", "admins", "missions"})
DISALLOWED = "Disallowed command"
LISTENER_GRACE = 1.0
# Longest wait between re-logins: a server back up is logged into within about this long.
RECONNECT_BACKOFF_MAX = 12.0
# A hostile server can announce any number of players: keep at most this many (oldest go first).
MAX_CACHED_PLAYERS = 512


@dataclass(frozen=True, slots=True)
class _Secret:
    """The password on its way to the login packet: hidden from reprs and traceback locals."""

    value: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Connection behaviour; seconds. Tests shrink these to tenths of seconds."""

    protocol: ProtocolConfig = field(default_factory=ProtocolConfig)
    login_timeout: float = 3.0
    # Attempts of the first connect before LoginTimeout (None: retry until close(), as
    # reconnects always do).
    login_attempts: int | None = 3
    # Wait before the first login: logging in while the game server is still starting is known
    # to break some BattlEye logins (CubeCoders/AMP#779 uses 15 s). Off by default.
    connect_delay: float = 0.0
    # Wait before the first re-login after a loss (at once by default), then backoff with
    # jitter. The cap keeps a restarted server's events back within seconds of it answering.
    reconnect_delay: float = 0.0
    backoff_base: float = 1.0
    backoff_max: float = RECONNECT_BACKOFF_MAX
    jitter: float = 0.25
    # A login that stayed up this long forgives earlier failures; a server dropping us
    # sooner than that again and again gets the backoff, not a login at once each time.
    healthy_after: float = 30.0
    # Extra rounds (new sequence number) for read-only commands whose answer never came.
    reask_rounds: int = 2
    max_command_bytes: int = DEFAULT_MAX_COMMAND_BYTES
    fetch_players_on_login: bool = True

    def __post_init__(self) -> None:
        if self.login_timeout <= 0 or (self.login_attempts is not None and self.login_attempts < 1):
            raise ValueError("login_timeout must be positive and login_attempts at least 1")
        if min(self.connect_delay, self.reconnect_delay, self.backoff_base) < 0:
            raise ValueError("delays must not be negative")
        if self.backoff_max < self.backoff_base or not 0 <= self.jitter < 1:
            raise ValueError("need backoff_max >= backoff_base and 0 <= jitter < 1")
        self.backoff_policy()  # validates healthy_after

    def backoff_policy(self) -> BackoffPolicy:
        return BackoffPolicy(
            initial=self.backoff_base,
            maximum=self.backoff_max,
            jitter=self.jitter,
            healthy_after=self.healthy_after,
        )


def backoff_delay(attempt: int, config: ClientConfig, rng: random.Random) -> float:
    """The wait after ``attempt`` failed logins (see :mod:`bot.protocols.backoff`)."""
    return config.backoff_policy().delay(attempt, rng)


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


class BattlEyeClient:
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
        self._players: dict[int, Player] = {}
        # Names of the cached players, updated with each change (never rebuilt per message).
        self._names = ev.NameIndex()
        self._client_id: int | None = None
        self._awaiting_own_login = False
        self._deliver = False
        self._deferred: list[str] = []
        self._background: set[asyncio.Task[Any]] = set()
        self._stats_foreign = 0
        self.reconnects = 0

    # --- state ------------------------------------------------------------------------------

    @property
    def client_id(self) -> int | None:
        """Our RCON admin number (from the first ``RCon admin #N ... logged in`` after login)."""
        return self._client_id

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
                    self._on_message(text)
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
        self._awaiting_own_login = True
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
                    self._on_message(event.text)
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
        listed = parse_players(await self.send_command("players"))
        # Bounded like the cache: a hostile server can list any number of "players".
        players = [_clipped(p) for p in listed[:MAX_CACHED_PLAYERS]]
        self._players.clear()
        self._names.clear()
        for player in players:
            self._remember(player)
        return players

    async def fetch_bans(self) -> list[Ban]:
        return parse_bans(await self.send_command("bans"))

    async def fetch_admins(self) -> list[Admin]:
        return parse_admins(await self.send_command("admins"))

    async def fetch_missions(self) -> list[str]:
        return parse_missions(await self.send_command("missions"))

    async def kick(self, player_id: int, reason: str = "") -> str:
        validate_text(reason, what="reason")
        return await self.send_command(f"kick {_as_id(player_id)} {reason}".rstrip())

    async def ban(
        self, id_guid_or_ip: int | str, duration_minutes: int | None = None, reason: str = ""
    ) -> str:
        """Ban a player by id (``ban``), or a GUID/IP (``addBan``); ``None`` minutes = permanent."""
        validate_text(reason, what="reason")
        minutes = 0 if duration_minutes is None else duration_minutes
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
            raise ValueError("duration_minutes must be a non-negative int or None")
        if isinstance(id_guid_or_ip, int) and not isinstance(id_guid_or_ip, bool):
            command = f"ban {_as_id(id_guid_or_ip)} {minutes} {reason}"
            return await self.send_command(command.rstrip())
        target = validate_text(str(id_guid_or_ip), what="GUID or IP")
        if not target or " " in target:
            raise ValueError("a GUID or IP must be one non-empty word")
        return await self.send_command(f"addBan {target} {minutes} {reason}".rstrip())

    async def unban(self, ban_id: int) -> str:
        return await self.send_command(f"removeBan {_as_id(ban_id)}")

    async def send(self, message: str) -> str:
        """Say ``message`` to everyone."""
        return await self.send_command(f"say -1 {validate_text(message, what='message')}")

    async def whisper(self, player_id: int, message: str) -> str:
        text = validate_text(message, what="message")
        return await self.send_command(f"say {_as_id(player_id)} {text}")

    # --- players ----------------------------------------------------------------------------

    @property
    def players(self) -> list[Player]:
        return list(self._players.values())

    def get_player(self, player_id: int) -> Player | None:
        return self._players.get(player_id)

    def _find_by_name(self, name: str) -> Player:
        player_id = self._names.id_of(name)
        player = None if player_id is None else self._players.get(player_id)
        return player if player is not None else Player(id=-1, name=name)

    def _remember(self, player: Player) -> None:
        self._players.pop(player.id, None)
        self._players[player.id] = player  # re-inserted: the newest is evicted last
        self._names.set(player.id, player.name)
        while len(self._players) > MAX_CACHED_PLAYERS:
            oldest = next(iter(self._players))
            self._forget(oldest)

    def _forget(self, player_id: int) -> Player | None:
        self._names.discard(player_id)
        return self._players.pop(player_id, None)

    def _cached(self, player_id: int, name: str) -> Player:
        """The cached player in this slot if the line names the same player, else a new one:
        slots are reused, and the line is the truth."""
        cached = self._players.get(player_id)
        if cached is not None and cached.name == name:
            return cached
        return Player(player_id, name)

    async def _refresh_players(self) -> None:
        try:
            await self.fetch_players()
        except RCONCommandError as exc:
            log.warning("could not fetch players after login: %s", exc)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- messages -> events -----------------------------------------------------------------

    def _on_message(self, text: str) -> None:
        d = self._dispatcher.dispatch
        d("raw_event", text)
        if text.startswith("(") and not self._dispatcher.has_listeners("player_message"):
            # Player chat changes no state: without a listener its typed event is waste.
            return
        event = ev.parse_message(text, self._names)
        if type(event) is ev.UnknownMessage:
            # The usual case on a busy server (kills, mod lines): skip the type tests below.
            return
        if isinstance(event, ev.AdminLogin):
            if self._awaiting_own_login:
                self._awaiting_own_login = False
                self._client_id = event.admin_id
            d("admin_login", event.admin_id, event.addr)
        elif isinstance(event, ev.PlayerConnect):
            player = _clipped(Player(event.player_id, event.name, event.ip, event.port))
            self._remember(player)
            d("player_connect", player)
        elif isinstance(event, ev.PlayerGuid):
            player = replace(self._cached(event.player_id, _clip(event.name)), guid=event.guid)
            self._remember(player)
            d("player_guid", player)
        elif isinstance(event, ev.PlayerVerifyGuid):
            base = self._cached(event.player_id, _clip(event.name))
            player = replace(base, guid=event.guid, guid_verified=True)
            self._remember(player)
            d("player_verify_guid", player)
        elif isinstance(event, ev.PlayerDisconnect):
            player = self._cached(event.player_id, _clip(event.name))
            self._forget(event.player_id)
            d("player_disconnect", player)
        elif isinstance(event, ev.PlayerKick):
            player = self._cached(event.player_id, _clip(event.name))
            if event.guid and player.guid != event.guid:
                player = replace(player, guid=event.guid)
            self._forget(event.player_id)
            d("player_kick", player, event.reason)
        elif isinstance(event, ev.PlayerChat):
            d("player_message", self._find_by_name(_clip(event.name)), event.channel, event.text)
        elif isinstance(event, ev.AdminChat):
            d("admin_message", event.admin_id, event.channel, event.text)
            if event.channel == "Global":
                d("admin_announcement", event.admin_id, event.text)
            elif event.recipient is not None:
                d("admin_whisper", self._find_by_name(_clip(event.recipient)), event.admin_id,
                  event.text)
        elif isinstance(event, ev.BattlEyeNotice):
            d("battleye_notice", event.text)

    # --- listeners --------------------------------------------------------------------------

    def add_listener(self, event: str, func: Listener) -> None:
        """Call ``func`` on ``event`` (``"player_connect"`` or ``"on_player_connect"``)."""
        self._dispatcher.add_listener(event, func)

    def remove_listener(self, event: str, func: Listener) -> None:
        self._dispatcher.remove_listener(event, func)

    def listen(self, event: str | None = None) -> Callable[[F], F]:
        """Decorator form of :meth:`add_listener`; the function name is the default event."""
        return self._dispatcher.listen(event)

    # berconpy's signature (timeout parameter), kept for drop-in use.
    async def wait_for(
        self,
        event: str,
        *,
        check: Listener | None = None,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> tuple[Any, ...]:
        """The arguments of the next ``event`` passing ``check`` (sync or async); TimeoutError."""
        return await self._dispatcher.wait_for(event, check=check, timeout=timeout)


def _clip(name: str) -> str:
    return name[: ev.MAX_NAME]


def _clipped(player: Player) -> Player:
    return player if len(player.name) <= ev.MAX_NAME else replace(player, name=_clip(player.name))


def _as_id(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected a non-negative int id, got {value!r}")
    return value
