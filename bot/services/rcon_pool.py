"""One authenticated RCON connection per server, shared by every command and the live feed.

Source RCON servers get an :class:`~bot.protocols.rcon.RCONSupervisor` (TCP, reconnects with
backoff and jitter); BattlEye servers get a :class:`~bot.protocols.be.BattlEyeClient` kept
logged in by a runner task here. A refused password is never sent again on its own (srcds bans
the IP after a few failures): the entry is marked and every call fails fast with
:class:`RconAuthError` until the server's settings change (:meth:`RconPool.sync` or
:meth:`RconPool.forget`, called from the registry's change listener).

Connections nobody holds and nobody used for ``idle_timeout`` seconds are closed on the next
call, so a server used once does not keep a socket (and a reconnect loop) forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from bot.crypto import DecryptionError
from bot.games import RconKind, get_game
from bot.metrics import NO_METRICS, Metrics
from bot.protocols import battleye as be
from bot.protocols import rcon
from bot.protocols.backoff import Backoff, BackoffPolicy
from bot.services.addresses import INTERNAL_REFUSED
from bot.services.rcon_errors import (
    RconAuthError,
    RconError,
    RconInvalidInput,
    RconLoginDropped,
    RconNotConfigured,
    RconRefused,
    RconTimeout,
    RconUnavailable,
)
from bot.services.resolver import AddressRefused, Resolver
from bot.sharding import ShardFilter
from bot.storage import Server

log = logging.getLogger(__name__)

PasswordOf = Callable[[Server], str | None]
Listener = Callable[..., Any]


class _AddressRefusedError(rcon.RCONCommunicationError):
    """The host resolves to an internal address and those are refused (no traffic sent)."""


class ConnectionState(enum.Enum):
    IDLE = "idle"  # no connection (never used, or closed as idle)
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"  # lost or not reachable; retrying with backoff
    AUTH_FAILED = "auth_failed"  # password refused: no retry until the server is edited


@dataclass(frozen=True, slots=True)
class _Fingerprint:
    """What a connection depends on: when it changes, the old connection is stale."""

    kind: RconKind
    host: str
    port: int
    game: str
    token: str | None = field(repr=False)


class _Entry:
    """The connection of one server (either protocol)."""

    def __init__(self, server: Server, fingerprint: _Fingerprint) -> None:
        self.server = server
        self.server_id = server.id
        self.fingerprint = fingerprint
        self.state = ConnectionState.IDLE
        self.holds = 0
        self.last_used = 0.0
        self.supervisor: rcon.RCONSupervisor | None = None
        self.client: be.BattlEyeClient | None = None
        self.runner: asyncio.Task[None] | None = None
        self.stop = asyncio.Event()
        self._changed = asyncio.Event()

    @property
    def name(self) -> str:
        return self.server.name

    def set_state(self, state: ConnectionState) -> None:
        if state is self.state:
            return
        self.state = state
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def wait_changed(self, limit: float) -> None:
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(limit):
                await changed.wait()

    async def close(self) -> None:
        self.stop.set()
        supervisor, self.supervisor = self.supervisor, None
        if supervisor is not None:
            await supervisor.stop()
        client = self.client
        if client is not None:
            client.close()
        runner, self.runner = self.runner, None
        if runner is not None:
            runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
        self.set_state(ConnectionState.IDLE)


_SUPERVISOR_STATES = {
    rcon.SupervisorState.IDLE: ConnectionState.CONNECTING,
    rcon.SupervisorState.CONNECTING: ConnectionState.CONNECTING,
    rcon.SupervisorState.CONNECTED: ConnectionState.CONNECTED,
    rcon.SupervisorState.BACKOFF: ConnectionState.RECONNECTING,
    rcon.SupervisorState.AUTH_FAILED: ConnectionState.AUTH_FAILED,
    rcon.SupervisorState.STOPPED: ConnectionState.IDLE,
}


class RconPool:
    """One authenticated connection per server (Source RCON or BattlEye), reused across
    commands, reconnected with backoff; a wrong password is never retried in a loop."""

    def __init__(
        self,
        password_of: PasswordOf,
        *,
        connect_timeout: float = 5.0,
        command_timeout: float = 10.0,
        backoff_initial: float = 1.0,
        backoff_max: float = 60.0,
        idle_timeout: float = 300.0,
        battleye_config: be.ClientConfig | None = None,
        rng: random.Random | None = None,
        shards: ShardFilter | None = None,
        metrics: Metrics = NO_METRICS,
        resolver: Resolver | None = None,
    ) -> None:
        self._password_of = password_of
        # With ALLOW_PRIVATE_ADDRESSES off, every connection attempt resolves the host here,
        # checks it and connects to that very address (see _target_host).
        self._resolver = resolver
        self.shards = shards if shards is not None else ShardFilter.everything()
        self.metrics = metrics
        self.connect_timeout = connect_timeout
        self.command_timeout = command_timeout
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.idle_timeout = idle_timeout
        # BattlEye logins are one cheap datagram: the first re-login after a loss goes out at
        # once and the backoff stays short, so a restarted server is back within seconds.
        self._battleye_config = battleye_config or be.ClientConfig(
            login_timeout=connect_timeout / 2,
            login_attempts=2,
            reconnect_delay=0.0,
            backoff_base=backoff_initial,
            backoff_max=max(backoff_initial, min(backoff_max, be.client.RECONNECT_BACKOFF_MAX)),
        )
        self._rng = rng or random.Random()
        self._entries: dict[int, _Entry] = {}
        self._listeners: dict[int, list[tuple[str, Listener]]] = {}
        self._closed = False
        self._closing: set[asyncio.Task[None]] = set()

    # -- public API ------------------------------------------------------------------------------

    async def execute(
        self,
        server: Server,
        command: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - covers waiting and the command
    ) -> str:
        """Run ``command`` on either protocol and return the answer text."""
        game = get_game(server.game)
        kind = game.rcon.value if game is not None else RconKind.NONE.value
        try:
            answer = await self._execute(
                server, command, self.command_timeout if timeout is None else timeout
            )
        except RconError as exc:
            self.metrics.rcon_command(kind, type(exc).__name__)
            raise
        self.metrics.rcon_command(kind, "ok")
        return answer

    async def _execute(self, server: Server, command: str, limit: float) -> str:
        entry = await self._entry(server)
        entry.last_used = asyncio.get_running_loop().time()
        await self._check_address(entry)
        if entry.fingerprint.kind is RconKind.SOURCE:
            return await self._execute_source(entry, command, limit)
        client = await self._ready_battleye(entry, limit)
        try:
            async with asyncio.timeout(limit):
                return await client.send_command(command)
        except be.CommandValidationError as exc:
            raise RconInvalidInput(f"This command cannot be sent: {exc}.") from None
        except be.NotConnected:
            raise RconUnavailable(f"{entry.name!r} is not connected (reconnecting).") from None
        except be.RCONCommandError as exc:
            if be.client.DISALLOWED in str(exc):
                raise RconRefused(
                    f"{entry.name!r} refused the command (BattlEye RestrictRCon)."
                ) from None
            raise RconUnavailable(f"{entry.name!r} did not answer the command.") from None
        except TimeoutError:
            raise RconTimeout(f"{entry.name!r} did not answer within {limit:g} s.") from None

    async def battleye(self, server: Server) -> be.BattlEyeClient:
        """The server's BattlEye client, connected and logged in (kept up while in use)."""
        entry = await self._entry(server)
        if entry.fingerprint.kind is not RconKind.BATTLEYE:
            raise RconNotConfigured(f"{server.name!r} does not use BattlEye RCon.")
        entry.last_used = asyncio.get_running_loop().time()
        await self._check_address(entry)
        return await self._ready_battleye(entry, self.connect_timeout)

    def hold(self, server: Server) -> None:
        """Keep this server's connection up (and not closed as idle) until :meth:`release`.

        For BattlEye the connection starts now, in the background: the feed listens to it.
        A server of a guild another process's shards own is not held here (that process
        holds it), so two processes never keep the same connection.
        """
        self._check_open()
        if not self.shards.owns(server.guild_id):
            log.debug("not holding server %d: its guild belongs to another shard", server.id)
            return
        entry = self._entry_now(server)
        entry.holds += 1
        if entry.fingerprint.kind is RconKind.BATTLEYE:
            self._start_battleye(entry)
        else:
            self._start_source(entry)

    def release(self, server: Server) -> None:
        entry = self._entries.get(server.id)
        if entry is not None and entry.holds > 0:
            entry.holds -= 1
            entry.last_used = asyncio.get_running_loop().time()

    def add_battleye_listener(self, server_id: int, event: str, coro: Listener) -> None:
        """Listen to a BattlEye event of this server; kept across reconnects and new clients."""
        self._listeners.setdefault(server_id, []).append((event, coro))
        entry = self._entries.get(server_id)
        if entry is not None and entry.client is not None:
            entry.client.add_listener(event, coro)

    def remove_battleye_listener(self, server_id: int, event: str, coro: Listener) -> None:
        listeners = self._listeners.get(server_id, [])
        if (event, coro) in listeners:
            listeners.remove((event, coro))
        entry = self._entries.get(server_id)
        if entry is not None and entry.client is not None:
            entry.client.remove_listener(event, coro)

    def live_battleye(self, host: str, port: int, token: str | None) -> be.BattlEyeClient | None:
        """A logged-in pooled client for this address logged in with the stored password
        ``token`` (the encrypted form), if one is up (never connects)."""
        if token is None:
            return None
        for entry in self._entries.values():
            fp, client = entry.fingerprint, entry.client
            if (
                fp.kind is RconKind.BATTLEYE
                and (fp.host, fp.port) == (host, port)
                and fp.token == token
                and client is not None
                and client.is_connected()
            ):
                return client
        return None

    def state(self, server_id: int) -> ConnectionState:
        entry = self._entries.get(server_id)
        if entry is None:
            return ConnectionState.IDLE
        if entry.supervisor is not None:
            return _SUPERVISOR_STATES[entry.supervisor.state]
        if entry.state is ConnectionState.CONNECTED and (
            entry.client is None or not entry.client.is_connected()
        ):
            return ConnectionState.RECONNECTING
        return entry.state

    def connection_counts(self) -> dict[tuple[str, ...], float]:
        """Open connections by protocol and state (the metrics read it at each scrape)."""
        counts: dict[tuple[str, ...], float] = {}
        for server_id, entry in list(self._entries.items()):
            key = (entry.fingerprint.kind.value, self.state(server_id).value)
            counts[key] = counts.get(key, 0.0) + 1.0
        return counts

    async def forget(self, server_id: int) -> None:
        """Close the server's connection (edited or removed); the next call reconnects."""
        entry = self._entries.pop(server_id, None)
        if entry is not None:
            await entry.close()

    async def sync(self, servers: Iterable[Server]) -> None:
        """Drop the connections of removed servers and of servers whose address, game or
        password changed (a refused password is tried again only after such an edit)."""
        current = {s.id: s for s in servers}
        for server_id, entry in list(self._entries.items()):
            server = current.get(server_id)
            if server is None or _fingerprint(server) != entry.fingerprint:
                await self.forget(server_id)

    async def close(self) -> None:
        self._closed = True
        entries = list(self._entries.values())
        self._entries.clear()
        for entry in entries:
            await entry.close()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)

    # -- entries ---------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise RconUnavailable("The bot is shutting down.")

    def _entry_now(self, server: Server) -> _Entry:
        fingerprint = _fingerprint(server)
        entry = self._entries.get(server.id)
        if entry is not None and entry.fingerprint == fingerprint:
            entry.server = server  # a rename keeps the connection
            return entry
        if entry is not None:
            # Settings changed without a sync (race with the listener): close in the background.
            del self._entries[server.id]
            task = asyncio.get_running_loop().create_task(entry.close())
            self._closing.add(task)  # a strong reference until it is done
            task.add_done_callback(self._closing.discard)
        entry = _Entry(server, fingerprint)
        entry.last_used = asyncio.get_running_loop().time()
        self._entries[server.id] = entry
        return entry

    async def _entry(self, server: Server) -> _Entry:
        self._check_open()
        await self._reap_idle(keep=server.id)
        return self._entry_now(server)

    async def _reap_idle(self, keep: int) -> None:
        now = asyncio.get_running_loop().time()
        for server_id, entry in list(self._entries.items()):
            if server_id == keep or entry.holds > 0:
                continue
            if entry.state is ConnectionState.AUTH_FAILED or (
                entry.supervisor is not None
                and entry.supervisor.state is rcon.SupervisorState.AUTH_FAILED
            ):
                continue  # keeps the "do not retry" mark until the server is edited
            if now - entry.last_used >= self.idle_timeout:
                log.debug("closing idle RCON connection of server %s", server_id)
                await self.forget(server_id)

    # -- addresses -------------------------------------------------------------------------------

    async def _target_host(self, entry: _Entry) -> str:
        """Where a connection attempt goes: the stored host, or, when internal addresses are
        refused, the address it resolves to now (checked; AddressRefused or another OSError).
        Per attempt, since a name can be pointed at an internal address later (DNS
        rebinding), and a server may have been saved before the setting was turned off."""
        resolver = self._resolver
        if resolver is None or resolver.allow_private:
            return entry.fingerprint.host
        return await resolver.resolve(entry.fingerprint.host, entry.server.guild_id)

    async def _check_address(self, entry: _Entry) -> None:
        """Fail a command at once, with the reason, rather than after the connect timeout."""
        try:
            await self._target_host(entry)
        except AddressRefused:
            raise RconUnavailable(f"{entry.name!r}: {INTERNAL_REFUSED}") from None
        except OSError:
            pass  # a name that does not resolve: the connection path reports it

    # -- Source RCON -----------------------------------------------------------------------------

    def _start_source(self, entry: _Entry) -> rcon.RCONSupervisor:
        if entry.supervisor is not None:
            return entry.supervisor
        fp = entry.fingerprint
        game = get_game(fp.game)
        supervisor = rcon.RCONSupervisor(
            (fp.host, fp.port),
            self._secret_of(entry),
            # The game's profile; None lets the client recognise id-zeroing servers at login.
            profile=game.rcon_profile if game is not None else None,
            timeout=self.connect_timeout,
            backoff_initial=self.backoff_initial,
            backoff_max=max(self.backoff_max, self.backoff_initial),
            rng=self._rng,
            resolve_host=lambda _host: self._source_host(entry),
        )
        entry.supervisor = supervisor
        supervisor.start()
        return supervisor

    async def _source_host(self, entry: _Entry) -> str:
        try:
            return await self._target_host(entry)
        except AddressRefused:
            raise _AddressRefusedError(INTERNAL_REFUSED) from None
        except OSError:
            raise rcon.RCONCommunicationError("the host name does not resolve") from None

    async def _execute_source(self, entry: _Entry, command: str, limit: float) -> str:
        supervisor = self._start_source(entry)
        try:
            await supervisor.wait_connected(min(limit, self.connect_timeout))
        except rcon.RCONAuthenticationError:
            raise _auth_error(entry.name, supervisor) from None
        except rcon.RCONError:
            if isinstance(supervisor.last_error, _AddressRefusedError):
                raise RconUnavailable(f"{entry.name!r}: {INTERNAL_REFUSED}") from None
            if isinstance(supervisor.last_error, rcon.RCONAuthDroppedError):
                # Not "wrong password": retried with backoff (see RCONAuthDroppedError).
                raise RconUnavailable(
                    f"{entry.name!r} closed the connection during the RCON login (restarting, "
                    "or it banned this IP after failed logins); retrying."
                ) from None
            raise RconUnavailable(
                f"{entry.name!r} is offline or its RCON port does not answer."
            ) from None
        try:
            return await supervisor.execute(command, timeout=limit)
        except rcon.RCONAuthenticationError:
            raise _auth_error(entry.name, supervisor) from None
        except rcon.RCONTimeoutError:
            raise RconTimeout(f"{entry.name!r} did not answer within {limit:g} s.") from None
        except rcon.RCONMessageError:
            raise RconInvalidInput("This command is too long to send over RCON.") from None
        except rcon.RCONBudgetExceededError as exc:
            raise RconUnavailable(
                f"{entry.name!r} sent an answer larger than {exc.budget // 1024} KiB; "
                "the bot dropped the connection."
            ) from None
        except rcon.RCONError:
            raise RconUnavailable(
                f"The RCON connection to {entry.name!r} broke; the command may not have run."
            ) from None

    # -- BattlEye --------------------------------------------------------------------------------

    def _start_battleye(self, entry: _Entry) -> None:
        running = entry.runner is not None and not entry.runner.done()
        if running or entry.state is ConnectionState.AUTH_FAILED:
            return
        password = self._secret_of(entry)
        entry.set_state(ConnectionState.CONNECTING)
        entry.runner = asyncio.get_running_loop().create_task(
            self._run_battleye(entry, password), name=f"rcon-pool:battleye:{entry.server_id}"
        )

    async def _run_battleye(self, entry: _Entry, password: str) -> None:
        fp = entry.fingerprint
        # The client logs in again by itself after every loss, with its backoff: this runner
        # only holds it open and mirrors its login/disconnect events into the entry's state.
        host = await self._battleye_host(entry)
        if host is None:
            return  # stopped while the address could not be used
        config = replace(self._battleye_config, login_attempts=None)
        client = be.BattlEyeClient(config, rng=self._rng)
        for event, func in self._listeners.get(entry.server_id, []):
            client.add_listener(event, func)
        client.add_listener("login", lambda: entry.set_state(ConnectionState.CONNECTED))
        client.add_listener("disconnect", lambda: entry.set_state(ConnectionState.RECONNECTING))
        entry.client = client
        try:
            async with client.connect(host, fp.port, password):
                await entry.stop.wait()
        except be.LoginRefused:
            log.error(
                "BattlEye RCon of server %s refused the password; not retrying", entry.server_id
            )
            entry.set_state(ConnectionState.AUTH_FAILED)
        except be.CommandValidationError:
            # A password BattlEye cannot carry (control characters): as good as refused.
            entry.set_state(ConnectionState.AUTH_FAILED)
        except be.LoginFailure:
            entry.set_state(ConnectionState.IDLE)  # closed before the first login
        except Exception:
            # Not a network or login problem: a bug or bad settings. Logged once here; the
            # waiting command fails now and the next one starts a fresh runner.
            log.exception("BattlEye RCon of server %s failed", entry.server_id)
            entry.set_state(ConnectionState.IDLE)
        finally:
            client.close()
            if entry.client is client:
                entry.client = None

    async def _battleye_host(self, entry: _Entry) -> str | None:
        """The checked address the client logs in at (pinned for the client's life, so a name
        re-pointed at an internal address later is never followed); while the lookup fails or
        the address is refused, retried with backoff. None when the entry stopped meanwhile."""
        backoff = Backoff(
            BackoffPolicy(
                initial=self._battleye_config.backoff_base,
                maximum=self._battleye_config.backoff_max,
            ),
            rng=self._rng,
        )
        while not entry.stop.is_set():
            try:
                return await self._target_host(entry)
            except OSError as exc:  # AddressRefused included: only a lookup was sent
                delay = backoff.failed()
                log.info(
                    "BattlEye RCon of server %s: %s; retry in %.2f s",
                    entry.server_id,
                    type(exc).__name__,
                    delay,
                )
                entry.set_state(ConnectionState.RECONNECTING)
                if await backoff.wait(delay, entry.stop):
                    break
        return None

    async def _ready_battleye(self, entry: _Entry, limit: float) -> be.BattlEyeClient:
        self._start_battleye(entry)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(limit, self.connect_timeout)
        while True:
            if entry.state is ConnectionState.AUTH_FAILED:
                raise RconAuthError(entry.name)
            if entry.runner is not None and entry.runner.done():
                raise RconUnavailable(
                    f"The BattlEye RCon connection to {entry.name!r} failed; see the bot's log."
                )
            client = entry.client
            if (
                entry.state is ConnectionState.CONNECTED
                and client is not None
                and client.is_connected()
            ):
                return client
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise RconUnavailable(
                    f"{entry.name!r} is offline or its BattlEye RCon port does not answer."
                )
            await entry.wait_changed(remaining)

    def password_for(self, server: Server) -> str | None:
        """The server's own password, to mask it in what the server answered (None when
        none is stored or the key cannot open it)."""
        try:
            return self._password_of(server)
        except DecryptionError:
            return None

    def _secret_of(self, entry: _Entry) -> str:
        # Looked up per connection, never stored on the entry: the fingerprint keeps only the
        # encrypted token, to notice edits.
        password = self._password_of(entry.server)
        if not password:
            raise RconNotConfigured(f"{entry.name!r} has no RCON password stored.")
        return password


def _auth_error(name: str, supervisor: rcon.RCONSupervisor) -> RconAuthError:
    # Stopped after logins the server kept closing, or after an explicit refusal.
    if isinstance(supervisor.last_error, rcon.RCONAuthDroppedError):
        return RconLoginDropped(name)
    return RconAuthError(name)


def _fingerprint(server: Server) -> _Fingerprint:
    game = get_game(server.game)
    kind = game.rcon if game is not None else RconKind.NONE
    if kind is RconKind.NONE or server.rcon_port is None:
        raise RconNotConfigured(f"{server.name!r} has no RCON configured.")
    if server.rcon_password is None:
        raise RconNotConfigured(f"{server.name!r} has no RCON password stored.")
    return _Fingerprint(kind, server.host, server.rcon_port, server.game, server.rcon_password)


__all__ = ["ConnectionState", "RconError", "RconPool"]
