"""Minecraft: Java Edition as a query adapter: Server List Ping, with Query for the names.

The status ping (TCP) gives the MOTD, version, counts, a player sample (at most 12 names in
vanilla, sometimes hover text instead of players) and the favicon. For the whole player list
the adapter also asks Query (UDP, same port: ``query.port`` defaults to ``server-port``), in
parallel, and waits for it only a little after the status came: most servers leave Query off,
and a silent UDP port must not cost every poll its whole timeout. A port silent twice in a row
is not asked again for :data:`QUERY_OFF_SECONDS`.

Port 25565 and a host name: ``_minecraft._tcp.HOST`` is looked up first (the vanilla client
does so only for the default port), and status and Query go to the SRV target. The poller
passes resolved addresses, so there this applies only where a name reaches the adapter.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Mapping
from typing import Any

from bot.adapters.caps import ConnectionCap
from bot.adapters.query import JsonValue, QueryError, QueryFailure, QueryResult
from bot.protocols import minecraft
from bot.protocols.minecraft import JavaStatus, QueryStat, SrvResolver
from bot.protocols.minecraft.srv import is_ip_literal
from bot.snapshots import PlayerInfo, ServerInfo

PROTOCOL = "minecraft"
PRODUCT = "Minecraft: Java Edition"
DEFAULT_PORT = minecraft.DEFAULT_PORT
# After the status, Query gets at most this long again (bounded by the call's timeout).
QUERY_GRACE_SECONDS = 0.3
# Silent polls in a row before a port is not asked again for QUERY_OFF_SECONDS.
QUERY_MISSES_OFF = 2
QUERY_OFF_SECONDS = 600.0
# Ports remembered per table; beyond it the oldest are forgotten.
MAX_QUERY_OFF_ENTRIES = 4096
# Share of the timeout the SRV lookup may use (the rest is for the status).
SRV_TIMEOUT_SHARE = 0.5
# Plugins fill the sample with hover text under the nil UUID; those are not players.
NIL_UUIDS = frozenset({"00000000-0000-0000-0000-000000000000", "0" * 32})
# Status pings in flight at once (one TCP connection each, and one Query UDP socket beside
# it); the rest wait inside their own timeout.
MAX_CONNECTIONS = 256
QUERY_OFF_NOTE = "Query is off: set enable-query=true in server.properties for the full player list"


@dataclasses.dataclass(frozen=True, slots=True)
class MinecraftAnswer:
    """The raw side of a Minecraft result: the status, and the Query stat when it answered."""

    status: JavaStatus
    query: QueryStat | None = None


def _failure(exc: minecraft.MinecraftError, host: str, timeout: float) -> QueryError:
    if isinstance(exc, minecraft.MinecraftTimeout):
        failure, detail = QueryFailure.NO_ANSWER, f"no answer within {timeout:g} s"
    elif isinstance(exc, minecraft.MinecraftUnresolved):
        failure, detail = QueryFailure.DNS, f"{host} does not resolve"
    elif isinstance(exc, minecraft.MinecraftUnreachable):
        failure, detail = QueryFailure.NETWORK, "host unreachable"
    elif isinstance(exc, minecraft.MinecraftRefused):
        failure, detail = QueryFailure.UNREACHABLE, "connection refused"
    elif isinstance(exc, minecraft.MinecraftEncodeError):
        failure, detail = QueryFailure.DNS, "host name too long for Minecraft"
    elif isinstance(exc, minecraft.AnswerTooLarge):
        failure, detail = QueryFailure.NOT_THIS_PROTOCOL, "the status answer is too large"
    else:
        failure, detail = QueryFailure.NOT_THIS_PROTOCOL, "the answer is not a Minecraft status"
    return QueryError(failure, detail, protocol=PROTOCOL)


def _one_line(motd: str) -> str:
    return " ".join(line.strip() for line in motd.splitlines() if line.strip())


def _sample_players(status: JavaStatus) -> list[PlayerInfo]:
    sample = status.players.sample if status.players is not None else None
    return [
        PlayerInfo(entry.name, 0, 0.0)
        for entry in sample or ()
        if entry.uuid.lower() not in NIL_UUIDS and entry.name
    ]


def to_server(status: JavaStatus, stat: QueryStat | None, ping_ms: float) -> ServerInfo:
    """The neutral status from a Minecraft status (and a Query stat for the names)."""
    online = status.players.online if status.players is not None else 0
    slots = status.players.max if status.players is not None else 0
    if stat is not None:
        listed = [PlayerInfo(name, 0, 0.0) for name in stat.players]
        known = True
    else:
        listed = _sample_players(status)
        known = status.players is not None and len(listed) >= online
    if status.players is None and stat is not None:
        online, slots = stat.online, stat.max_players
    return ServerInfo(
        name=_one_line(status.motd),
        map=stat.map_name if stat is not None else "",
        players=online,
        max_players=slots,
        bots=0,
        password=False,
        vac=False,
        version=status.version.name if status.version is not None else "",
        product=PRODUCT,
        ping_ms=ping_ms,
        player_list=tuple(listed),
        players_known=known,
    )


class MinecraftAdapter:
    """Server List Ping (legacy ping as fallback) + Query for the player names."""

    protocol = PROTOCOL
    label = "Minecraft status ping"
    transport = "TCP"
    needs_password = False

    def __init__(
        self,
        *,
        resolver: SrvResolver | None = None,
        use_query: bool = True,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self.cap = ConnectionCap(max_connections, protocol=PROTOCOL)
        self._resolver = resolver
        self._use_query = use_query
        # Ports found silent (until when they are left alone), and silent polls in a row.
        self._query_off: dict[tuple[str, int], float] = {}
        self._query_misses: dict[tuple[str, int], int] = {}

    def _query_wanted(self, address: tuple[str, int]) -> bool:
        until = self._query_off.get(address)
        if until is None:
            return True
        if until > time.monotonic():
            return False
        del self._query_off[address]
        return True

    def _note_query(self, address: tuple[str, int], silent: bool) -> None:
        if not silent:
            self._query_misses.pop(address, None)
            return
        misses = self._query_misses.pop(address, 0) + 1
        if misses < QUERY_MISSES_OFF:
            self._remember(self._query_misses, address, misses)
        else:
            self._remember(self._query_off, address, time.monotonic() + QUERY_OFF_SECONDS)

    @staticmethod
    def _remember(table: dict[tuple[str, int], Any], address: tuple[str, int], value: Any) -> None:
        if address not in table and len(table) >= MAX_QUERY_OFF_ENTRIES:
            del table[next(iter(table))]  # the oldest entry
        table[address] = value

    async def _target(
        self,
        host: str,
        port: int,
        timeout: float,  # the SRV part of the caller's timeout
    ) -> tuple[str, int]:
        # Vanilla looks up SRV only for the default port; any other port is exact.
        if port != DEFAULT_PORT:
            return host, port
        try:
            async with asyncio.timeout(timeout):
                return await minecraft.resolve_address(
                    host, None, timeout=timeout * SRV_TIMEOUT_SHARE, resolver=self._resolver
                )
        except TimeoutError:
            raise QueryError(
                QueryFailure.NO_ANSWER, f"no answer within {timeout:g} s", protocol=PROTOCOL
            ) from None

    async def locate(
        self,
        host: str,
        *,
        timeout: float,  # the whole lookup
    ) -> tuple[str, int] | None:
        """Where ``_minecraft._tcp.HOST`` points, or None (no record, or an IP given)."""
        if is_ip_literal(host):
            return None
        try:
            async with asyncio.timeout(timeout):
                found = await minecraft.resolve_address(
                    host, None, timeout=timeout, resolver=self._resolver
                )
        except (TimeoutError, minecraft.MinecraftError, OSError):
            return None
        return None if found == (host, DEFAULT_PORT) else found

    async def query(
        self,
        host: str,
        port: int,
        *,
        timeout: float,  # covers SRV, status and Query together
        players: bool = True,
        password: str | None = None,
    ) -> QueryResult:
        deadline = time.monotonic() + timeout
        target = await self._target(host, port, timeout)
        # The SRV lookup is DNS, not a connection: the cap covers what follows.
        async with self.cap.slot(max(0.0, deadline - time.monotonic())) as remaining:
            started = time.monotonic()
            query_task: asyncio.Task[QueryStat] | None = None
            if players and self._use_query and self._query_wanted(target):
                # Query listens on the status port unless query.port says otherwise.
                query_task = asyncio.create_task(minecraft.query(*target, timeout=remaining))
            try:
                try:
                    status = await minecraft.status(*target, timeout=remaining)
                except minecraft.MinecraftError as exc:
                    raise _failure(exc, host, timeout) from exc
                elapsed = time.monotonic() - started
                stat, silent = await self._collect(query_task, deadline)
            finally:
                if query_task is not None:
                    _discard(query_task)
        if query_task is not None:
            self._note_query(target, silent)
        ping_ms = status.latency_ms if status.latency_ms is not None else elapsed * 1000.0
        server = to_server(status, stat, ping_ms)
        notes: tuple[str, ...] = ()
        # Said while Query is silent or left alone for being silent, when it would have helped.
        query_off = silent or (players and self._use_query and query_task is None)
        if query_off and not server.players_known:
            notes = (QUERY_OFF_NOTE,)
        return QueryResult(server, MinecraftAnswer(status, stat), icon=status.favicon, notes=notes)

    async def _collect(
        self, task: asyncio.Task[QueryStat] | None, deadline: float
    ) -> tuple[QueryStat | None, bool]:
        """The Query stat if it came by the end of the grace, and whether Query was silent.

        Query answers in about one round trip, the status takes two or three; no answer a
        grace after the status counts as silent (Query off, or the datagram lost: hence two
        misses in a row before the port is left alone).
        """
        if task is None:
            return None, False
        grace = min(QUERY_GRACE_SECONDS, max(0.0, deadline - time.monotonic()))
        done, _ = await asyncio.wait({task}, timeout=grace)
        if not done:
            return None, True
        try:
            return task.result(), False
        except minecraft.QueryDisabled:
            return None, True
        except minecraft.MinecraftError:
            return None, False

    def raw_fields(self, raw: object) -> Mapping[str, JsonValue]:
        if not isinstance(raw, MinecraftAnswer):
            return {}
        status = raw.status
        fields: dict[str, JsonValue] = {
            "status": {
                "version": _asdict(status.version),
                "players": _asdict(status.players),
                "motd": status.motd,
                "description": status.description,
                "favicon_bytes": len(status.favicon) if status.favicon is not None else None,
                "enforces_secure_chat": status.enforces_secure_chat,
                "forge_data": status.forge_data,
                "mod_info": status.mod_info,
                "latency_ms": status.latency_ms,
                "legacy": status.legacy,
            }
        }
        if raw.query is not None:
            fields["query"] = dataclasses.asdict(raw.query)
        return fields


def _retrieve(task: asyncio.Task[QueryStat]) -> None:
    if not task.cancelled():
        task.exception()  # looked at, so asyncio does not log it as never retrieved


def _discard(task: asyncio.Task[QueryStat]) -> None:
    """Stop ``task`` if it still runs, without waiting (and without swallowing our own
    cancellation, as awaiting it under a suppress would)."""
    if not task.done():
        task.cancel()
    task.add_done_callback(_retrieve)


def _asdict(value: Any) -> JsonValue:
    return dataclasses.asdict(value) if value is not None else None
