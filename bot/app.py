"""The Discord application: a ``commands.Bot`` that owns the store and the services.

Life cycle:
- ``setup_hook`` (inside ``login()``, before the gateway connects): open the store and migrate,
  build every service into ``bot.services`` (:func:`bot.wiring.build_services`), load every
  extension in ``cogs/``, sync application commands only when their definitions changed (the
  hash of the last sync is kept in the database).
- Background work (the services' loops, and any registered with
  :meth:`OutpostBot.add_background`) starts once the bot is ready and is cancelled early in
  :meth:`OutpostBot.close`; ``discord.ext.tasks`` loops started in a cog's ``cog_load`` (with
  ``before_loop`` waiting for ready) stop when ``close`` unloads cogs.
- ``close``: the audit mirror's queue, background tasks, the services' connections, then
  discord.py's own close (cogs unloaded, HTTP and gateway closed), then the database.

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
from collections.abc import Sequence
from typing import Any

import discord
from discord.ext import commands

import cogs
from bot.config import Settings
from bot.crypto import SecretBox
from bot.errors import OutpostTree
from bot.i18n.translator import OutpostTranslator
from bot.logsetup import secrets
from bot.metrics import Metrics, create_metrics
from bot.protocols.battleye import ClientConfig
from bot.services.schedules.runner import Clock
from bot.services.servers.probes import QueryClient, RconLoginTester
from bot.services.status.status_source import StatusSource
from bot.services.supervisor import SERVICE_KEY_PREFIX, ServiceState, Supervisor
from bot.sharding import ShardFilter
from bot.storage import Store
from bot.wiring import BackgroundFactory, ServiceOptions, Services, build_services

log = logging.getLogger(__name__)


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
    # Every service, built once in setup_hook (before any cog loads): see bot.wiring.
    services: Services

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
        schedule_clock: Clock | None = None,
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
        self._options = ServiceOptions(
            query=query,
            rcon_login=rcon_login,
            status_source=status_source,
            autopoll=autopoll,
            rcon_connect_timeout=rcon_connect_timeout,
            battleye_config=battleye_config,
            schedule_clock=schedule_clock,
        )
        # Opened in setup_hook and closed last; the services use it through ``services.store``.
        self._store: Store | None = None
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
        secrets.add(settings.discord_token)

    def _client_options(self, settings: Settings) -> dict[str, Any]:
        """Extra discord.py client arguments (the sharded subclass adds its shards)."""
        return {}

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
        self.allow_private_addresses = self._guard_public_bot()
        self.services = await build_services(
            self.settings,
            self._store,
            self,
            metrics=self._metrics,
            secret_box=self.secret_box,
            supervisor=self.supervisor,
            allow_private=self.allow_private_addresses,
            options=self._options,
        )
        for background in self.services.background:
            self.add_background(background.name, background.run)
        names = (
            self._extension_names if self._extension_names is not None else discover_extensions()
        )
        # Descriptions and choice names in each member's language (names stay English).
        await self.tree.set_translator(OutpostTranslator(self.tree))
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
        # With the translations: a changed translation is a change Discord must get.
        translator = self.tree.translator
        payload = [
            await c.get_translated_payload(self.tree, translator)
            if translator is not None
            else c.to_dict(self.tree)
            for c in self.tree.get_commands(guild=guild)
        ]
        digest = commands_hash(payload)
        scope = f"guild:{guild.id}" if guild is not None else "global"
        key = f"commands_hash:{self.application_id}:{scope}"
        if await self.services.store.state.get(key) == digest:
            log.info("application commands unchanged (%s), not syncing", scope)
            return False
        try:
            synced = await self.tree.sync(guild=guild)
        except discord.HTTPException as exc:
            # The bot still runs with whatever Discord has; the next start retries.
            log.error("could not sync application commands (%s): %s", scope, exc)
            return False
        await self.services.store.state.set(key, digest)
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
        # Unset when setup_hook never got that far.
        services: Services | None = getattr(self, "services", None)
        if services is not None:
            # Before the cogs unload (the sender goes with them) and the worker is cancelled.
            await services.audit_mirror.drain()
        tasks = [t for t in (self._launcher, *self._background_tasks) if t is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._background_tasks.clear()
        self._launcher = None
        if services is not None:
            await services.close()
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
