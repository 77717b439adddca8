"""Every service of the bot, built by one function into one typed object.

:func:`build_services` is the only place that knows which service needs which: it builds them
in the order they depend on each other, connects the listeners (registry changes, poll rounds,
audit entries) and returns the background loops for the bot to run. The cogs read the result
as ``bot.services``; nothing else is built behind their backs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import discord

from bot.adapters.registry import QueryAdapters, default_query_adapters
from bot.config import Settings
from bot.crypto import SecretBox
from bot.delivery.alerts import DiscordAlertChannels
from bot.delivery.boards import BoardPage, DiscordBoards
from bot.delivery.channels import preferred_locales
from bot.delivery.counters import DiscordCounterChannels
from bot.delivery.feed import DiscordFeedChannels
from bot.delivery.population import DiscordPingChannels
from bot.delivery.presence import DiscordPresence
from bot.delivery.schedules import DiscordMembers, DiscordNotices
from bot.metrics import Metrics
from bot.protocols.a2s import A2SEngine
from bot.protocols.battleye import ClientConfig
from bot.services.audit import AuditLog, AuditMirror, discard_mirror
from bot.services.bans.enforce import BanEnforcer
from bot.services.bans.service import BanService
from bot.services.feed import FeedService
from bot.services.languages import GuildLanguages
from bot.services.rcon.commands import RconCommands
from bot.services.rcon.live_players import LivePlayers
from bot.services.rcon.permissions import PermissionService
from bot.services.rcon.pool import RconPool
from bot.services.schedules.console import ConsoleRuns
from bot.services.schedules.runner import Clock, ScheduleRunner
from bot.services.servers.probes import QueryClient, RconLoginTester
from bot.services.servers.registry import ServerRegistry
from bot.services.servers.resolver import Resolver
from bot.services.status.alerts import AlertNotifier
from bot.services.status.boards import BoardUpdater
from bot.services.status.counters import CounterUpdater
from bot.services.status.player_names import BattlEyePlayerNames, PooledPlayerNames
from bot.services.status.poller import Poller
from bot.services.status.population import PopulationNotifier
from bot.services.status.presence import PresenceUpdater
from bot.services.status.status_source import AdapterStatusSource, StatusSource
from bot.services.supervisor import Supervisor
from bot.snapshots import Hysteresis
from bot.storage import Server, Store

log = logging.getLogger(__name__)

BackgroundFactory = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Background:
    """A loop the bot runs (supervised, restarted on error) once it is ready."""

    name: str
    run: BackgroundFactory


@dataclass(frozen=True, slots=True)
class ServiceOptions:
    """What tests and tools replace; the defaults are the real network and timings."""

    query: QueryClient | None = None
    rcon_login: RconLoginTester | None = None
    # None: real A2S queries through one engine (host names resolved by the resolver).
    status_source: StatusSource | None = None
    # False: no poll loop (tests and tools run rounds themselves with poller.run_round()).
    autopoll: bool = True
    # Seconds to wait for an RCON login before "offline" (tests shorten it).
    rcon_connect_timeout: float = 5.0
    # The pooled BattlEye connections' timing (tests shorten loss detection).
    battleye_config: ClientConfig | None = None
    # The scheduler's clock (tests drive a fake one); None: the system's.
    schedule_clock: Clock | None = None


@dataclass(frozen=True, slots=True)
class Services:
    """The bot's services, built once; the cogs use them as ``bot.services``."""

    store: Store
    metrics: Metrics
    registry: ServerRegistry
    resolver: Resolver
    rcon_pool: RconPool
    poller: Poller
    boards: BoardUpdater[BoardPage]
    alerts: AlertNotifier
    population: PopulationNotifier
    counters: CounterUpdater
    presence: PresenceUpdater | None  # None: PRESENCE is off
    audit: AuditLog
    audit_mirror: AuditMirror
    permissions: PermissionService
    rcon: RconCommands
    live_players: LivePlayers
    feed: FeedService
    languages: GuildLanguages
    bans: BanService
    ban_enforcer: BanEnforcer
    schedules: ScheduleRunner
    # Started by the bot once it is ready, in this order.
    background: tuple[Background, ...]
    # The A2S engine built for real queries (None when a status source was given).
    engine: A2SEngine | None = None
    # The query adapters built for real queries (their HTTP sessions are closed with us).
    query_adapters: tuple[QueryAdapters, ...] = ()

    async def close(self) -> None:
        """Sockets and connections; the store and the metrics endpoint are the bot's."""
        if self.engine is not None:
            self.engine.close()
        for adapters in self.query_adapters:
            await adapters.close()
        await self.ban_enforcer.close()
        await self.bans.close()
        await self.schedules.close()
        await self.live_players.close()
        await self.rcon_pool.close()


async def build_services(
    settings: Settings,
    store: Store,
    client: discord.Client,
    *,
    metrics: Metrics,
    secret_box: SecretBox,
    supervisor: Supervisor,
    allow_private: bool,
    options: ServiceOptions | None = None,
) -> Services:
    """Build every service over ``store`` and connect them; nothing runs until the bot starts
    the returned ``background`` loops."""
    options = options if options is not None else ServiceOptions()
    shards = settings.shards
    unknown = await store.audit.mark_unknown(shards.owns)
    if unknown:
        log.warning("%d audit row(s) left pending by the last run marked unknown", unknown)

    # Servers: registered, validated, their RCON passwords decrypted on demand.
    query, rcon_login = options.query, options.rcon_login
    # Every set of query adapters built here, to close their shared HTTP sessions at the end.
    adapters: list[QueryAdapters] = []
    if query is None or rcon_login is None:
        from bot.services.servers.network import AdapterQueryClient, rcon_login_test

        if query is None:
            probe_adapters = default_query_adapters()
            adapters.append(probe_adapters)
            query = AdapterQueryClient(probe_adapters)
        rcon_login = rcon_login if rcon_login is not None else rcon_login_test
    registry = ServerRegistry(
        store,
        secret_box,
        query,
        rcon_login,
        max_servers=settings.quotas.servers,
        allow_private=allow_private,
    )
    undecryptable = await registry.undecryptable()
    if undecryptable:
        log.warning(
            "%d stored RCON password(s) cannot be decrypted with OUTPOST_SECRET_KEY "
            "(was the key changed?); /server test shows which, /server edit sets them again",
            len(undecryptable),
        )

    # Host names for traffic (polls, RCON): cached, fair per guild, and where internal
    # addresses are refused, checked at every lookup.
    resolver = Resolver(allow_private=allow_private)
    # One RCON connection pool, shared by /rcon, the player names of polls and the feed.
    rcon_pool = RconPool(
        registry.password_of,
        resolver=resolver,
        connect_timeout=options.rcon_connect_timeout,
        battleye_config=options.battleye_config,
        shards=shards,
        metrics=metrics,
    )

    # One poller (one A2S engine for every server); everything below listens to its rounds.
    engine: A2SEngine | None = None
    source = options.status_source
    if source is None:
        engine = A2SEngine()
        # DayZ names come over a pooled BattlEye connection when one is up (the feed holds
        # them), else from a short session of their own.
        names = PooledPlayerNames(rcon_pool, BattlEyePlayerNames())
        poll_adapters = default_query_adapters(engine)
        adapters.append(poll_adapters)
        source = AdapterStatusSource(poll_adapters, names)
    poller = Poller(
        store,
        source,
        interval=settings.poll_interval,
        hysteresis=Hysteresis(offline_after=settings.offline_after_failures),
        retention_days=settings.history_retention_days,
        audit_retention_days=settings.audit_retention_days,
        password_of=registry.password_of,
        resolver=resolver if options.status_source is None else None,
        shards=shards,
        metrics=metrics,
    )
    # Shared messages speak the guild's language (/settings language, else its locale).
    languages = GuildLanguages(store.guild_settings, preferred_locales(client))
    await languages.load()
    # Boards, alerts, presence and the feed post through the Discord side (bot.delivery).
    boards = BoardUpdater(DiscordBoards(client, languages), store, poller)
    alerts = AlertNotifier(DiscordAlertChannels(client), store, poller, languages=languages)
    population = PopulationNotifier(DiscordPingChannels(client), store, poller, languages=languages)
    counters = CounterUpdater(DiscordCounterChannels(client), store, poller)
    presence = PresenceUpdater(DiscordPresence(client), poller) if settings.presence else None

    # RCON from Discord: permissions checked at run time, every attempt audited.
    audit = AuditLog(store, metrics=metrics)
    # Mirror posts run from their own queue, never in front of an interaction's answer; the
    # audit cog plugs in the sender.
    audit_mirror = AuditMirror(discard_mirror)
    permissions = PermissionService(store)
    rcon = RconCommands(rcon_pool, permissions, audit)

    def a2s_names(server: Server) -> list[str]:
        info = poller.snapshot(server).info
        return [p.name for p in info.player_list] if info is not None else []

    live_players = LivePlayers(rcon_pool, a2s_names)

    # The live feed: fed by the poller's rounds and BattlEye (through the pool).
    feed = FeedService(
        DiscordFeedChannels(client),
        store,
        poller,
        batch_seconds=settings.feed_batch_seconds,
        queue_limit=settings.feed_queue_limit,
        retention_days=settings.history_retention_days,
        hub=rcon_pool,
        languages=languages,
    )

    # The guild ban list: sent to every console, retried, lifted at expiry, enforced on join.
    bans = BanService(
        store,
        rcon_pool,
        permissions,
        audit,
        poller.servers_of,
        poller.server_by_id,
        owns=shards.owns,
    )
    ban_enforcer = BanEnforcer(bans, live_players, owns=shards.owns, language_of=languages.of)
    feed.writer.on_player_seen = ban_enforcer.on_seen
    # Schedules and restart countdowns: console runs as their owner, checked and audited.
    schedules = ScheduleRunner(
        store,
        ConsoleRuns(rcon, DiscordMembers(client)),
        poller.server_by_id,
        DiscordNotices(client),
        shards=shards,
        clock=options.schedule_clock,
        language_of=languages.of,
    )

    async def drop_stale_connections() -> None:
        # Edited or removed servers: their connections (and a refused-password mark) go.
        await rcon_pool.sync(await store.servers.all())

    for on_change in (poller.refresh_roster, drop_stale_connections, feed.reload):
        registry.add_change_listener(on_change)
    round_listeners = [boards.on_round, alerts.on_round, population.on_round, counters.on_round]
    if presence is not None:
        round_listeners.append(presence.on_round)
    round_listeners.append(feed.on_round)
    for on_round in round_listeners:
        poller.add_listener(on_round)

    services = Services(
        store=store,
        metrics=metrics,
        registry=registry,
        resolver=resolver,
        rcon_pool=rcon_pool,
        poller=poller,
        boards=boards,
        alerts=alerts,
        population=population,
        counters=counters,
        presence=presence,
        audit=audit,
        audit_mirror=audit_mirror,
        permissions=permissions,
        rcon=rcon,
        live_players=live_players,
        feed=feed,
        languages=languages,
        bans=bans,
        ban_enforcer=ban_enforcer,
        schedules=schedules,
        background=(
            *((Background("poller", poller.run),) if options.autopoll else ()),
            Background("boards", boards.run),
            # Alerts are sent from their own queue: a 429 or a mass outage never holds a round.
            Background("alerts", alerts.run),
            Background("audit mirror", audit_mirror.run),
            Background("feed", feed.run),
            # Tests run the ban rounds and sweeps themselves, as they run poll rounds.
            *(
                (Background("bans", bans.run), Background("ban sweep", ban_enforcer.run))
                if options.autopoll
                else ()
            ),
            Background("schedules", schedules.run),
        ),
        engine=engine,
        query_adapters=tuple(adapters),
    )
    _watch_metrics(services, supervisor)
    return services


def _watch_metrics(services: Services, supervisor: Supervisor) -> None:
    """Values the services already hold, read by the metrics endpoint at each scrape."""
    metrics, feed = services.metrics, services.feed
    metrics.watch(
        "outpost_rcon_connections",
        "RCON and BattlEye connections by protocol and state",
        ("protocol", "state"),
        services.rcon_pool.connection_counts,
    )
    metrics.watch(
        "outpost_feed_queue_depth",
        "Feed events waiting to be stored or posted",
        (),
        lambda: {(): float(feed.queue_depth())},
    )
    metrics.watch(
        "outpost_service_up",
        "Background services running (1) or restarting/stopped (0)",
        ("service",),
        supervisor.readings,
    )
    metrics.watch(
        "outpost_service_restarts",
        "Restarts of background services after an error",
        ("service",),
        supervisor.restart_counts,
        kind="counter",
    )
    metrics.watch(
        "outpost_feed_dropped",
        "Feed lines dropped because a channel fell behind",
        (),
        lambda: {(): float(feed.stats()["dropped"])},
        kind="counter",
    )
