"""One authenticated console connection per server, shared by every command and the live feed.

Each server's connection is a session of its game's admin adapter (:mod:`bot.adapters`:
Source RCON, BattlEye RCon, …); the pool only keeps them: one per server, started when held
or used, replaced when the server's settings change, closed when idle. A refused password is
never sent again on its own (srcds bans the IP after a few failures): the session stays
``AUTH_FAILED`` and every call fails fast with :class:`RconAuthError` until the server's
settings change (:meth:`RconPool.sync` or :meth:`RconPool.forget`, called from the registry's
change listener).

Connections nobody holds and nobody used for ``idle_timeout`` seconds are closed on the next
call, so a server used once does not keep a socket (and a reconnect loop) forever.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bot.adapters.admin import (
    AddressNotAllowed,
    AdminSession,
    AdminTarget,
    Listener,
    SessionOptions,
    SessionState,
)
from bot.adapters.battleye import BattlEyeSession
from bot.adapters.registry import AdminAdapters, default_admin_adapters
from bot.crypto import DecryptionError
from bot.games import get_game
from bot.metrics import NO_METRICS, Metrics
from bot.protocols import battleye as be
from bot.services.rcon.errors import (
    RconAuthError,
    RconError,
    RconNotConfigured,
    RconUnavailable,
)
from bot.services.servers.addresses import INTERNAL_REFUSED
from bot.services.servers.resolver import AddressRefused, Resolver
from bot.services.tasks import TaskSet
from bot.sharding import ShardFilter
from bot.storage import Server

log = logging.getLogger(__name__)

PasswordOf = Callable[[Server], str | None]
# The pool's connection states are the sessions' (one name for one thing).
ConnectionState = SessionState


@dataclass(frozen=True, slots=True)
class _Fingerprint:
    """What a connection depends on: when it changes, the old connection is stale."""

    protocol: str
    host: str
    port: int
    game: str
    token: str | None = field(repr=False)


class _Entry:
    """The session of one server, and who uses it."""

    def __init__(self, server: Server, fingerprint: _Fingerprint, session: AdminSession) -> None:
        self.server = server
        self.fingerprint = fingerprint
        self.session = session
        self.holds = 0
        self.last_used = 0.0


class RconPool:
    """One authenticated connection per server (any admin protocol), reused across
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
        adapters: AdminAdapters | None = None,
    ) -> None:
        self._password_of = password_of
        # With ALLOW_PRIVATE_ADDRESSES off, every connection attempt resolves the host here,
        # checks it and connects to that very address (see _target_host).
        self._resolver = resolver
        self.shards = shards if shards is not None else ShardFilter.everything()
        self.metrics = metrics
        self.command_timeout = command_timeout
        self.idle_timeout = idle_timeout
        self.adapters = (
            adapters if adapters is not None else default_admin_adapters(battleye_config)
        )
        self.options = SessionOptions(
            connect_timeout=connect_timeout,
            backoff_initial=backoff_initial,
            backoff_max=max(backoff_max, backoff_initial),
            rng=rng or random.Random(),
        )
        self._entries: dict[int, _Entry] = {}
        self._listeners: dict[int, list[tuple[str, Listener]]] = {}
        self._closed = False
        self._closing: TaskSet[None] = TaskSet()

    @property
    def connect_timeout(self) -> float:
        return self.options.connect_timeout

    # -- public API ------------------------------------------------------------------------------

    async def execute(
        self,
        server: Server,
        command: str,
        *,
        timeout: float | None = None,  # covers waiting and the command
    ) -> str:
        """Run ``command`` on the server's console and return the answer text."""
        game = get_game(server.game)
        protocol = _metric_name(game.admin_protocol if game is not None else None)
        limit = self.command_timeout if timeout is None else timeout
        try:
            entry = await self._entry(server)
            entry.last_used = asyncio.get_running_loop().time()
            await self._check_address(entry)
            answer = await entry.session.execute(command, timeout=limit)
        except RconError as exc:
            self.metrics.rcon_command(protocol, type(exc).__name__)
            raise
        self.metrics.rcon_command(protocol, "ok")
        return answer

    async def session(self, server: Server) -> AdminSession:
        """The server's session, started (kept up while in use)."""
        entry = await self._entry(server)
        entry.last_used = asyncio.get_running_loop().time()
        await self._check_address(entry)
        entry.session.start()
        return entry.session

    async def battleye(self, server: Server) -> be.BattlEyeClient:
        """The server's BattlEye client, connected and logged in (kept up while in use)."""
        session = await self.session(server)
        if not isinstance(session, BattlEyeSession):
            raise RconNotConfigured(key="rcon.not_battleye", server=repr(server.name))
        return await session.ready(self.connect_timeout)

    def hold(self, server: Server) -> None:
        """Keep this server's connection up (and not closed as idle) until :meth:`release`.

        The connection starts now, in the background: the feed listens to it. A server of a
        guild another process's shards own is not held here (that process holds it), so two
        processes never keep the same connection.
        """
        self._check_open()
        if not self.shards.owns(server.guild_id):
            log.debug("not holding server %d: its guild belongs to another shard", server.id)
            return
        entry = self._entry_now(server)
        entry.holds += 1
        entry.session.start()

    def release(self, server: Server) -> None:
        entry = self._entries.get(server.id)
        if entry is not None and entry.holds > 0:
            entry.holds -= 1
            entry.last_used = asyncio.get_running_loop().time()

    def add_listener(self, server_id: int, event: str, listener: Listener) -> None:
        """Listen to a pushed event of this server's console; kept across reconnects and new
        sessions (the event names are the protocol's)."""
        self._listeners.setdefault(server_id, []).append((event, listener))
        entry = self._entries.get(server_id)
        if entry is not None:
            entry.session.add_listener(event, listener)

    def remove_listener(self, server_id: int, event: str, listener: Listener) -> None:
        listeners = self._listeners.get(server_id, [])
        if (event, listener) in listeners:
            listeners.remove((event, listener))
        entry = self._entries.get(server_id)
        if entry is not None:
            entry.session.remove_listener(event, listener)

    # The feed's names from when BattlEye was the only protocol that pushed events.
    add_battleye_listener = add_listener
    remove_battleye_listener = remove_listener

    def live_battleye(self, host: str, port: int, token: str | None) -> be.BattlEyeClient | None:
        """A logged-in pooled client for this address logged in with the stored password
        ``token`` (the encrypted form), if one is up (never connects)."""
        if token is None:
            return None
        for entry in self._entries.values():
            fp, session = entry.fingerprint, entry.session
            if (
                isinstance(session, BattlEyeSession)
                and (fp.host, fp.port) == (host, port)
                and fp.token == token
                and session.connected
            ):
                return session.client
        return None

    def state(self, server_id: int) -> ConnectionState:
        entry = self._entries.get(server_id)
        return entry.session.state if entry is not None else ConnectionState.IDLE

    def connection_counts(self) -> dict[tuple[str, ...], float]:
        """Open connections by protocol and state (the metrics read it at each scrape)."""
        counts: dict[tuple[str, ...], float] = {}
        for server_id, entry in list(self._entries.items()):
            key = (_metric_name(entry.fingerprint.protocol), self.state(server_id).value)
            counts[key] = counts.get(key, 0.0) + 1.0
        return counts

    async def forget(self, server_id: int) -> None:
        """Close the server's connection (edited or removed); the next call reconnects."""
        entry = self._entries.pop(server_id, None)
        if entry is not None:
            await entry.session.close()

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
            await entry.session.close()
        await self._closing.wait_idle()

    def password_for(self, server: Server) -> str | None:
        """The server's own password, to mask it in what the server answered (None when
        none is stored or the key cannot open it)."""
        try:
            return self._password_of(server)
        except DecryptionError:
            return None

    # -- entries ---------------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise RconUnavailable(key="rcon.shutting_down")

    def _entry_now(self, server: Server) -> _Entry:
        fingerprint = _fingerprint(server)
        entry = self._entries.get(server.id)
        if entry is not None and entry.fingerprint == fingerprint:
            if entry.server.name != server.name:
                entry.session.rename(server.name)  # a rename keeps the connection
            entry.server = server
            return entry
        if entry is not None:
            # Settings changed without a sync (race with the listener): close in the background.
            del self._entries[server.id]
            self._closing.start(entry.session.close())
        entry = _Entry(server, fingerprint, self._open(server, fingerprint))
        entry.last_used = asyncio.get_running_loop().time()
        self._entries[server.id] = entry
        return entry

    def _open(self, server: Server, fp: _Fingerprint) -> AdminSession:
        game = get_game(fp.game)
        target = AdminTarget(
            server_id=server.id,
            name=server.name,
            host=fp.host,
            port=fp.port,
            # Looked up per session, never kept on the entry: the fingerprint keeps only the
            # encrypted token, to notice edits.
            password=self._secret_of(server),
            profile=game.rcon_profile if game is not None else None,
            resolve=lambda host: self._target_host(host, server.guild_id),
        )
        session = self.adapters.adapter(fp.protocol).open(target, self.options)
        for event, listener in self._listeners.get(server.id, []):
            session.add_listener(event, listener)
        return session

    async def _entry(self, server: Server) -> _Entry:
        self._check_open()
        await self._reap_idle(keep=server.id)
        return self._entry_now(server)

    async def _reap_idle(self, keep: int) -> None:
        now = asyncio.get_running_loop().time()
        for server_id, entry in list(self._entries.items()):
            if server_id == keep or entry.holds > 0:
                continue
            if entry.session.state is SessionState.AUTH_FAILED:
                continue  # keeps the "do not retry" mark until the server is edited
            if now - entry.last_used >= self.idle_timeout:
                log.debug("closing idle RCON connection of server %s", server_id)
                await self.forget(server_id)

    # -- addresses -------------------------------------------------------------------------------

    async def _target_host(self, host: str, guild_id: int) -> str:
        """Where a connection attempt goes: the stored host, or, when internal addresses are
        refused, the address it resolves to now (checked; AddressNotAllowed or another
        OSError). Per attempt, since a name can be pointed at an internal address later (DNS
        rebinding), and a server may have been saved before the setting was turned off."""
        resolver = self._resolver
        if resolver is None or resolver.allow_private:
            return host
        try:
            return await resolver.resolve(host, guild_id)
        except AddressRefused:
            raise AddressNotAllowed(INTERNAL_REFUSED) from None

    async def _check_address(self, entry: _Entry) -> None:
        """Fail a command at once, with the reason, rather than after the connect timeout."""
        try:
            await self._target_host(entry.fingerprint.host, entry.server.guild_id)
        except AddressNotAllowed:
            raise RconUnavailable(
                key="rcon.internal_refused", server=repr(entry.server.name)
            ) from None
        except OSError:
            pass  # a name that does not resolve: the connection path reports it

    def _secret_of(self, server: Server) -> str:
        password = self._password_of(server)
        if not password:
            raise RconNotConfigured(key="rcon.no_password", server=repr(server.name))
        return password


def _metric_name(protocol: str | None) -> str:
    # Metric label values stay what dashboards already use ("source", "battleye", "none").
    if protocol is None:
        return "none"
    return "source" if protocol == "source_rcon" else protocol


def _fingerprint(server: Server) -> _Fingerprint:
    game = get_game(server.game)
    protocol = game.admin_protocol if game is not None else None
    if protocol is None or server.rcon_port is None:
        raise RconNotConfigured(key="rcon.not_configured", server=repr(server.name))
    if server.rcon_password is None:
        raise RconNotConfigured(key="rcon.no_password", server=repr(server.name))
    return _Fingerprint(protocol, server.host, server.rcon_port, server.game, server.rcon_password)


__all__ = ["ConnectionState", "RconAuthError", "RconError", "RconPool"]
