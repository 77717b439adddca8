"""The one poller: every registered server's status, once per ``POLL_INTERVAL``.

Each round reads the registry, groups servers by queried address (servers of several guilds at
one address are queried once), queries every address concurrently with its own time bound, folds
the results into :class:`~bot.snapshots.Snapshot` values through the hysteresis rule,
writes one history sample per address, and tells the listeners (boards, alerts, presence).
A failing query, listener or database write is logged; nothing stops the loop.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace

from bot.adapters.registry import QUERY_NEEDS_PASSWORD
from bot.crypto import DecryptionError
from bot.games import RconKind, get_game, query_protocol_of
from bot.metrics import NO_METRICS, Metrics
from bot.services.servers.resolver import Resolver
from bot.services.status.failures import FailureReasons
from bot.services.status.gc_pause import gc_paused
from bot.services.status.player_names import PollContext, RconAccess, access_key
from bot.services.status.status_source import StatusSource
from bot.sharding import ShardFilter
from bot.snapshots import Hysteresis, ServerInfo, Snapshot, State, Target
from bot.storage import Server, Store
from bot.storage.history import Sample

log = logging.getLogger(__name__)

DEFAULT_QUERY_TIMEOUT = 3.0
# A live query for /status runs after the interaction was deferred (15 min window); this keeps
# the user's wait short.
DEFAULT_LIVE_TIMEOUT = 4.0
DEFAULT_RETENTION_DAYS = 30
DEFAULT_CONCURRENCY = 512
PRUNE_EVERY = 3600.0
# Slack above the query's own bound before the poller gives up on it (a hostile or buggy source
# must not hold the round).
_GUARD = 0.5

PasswordReader = Callable[[Server], str | None]


@dataclass(frozen=True, slots=True)
class Transition:
    """A target whose decided state changed during a round."""

    target: Target
    before: Snapshot
    after: Snapshot


@dataclass(frozen=True, slots=True)
class RoundReport:
    number: int
    started_at: float  # wall clock, also the time of the round's history samples
    duration: float  # seconds (monotonic)
    targets: int
    answered: int
    transitions: tuple[Transition, ...] = ()


Listener = Callable[[RoundReport], Awaitable[None]]


@dataclass(slots=True)
class _Roster:
    servers: list[Server] = field(default_factory=list)
    by_guild: dict[int, list[Server]] = field(default_factory=dict)
    by_id: dict[int, Server] = field(default_factory=dict)


def target_of(server: Server) -> Target:
    """The polled address of a server, asked in its game's query protocol."""
    return Target.of(server.host, server.query_port, query_protocol_of(server.game))


class Poller:
    def __init__(
        self,
        store: Store,
        source: StatusSource,
        *,
        interval: float,
        hysteresis: Hysteresis | None = None,
        query_timeout: float = DEFAULT_QUERY_TIMEOUT,
        retention_days: float = DEFAULT_RETENTION_DAYS,
        concurrency: int = DEFAULT_CONCURRENCY,
        password_of: PasswordReader | None = None,
        resolver: Resolver | None = None,
        clock: Callable[[], float] = time.time,
        shards: ShardFilter | None = None,
        metrics: Metrics = NO_METRICS,
        audit_retention_days: float | None = None,
    ) -> None:
        self.store = store
        # None: the audit log is kept for ever (tools and tests that build a bare poller).
        self.audit_retention = (
            audit_retention_days * 86400.0 if audit_retention_days is not None else None
        )
        # Only the guilds of this process's shards are polled (see bot.sharding).
        self.shards = shards if shards is not None else ShardFilter.everything()
        self.metrics = metrics
        self.source = source
        self.interval = interval
        self.hysteresis = hysteresis if hysteresis is not None else Hysteresis()
        self.query_timeout = query_timeout
        self.live_timeout = DEFAULT_LIVE_TIMEOUT
        self.retention = retention_days * 86400.0
        self.clock = clock
        self._password_of = password_of
        # Host names are resolved here, bounded and fair per guild, and the source is given
        # the address; None leaves resolution to the source.
        self.resolver = resolver
        self._sem = asyncio.Semaphore(concurrency)
        self._snapshots: dict[Target, Snapshot] = {}
        self._reasons = FailureReasons()
        # The guild a target's name lookups are charged to (the lowest id among its servers).
        self._guild_of: dict[Target, int] = {}
        self._roster = _Roster()
        self._listeners: list[Listener] = []
        self._rounds = 0
        self._last_prune = float("-inf")
        self._round_lock = asyncio.Lock()
        self.last_report: RoundReport | None = None

    # -- reading (from memory, no I/O) --------------------------------------------------------

    def snapshot(self, server: Server) -> Snapshot:
        """The target's snapshot as this server may see it: player names fetched with another
        guild's credentials for the same address are never part of it."""
        target = target_of(server)
        snap = self._snapshots.get(target) or Snapshot(target)
        if snap.info is None or not snap.info.private_lists:
            return snap
        return replace(snap, info=snap.info.seen_with(access_key(server)))

    def snapshot_of(self, target: Target) -> Snapshot:
        return self._snapshots.get(target) or Snapshot(target)

    @property
    def servers(self) -> list[Server]:
        """The servers of this process's shards as of the last round."""
        return list(self._roster.servers)

    def servers_of(self, guild_id: int) -> list[Server]:
        return list(self._roster.by_guild.get(guild_id, ()))

    def server_by_id(self, server_id: int) -> Server | None:
        return self._roster.by_id.get(server_id)

    def names(self, guild_id: int, text: str, limit: int = 25) -> list[str]:
        """Autocomplete: the guild's server names, prefix matches first, at most ``limit``."""
        needle = text.strip().casefold()
        names = [s.name for s in self._roster.by_guild.get(guild_id, ())]
        hits = [n for n in names if needle in n.casefold()]
        hits.sort(key=lambda n: (not n.casefold().startswith(needle), n.casefold()))
        return hits[:limit]

    def is_fresh(self, snap: Snapshot) -> bool:
        """Checked recently enough to answer from: within two intervals plus a query."""
        return snap.age(self.clock()) <= 2 * self.interval + self.query_timeout

    def total_players(self, guild_ids: Iterable[int] | None = None) -> int:
        """Players on the online servers (of the given guilds), each address counted once."""
        if guild_ids is None:
            servers: Iterable[Server] = self._roster.servers
        else:
            servers = [s for g in guild_ids for s in self._roster.by_guild.get(g, ())]
        seen: set[Target] = set()
        total = 0
        for server in servers:
            target = target_of(server)
            if target in seen:
                continue
            seen.add(target)
            snap = self._snapshots.get(target)
            if snap is not None and snap.online and snap.info is not None:
                total += snap.info.players
        return total

    # -- listeners ----------------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    # -- polling ------------------------------------------------------------------------------

    async def refresh_roster(self) -> list[Server]:
        servers = self.shards.keep(await self.store.servers.all())
        by_guild: dict[int, list[Server]] = defaultdict(list)
        for server in servers:
            by_guild[server.guild_id].append(server)
        self._roster = _Roster(servers, dict(by_guild), {s.id: s for s in servers})
        return servers

    def _contexts(self, servers: list[Server]) -> dict[Target, PollContext]:
        grouped: dict[Target, list[Server]] = defaultdict(list)
        for server in servers:
            grouped[target_of(server)].append(server)
        contexts: dict[Target, PollContext] = {}
        guild_of: dict[Target, int] = {}
        for target, group in grouped.items():
            games = frozenset(s.game for s in group)
            accesses = self._battleye_accesses(group)
            contexts[target] = PollContext(
                target,
                games,
                accesses[0] if accesses else None,
                accesses,
                self._query_access(target, group),
            )
            guild_of[target] = min(s.guild_id for s in group)
        self._guild_of = guild_of
        # Servers removed from every guild are forgotten (and their memory freed).
        for gone in set(self._snapshots) - set(contexts):
            del self._snapshots[gone]
        return contexts

    def _access(self, server: Server) -> RconAccess | None:
        """The server's stored admin credentials; None without a key, an RCON port or a
        password that decrypts (changed key: A2S only; the start-up warning and /server test
        say why)."""
        key = access_key(server)
        if self._password_of is None or key is None or server.rcon_port is None:
            return None
        try:
            password = self._password_of(server)
        except DecryptionError:
            return None
        if password is None:
            return None
        return RconAccess(server.host, server.rcon_port, password, key, server.rcon_password)

    def _query_access(self, target: Target, group: list[Server]) -> RconAccess | None:
        """The stored admin password of the first server of the group, for a query protocol
        that needs one (the names it fetches stay that server's, see AdapterStatusSource)."""
        if target.protocol not in QUERY_NEEDS_PASSWORD:
            return None
        for server in group:
            access = self._access(server)
            if access is not None and access.password:
                return access
        return None

    def _battleye_access(self, group: list[Server]) -> RconAccess | None:
        accesses = self._battleye_accesses(group)
        return accesses[0] if accesses else None

    def _battleye_accesses(self, group: list[Server]) -> tuple[RconAccess, ...]:
        """One access per server of the group with usable BattlEye credentials (guilds sharing
        an address each keep their own; the same stored credentials only once)."""
        found: dict[str, RconAccess] = {}
        for server in group:
            game = get_game(server.game)
            if game is None or game.rcon is not RconKind.BATTLEYE or access_key(server) in found:
                continue
            access = self._access(server)
            if access is not None:
                found[access.key] = access
        return tuple(found.values())

    async def _address(self, target: Target, guild_id: int, timeout: float) -> tuple[Target, float]:
        """The target to query (its host resolved) and the time left for the query."""
        if self.resolver is None:
            return target, timeout
        started = time.monotonic()
        try:
            async with asyncio.timeout(timeout):
                address = await self.resolver.resolve(target.host, guild_id)
        except TimeoutError:
            # The lookup goes on in the background and is cached for the next round.
            raise socket.gaierror(socket.EAI_AGAIN, "name lookup timed out") from None
        if address == target.host:
            return target, timeout
        left = timeout - (time.monotonic() - started)
        return replace(target, host=address), max(left, 0.1)

    async def _fetch(self, context: PollContext) -> ServerInfo | BaseException:
        try:
            # Resolved before taking a query slot: slow names wait in the resolver's per-guild
            # queue, not in the slots every guild's queries share.
            target, limit = await self._address(
                context.target, self._guild_of.get(context.target, 0), self.query_timeout
            )
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return exc
        context = self._pinned(context, target)
        async with self._sem:
            try:
                async with asyncio.timeout(limit + _GUARD):
                    return await self.source.fetch(target, context, limit)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                return exc

    def _pinned(self, context: PollContext, target: Target) -> PollContext:
        """With internal addresses refused, BattlEye names are fetched from the very address
        the query goes to (checked), never from a second lookup of the name."""
        resolver = self.resolver
        if resolver is None or resolver.allow_private or target.host == context.target.host:
            return context

        def pin(access: RconAccess) -> RconAccess:
            return replace(access, connect_host=target.host)

        return replace(
            context,
            battleye=pin(context.battleye) if context.battleye is not None else None,
            accesses=tuple(pin(a) for a in context.accesses),
        )

    def _apply(self, target: Target, outcome: ServerInfo | BaseException, at: float) -> Snapshot:
        before = self.snapshot_of(target)
        if isinstance(outcome, ServerInfo):
            after = self.hysteresis.success(before, outcome, at)
        else:
            after = self.hysteresis.failure(before, self._reasons.of(outcome), at)
        self._snapshots[target] = after
        return after

    async def run_round(self) -> RoundReport:
        """One round over every registered server; never raises for a server's failure."""
        async with self._round_lock:
            started = time.monotonic()
            started_at = self.clock()
            servers = await self.refresh_roster()
            contexts = self._contexts(servers)
            targets = list(contexts)
            with gc_paused():
                outcomes = await asyncio.gather(*(self._fetch(contexts[t]) for t in targets))
            at = self.clock()
            transitions: list[Transition] = []
            samples: list[Sample] = []
            answered = 0
            for target, outcome in zip(targets, outcomes, strict=True):
                before = self.snapshot_of(target)
                after = self._apply(target, outcome, at)
                answered += isinstance(outcome, ServerInfo)
                for game in contexts[target].games:
                    self.metrics.query(game, isinstance(outcome, ServerInfo))
                if after.state is not before.state:
                    transitions.append(Transition(target, before, after))
                samples.append(_sample(after, started_at))
            await self._write_history(samples, started_at)
            report = RoundReport(
                number=self._rounds + 1,
                started_at=started_at,
                duration=time.monotonic() - started,
                targets=len(targets),
                answered=answered,
                transitions=tuple(transitions),
            )
            self.last_report = report
            self._rounds += 1
            self.metrics.poll_round(report.duration)
        await self._notify(report)
        return report

    async def _write_history(self, samples: list[Sample], now: float) -> None:
        try:
            await self.store.history.add_many(samples)
            if now - self._last_prune >= PRUNE_EVERY:
                self._last_prune = now
                pruned = await self.store.history.prune(now - self.retention)
                if pruned:
                    log.info("pruned %d history sample(s) older than the retention", pruned)
                await self._prune_audit(now)
        except Exception:
            log.exception("could not write the status history")

    async def _prune_audit(self, now: float) -> None:
        """The audit log's retention, on the history's hourly schedule."""
        if self.audit_retention is None:
            return
        try:
            pruned = await self.store.audit.prune(now - self.audit_retention)
        except Exception:
            log.exception("could not prune the audit log")
            return
        if pruned:
            log.info("pruned %d audit row(s) older than AUDIT_RETENTION_DAYS", pruned)

    async def _notify(self, report: RoundReport) -> None:
        for listener in list(self._listeners):
            try:
                await listener(report)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("a poll listener failed")

    async def query_now(self, server: Server, timeout: float | None = None) -> Snapshot:
        """Query one server at once (``/status`` on a stale snapshot) and fold the result in."""
        if timeout is None:
            timeout = self.live_timeout
        target = target_of(server)
        context = PollContext(
            target,
            frozenset({server.game}),
            self._battleye_access([server]),
            query_access=self._query_access(target, [server]),
        )
        outcome: ServerInfo | BaseException
        try:
            address, limit = await self._address(target, server.guild_id, timeout)
            async with asyncio.timeout(limit + _GUARD):
                outcome = await self.source.fetch(address, self._pinned(context, address), limit)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            outcome = exc
        return self._apply(target, outcome, self.clock())

    async def run(self) -> None:
        """Rounds forever, one per interval (a slow round delays the next, never overlaps)."""
        while True:
            started = time.monotonic()
            try:
                report = await self.run_round()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("a poll round failed")
            else:
                log.debug(
                    "poll round %d: %d/%d answered in %.2f s",
                    report.number,
                    report.answered,
                    report.targets,
                    report.duration,
                )
            await asyncio.sleep(max(0.0, self.interval - (time.monotonic() - started)))


def _sample(snap: Snapshot, at: float) -> Sample:
    info = snap.info
    online = snap.state is State.ONLINE
    return Sample(
        target=snap.target.key,
        at=at,
        online=online,
        players=info.players if online and info is not None else 0,
        max_players=info.max_players if info is not None else 0,
        bots=info.bots if online and info is not None else 0,
        map=info.map if info is not None else "",
        ping_ms=info.ping_ms if online and info is not None else None,
    )
