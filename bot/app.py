"""The Discord application: a ``commands.Bot`` that owns the store and the services.

Life cycle:
- ``setup_hook`` (inside ``login()``, before the gateway connects): open the store and migrate,
  build the services, load every extension in ``cogs/``, sync application commands only when
  their definitions changed (the hash of the last sync is kept in the database).
- Background work registered with :meth:`OutpostBot.add_background` starts once the bot is ready
  and is cancelled first thing in :meth:`OutpostBot.close`; ``discord.ext.tasks`` loops started in
  a cog's ``cog_load`` (with ``before_loop`` waiting for ready) stop when ``close`` unloads cogs.
- ``close``: background tasks, then discord.py's own close (cogs unloaded, HTTP and gateway
  closed), then the database.

Scale-out: with ``SHARD_COUNT`` the bot is a :class:`ShardedOutpostBot` (discord.py's
``AutoShardedBot``) running ``SHARD_IDS``; every service then works only for the guilds of those
shards (:class:`~bot.sharding.ShardFilter`), and only the process running shard 0 syncs the
commands. :func:`create_bot` picks the class from the settings.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import pkgutil
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord
from discord.ext import commands

import cogs
from bot.adapters.registry import default_query_adapters
from bot.config import Settings
from bot.crypto import SecretBox
from bot.errors import OutpostTree
from bot.logsetup import secrets
from bot.metrics import Metrics, create_metrics
from bot.protocols.a2s import A2SEngine
from bot.protocols.battleye import ClientConfig
from bot.services.alerts import AlertNotifier
from bot.services.audit import AuditLog, AuditMirror, discard_mirror
from bot.services.battleye_players import BattlEyePlayerNames, PooledPlayerNames
from bot.services.boards import BoardUpdater
from bot.services.feed import FeedService
from bot.services.live_players import LivePlayers
from bot.services.permissions import PermissionService
from bot.services.poller import Poller
from bot.services.presence import PresenceUpdater
from bot.services.probes import QueryClient, RconLoginTester
from bot.services.rcon_commands import RconCommands
from bot.services.rcon_pool import RconPool
from bot.services.registry import ServerRegistry
from bot.services.resolver import Resolver
from bot.services.status_source import AdapterStatusSource, StatusSource
from bot.services.supervisor import SERVICE_KEY_PREFIX, ServiceState, Supervisor
from bot.sharding import ShardFilter
from bot.snapshots import Hysteresis
from bot.storage import Server, Store

log = logging.getLogger(__name__)

BackgroundFactory = Callable[[], Awaitable[None]]


def discover_extensions() -> list[str]:
    """Every module in ``cogs/`` not starting with an underscore (those are helpers)."""
    return sorted(
        f"{cogs.__name__}.{info.name}"
        for info in pkgutil.iter_modules(cogs.__path__)
        if not info.name.startswith("_")
    )


def commands_hash(payload: Sequence[dict[str, Any]]) -> str:
    """Stable hash of command definitions (order-independent at the top level)."""
    canonical = sorted(json.dumps(c, sort_keys=True, separators=(",", ":")) for c in payload)
    return hashlib.sha256("\n".join(canonical).encode()).hexdigest()


class OutpostBot(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        *,
        guild_ready_timeout: float = 2.0,
        extensions: Sequence[str] | None = None,
        query: QueryClient | None = None,
        rcon_login: RconLoginTester | None = None,
        status_source: StatusSource | None = None,
        autopoll: bool = True,
        rcon_connect_timeout: float = 5.0,
        battleye_config: ClientConfig | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        # Outpost never uses voice; without this every start logs two warnings about it.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            # Slash-only bot: a mention prefix needs no message-content intent.
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=discord.Intents.default(),
            tree_cls=OutpostTree,
            guild_ready_timeout=guild_ready_timeout,
            allowed_mentions=discord.AllowedMentions.none(),
            **self._client_options(settings),
        )
        self.settings = settings
        self.shard_filter: ShardFilter = settings.shards
        # None: created from the settings in setup_hook (which may start the endpoint).
        self._metrics = metrics
        self.secret_box = SecretBox(settings.secret_key)
        self._extension_names = list(extensions) if extensions is not None else None
        self._query = query
        self._rcon_login = rcon_login
        self._store: Store | None = None
        self._registry: ServerRegistry | None = None
        self._status_source = status_source
        # False: no poll loop (tests and tools run rounds themselves with poller.run_round()).
        self._autopoll = autopoll
        self._engine: A2SEngine | None = None
        self._poller: Poller | None = None
        self._boards: BoardUpdater | None = None
        self._alerts: AlertNotifier | None = None
        self._rcon_pool: RconPool | None = None
        # Seconds to wait for an RCON login before "offline" (tests shorten it).
        self._rcon_connect_timeout = rcon_connect_timeout
        # The pooled BattlEye connections' timing (tests shorten loss detection).
        self._battleye_config = battleye_config
        self._audit: AuditLog | None = None
        self._audit_mirror: AuditMirror | None = None
        self._permissions: PermissionService | None = None
        self._rcon: RconCommands | None = None
        self._live_players: LivePlayers | None = None
        self._feed: FeedService | None = None
        # Restarts failed background services; their states go to the database for
        # `python -m bot check` and to the metrics.
        self.supervisor = Supervisor(reporter=self._report_service)
        self._background_factories: list[tuple[str, BackgroundFactory]] = []
        self._background_tasks: list[asyncio.Task[None]] = []
        self._launcher: asyncio.Task[None] | None = None
        self._launched = False
        self.commands_synced: bool | None = None  # None until setup_hook decided
        # Decided in setup_hook from the settings and whether the application is public.
        self.allow_private_addresses = True
        # Host names for traffic (polls, RCON): cached, fair per guild, and where internal
        # addresses are refused, checked at every lookup (set up in setup_hook).
        self._resolver: Resolver | None = None
        secrets.add(settings.discord_token)

    def _client_options(self, settings: Settings) -> dict[str, Any]:
        """Extra discord.py client arguments (the sharded subclass adds its shards)."""
        return {}

    # -- services ------------------------------------------------------------------------------

    @property
    def metrics(self) -> Metrics:
        if self._metrics is None:
            raise RuntimeError("the metrics recorder is built in setup_hook")
        return self._metrics

    def _watch_metrics(self) -> None:
        """Values the services already hold, read by the metrics endpoint at each scrape."""
        pool, feed = self.rcon_pool, self.feed
        self.metrics.watch(
            "outpost_rcon_connections",
            "RCON and BattlEye connections by protocol and state",
            ("protocol", "state"),
            pool.connection_counts,
        )
        self.metrics.watch(
            "outpost_feed_queue_depth",
            "Feed events waiting to be stored or posted",
            (),
            lambda: {(): float(feed.queue_depth())},
        )
        self.metrics.watch(
            "outpost_service_up",
            "Background services running (1) or restarting/stopped (0)",
            ("service",),
            self.supervisor.readings,
        )
        self.metrics.watch(
            "outpost_service_restarts",
            "Restarts of background services after an error",
            ("service",),
            self.supervisor.restart_counts,
            kind="counter",
        )
        self.metrics.watch(
            "outpost_feed_dropped",
            "Feed lines dropped because a channel fell behind",
            (),
            lambda: {(): float(feed.stats()["dropped"])},
            kind="counter",
        )

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the store is opened in setup_hook")
        return self._store

    @property
    def registry(self) -> ServerRegistry:
        if self._registry is None:
            raise RuntimeError("the registry is built in setup_hook")
        return self._registry

    @property
    def poller(self) -> Poller:
        if self._poller is None:
            raise RuntimeError("the poller is built in setup_hook")
        return self._poller

    @property
    def boards(self) -> BoardUpdater:
        if self._boards is None:
            raise RuntimeError("the board updater is built in setup_hook")
        return self._boards

    @property
    def alerts(self) -> AlertNotifier:
        if self._alerts is None:
            raise RuntimeError("the alert notifier is built in setup_hook")
        return self._alerts

    @property
    def feed(self) -> FeedService:
        if self._feed is None:
            raise RuntimeError("the feed service is built in setup_hook")
        return self._feed

    def _build_feed(self, registry: ServerRegistry) -> None:
        """The live feed: fed by the poller's rounds (and BattlEye through the RCON pool),
        delivering into channels from a background task."""
        feed = FeedService(
            self,
            self.store,
            self.poller,
            batch_seconds=self.settings.feed_batch_seconds,
            queue_limit=self.settings.feed_queue_limit,
            retention_days=self.settings.history_retention_days,
            hub=self.rcon_pool,
        )
        self._feed = feed
        self.poller.add_listener(feed.on_round)
        registry.add_change_listener(feed.reload)
        self.add_background("feed", feed.run)

    @property
    def rcon_pool(self) -> RconPool:
        if self._rcon_pool is None:
            raise RuntimeError("the RCON pool is built in setup_hook")
        return self._rcon_pool

    @property
    def audit(self) -> AuditLog:
        if self._audit is None:
            raise RuntimeError("the audit log is built in setup_hook")
        return self._audit

    @property
    def audit_mirror(self) -> AuditMirror:
        if self._audit_mirror is None:
            raise RuntimeError("the audit mirror is built in setup_hook")
        return self._audit_mirror

    @property
    def permissions(self) -> PermissionService:
        if self._permissions is None:
            raise RuntimeError("the permission service is built in setup_hook")
        return self._permissions

    @property
    def rcon(self) -> RconCommands:
        if self._rcon is None:
            raise RuntimeError("the RCON command service is built in setup_hook")
        return self._rcon

    @property
    def live_players(self) -> LivePlayers:
        if self._live_players is None:
            raise RuntimeError("the live player lists are built in setup_hook")
        return self._live_players

    def _build_rcon_services(self, registry: ServerRegistry) -> None:
        """One RCON connection pool (shared with the live feed), permissions and the audit log."""
        pool = self.rcon_pool
        self._audit = AuditLog(self.store, metrics=self.metrics)
        # Mirror posts run from their own queue, never in front of an interaction's answer;
        # the audit cog plugs in the sender.
        self._audit_mirror = AuditMirror(discard_mirror)
        self.add_background("audit mirror", self._audit_mirror.run)
        self._permissions = PermissionService(self.store)
        self._rcon = RconCommands(pool, self._permissions, self._audit)
        poller = self.poller

        def a2s_names(server: Server) -> list[str]:
            info = poller.snapshot(server).info
            return [p.name for p in info.player_list] if info is not None else []

        self._live_players = LivePlayers(pool, a2s_names)

        async def drop_stale_connections() -> None:
            # Edited or removed servers: their connections (and a refused-password mark) go.
            await pool.sync(await self.store.servers.all())

        registry.add_change_listener(drop_stale_connections)

    def _build_status_services(self, registry: ServerRegistry) -> None:
        """One poller (one A2S engine for every server), with boards, alerts and presence
        listening to its rounds."""
        source = self._status_source
        resolver = None
        if source is None:
            # Real queries: host names resolved once per TTL, bounded and fair per guild.
            resolver = self._resolver
            self._engine = A2SEngine()
            # DayZ names come over a pooled BattlEye connection when one is up (the feed
            # holds them), else from a short session of their own.
            names = PooledPlayerNames(self.rcon_pool, BattlEyePlayerNames())
            source = AdapterStatusSource(default_query_adapters(self._engine), names)
        poller = Poller(
            self.store,
            source,
            interval=self.settings.poll_interval,
            hysteresis=Hysteresis(offline_after=self.settings.offline_after_failures),
            retention_days=self.settings.history_retention_days,
            audit_retention_days=self.settings.audit_retention_days,
            password_of=registry.password_of,
            resolver=resolver,
            shards=self.shard_filter,
            metrics=self.metrics,
        )
        self._poller = poller
        registry.add_change_listener(poller.refresh_roster)
        self._boards = BoardUpdater(self, self.store, poller)
        self._alerts = AlertNotifier(self, self.store, poller)
        poller.add_listener(self._boards.on_round)
        poller.add_listener(self._alerts.on_round)
        if self.settings.presence:
            poller.add_listener(PresenceUpdater(self, poller).on_round)
        if self._autopoll:
            self.add_background("poller", poller.run)
        self.add_background("boards", self._boards.run)
        # Alerts are sent from their own queue: a 429 or a mass outage never holds a round.
        self.add_background("alerts", self._alerts.run)

    def add_background(self, name: str, factory: BackgroundFactory) -> None:
        """Run ``factory()`` once the bot is ready; it is cancelled on close.

        A task that raises is logged and started again with backoff (see
        :mod:`bot.services.supervisor`).
        """
        self._background_factories.append((name, factory))
        if self._launched:
            self._spawn(name, factory)

    def _spawn(self, name: str, factory: BackgroundFactory) -> None:
        self._background_tasks.append(
            asyncio.create_task(self.supervisor.run(name, factory), name=f"outpost:{name}")
        )

    async def _report_service(self, state: ServiceState) -> None:
        if self._store is None:
            return
        scope = "" if not self.shard_filter.sharded else f"@{self.shard_filter.describe()}"
        await self._store.state.set(f"{SERVICE_KEY_PREFIX}{state.name}{scope}", state.to_json())

    async def _launch_background(self) -> None:
        await self.wait_until_ready()
        # No await from here on: a factory added meanwhile is spawned exactly once.
        self._launched = True
        for name, factory in self._background_factories:
            self._spawn(name, factory)

    # -- life cycle ----------------------------------------------------------------------------

    async def setup_hook(self) -> None:
        if self._metrics is None:
            self._metrics = create_metrics(self.settings)
        if self.shard_filter.sharded:
            log.info("serving the guilds of %s", self.shard_filter.describe())
        self._store = await Store.open_from_settings(self.settings)
        unknown = await self._store.audit.mark_unknown(self.shard_filter.owns)
        if unknown:
            log.warning("%d audit row(s) left pending by the last run marked unknown", unknown)
        query, rcon_login = self._query, self._rcon_login
        if query is None or rcon_login is None:
            from bot.services.network import AdapterQueryClient, rcon_login_test

            query = query if query is not None else AdapterQueryClient(default_query_adapters())
            rcon_login = rcon_login if rcon_login is not None else rcon_login_test
        self.allow_private_addresses = self._guard_public_bot()
        self._registry = ServerRegistry(
            self.store,
            self.secret_box,
            query,
            rcon_login,
            max_servers=self.settings.quotas.servers,
            allow_private=self.allow_private_addresses,
        )
        undecryptable = await self._registry.undecryptable()
        if undecryptable:
            log.warning(
                "%d stored RCON password(s) cannot be decrypted with OUTPOST_SECRET_KEY "
                "(was the key changed?); /server test shows which, /server edit sets them again",
                len(undecryptable),
            )
        self._resolver = Resolver(allow_private=self.allow_private_addresses)
        self._rcon_pool = RconPool(
            self._registry.password_of,
            resolver=self._resolver,
            connect_timeout=self._rcon_connect_timeout,
            battleye_config=self._battleye_config,
            shards=self.shard_filter,
            metrics=self.metrics,
        )
        self._build_status_services(self._registry)
        self._build_rcon_services(self._registry)
        self._build_feed(self._registry)
        self._watch_metrics()
        names = (
            self._extension_names if self._extension_names is not None else discover_extensions()
        )
        for name in names:
            await self.load_extension(name)
        if self.shard_filter.syncs_commands:
            self.commands_synced = await self.sync_commands_if_changed()
        else:
            # Commands are global: the process running shard 0 syncs them for everyone.
            log.info("application commands are synced by the process running shard 0")
            self.commands_synced = False
        self._launcher = asyncio.create_task(self._launch_background(), name="outpost:launcher")

    def _guard_public_bot(self) -> bool:
        """Warn once when anyone can invite the bot and no allowlist limits that; return
        whether private, loopback, link-local and multicast addresses may be registered."""
        app = self.application
        public = app is not None and app.bot_public
        open_to_all = public and self.settings.allowed_guild_ids is None
        if open_to_all:
            log.warning(
                "this bot is public: anyone can invite it to their Discord server and register "
                "game servers. Turn off Public Bot (Developer Portal > your application > Bot) "
                "or set ALLOWED_GUILD_IDS to the servers it may serve"
            )
        configured = self.settings.allow_private_addresses
        return configured if configured is not None else not open_to_all

    def guild_allowed(self, guild_id: int | None) -> bool:
        return self.settings.guild_allowed(guild_id)

    async def _leave_if_not_allowed(self, guild: discord.Guild) -> None:
        if self.guild_allowed(guild.id):
            return
        log.warning("leaving guild %s: it is not in ALLOWED_GUILD_IDS", guild.id)
        try:
            await guild.leave()
        except discord.HTTPException as exc:
            log.error("could not leave guild %s: %s", guild.id, exc)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        await self._leave_if_not_allowed(guild)

    async def sync_commands_if_changed(self) -> bool:
        """Sync the command tree only if its definitions differ from the last successful sync.

        With ``DEV_GUILD_ID`` the global commands are copied to that guild and synced there
        (visible at once); otherwise they are synced globally.
        """
        guild = (
            discord.Object(self.settings.dev_guild_id)
            if self.settings.dev_guild_id is not None
            else None
        )
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        payload = [c.to_dict(self.tree) for c in self.tree.get_commands(guild=guild)]
        digest = commands_hash(payload)
        scope = f"guild:{guild.id}" if guild is not None else "global"
        key = f"commands_hash:{self.application_id}:{scope}"
        if await self.store.state.get(key) == digest:
            log.info("application commands unchanged (%s), not syncing", scope)
            return False
        try:
            synced = await self.tree.sync(guild=guild)
        except discord.HTTPException as exc:
            # The bot still runs with whatever Discord has; the next start retries.
            log.error("could not sync application commands (%s): %s", scope, exc)
            return False
        await self.store.state.set(key, digest)
        log.info("synced %d application command(s) (%s)", len(synced), scope)
        return True

    async def on_ready(self) -> None:
        user = self.user
        log.info(
            "ready as %s (id %s) in %d guild(s)",
            user,
            user.id if user else "?",
            len(self.guilds),
        )
        # Guilds joined while the bot was down, or before the allowlist was set.
        for guild in list(self.guilds):
            await self._leave_if_not_allowed(guild)

    async def close(self) -> None:
        if self._audit_mirror is not None:
            # Before the cogs unload (the sender goes with them) and the worker is cancelled.
            await self._audit_mirror.drain()
        tasks = [t for t in (self._launcher, *self._background_tasks) if t is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._background_tasks.clear()
        self._launcher = None
        if self._engine is not None:
            self._engine.close()
        if self._live_players is not None:
            await self._live_players.close()
        if self._rcon_pool is not None:
            await self._rcon_pool.close()
        try:
            await super().close()
        finally:
            if self._store is not None:
                await self._store.close()
            if self._metrics is not None:
                # Stopping the endpoint's server waits for its thread's poll (up to 0.5 s).
                await asyncio.to_thread(self._metrics.close)


class ShardedOutpostBot(OutpostBot, commands.AutoShardedBot):
    """The bot as one process of a sharded deployment (``SHARD_COUNT``/``SHARD_IDS``).

    discord.py's ``AutoShardedBot`` runs the gateway connections of ``SHARD_IDS``; everything
    Outpost adds is inherited unchanged and filtered by ``settings.shards``.
    """

    def _client_options(self, settings: Settings) -> dict[str, Any]:
        ids = list(settings.shard_ids) if settings.shard_ids is not None else None
        return {"shard_count": settings.shard_count, "shard_ids": ids}


def create_bot(settings: Settings, **options: Any) -> OutpostBot:
    """The bot ``settings`` ask for: sharded with ``SHARD_COUNT``, else one plain process."""
    if settings.shard_count is not None:
        return ShardedOutpostBot(settings, **options)
    return OutpostBot(settings, **options)
