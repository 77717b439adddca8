"""``FakeDiscord``: the fake's state and the API tests drive it with.

The HTTP side lives in ``server.py`` and the ``rest_*`` modules, the websocket in
``gateway.py``; this module owns the world (users, guilds, commands, messages, interactions),
the rule-violation log and the test-facing methods.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl
from aiohttp import web

from tests.fakes.served import Served

from . import payloads
from .errors import FakeDiscordError
from .gateway import Gateway, GatewaySession
from .ids import SnowflakeFactory
from .interactions import InteractionHandle
from .messages import MessageStore, StoredAttachment, StoredMessage, Upload
from .options import build_command_data, find_command
from .permissions import ADMINISTRATOR
from .ratelimits import RateLimiter
from .resolver import GuildResolver
from .rules import SELECT_TYPES, walk_components
from .state import INTENT_GUILD_MESSAGES, INTENT_GUILDS, FakeGuild, FakeUser
from .ui_input import modal_submit_data, select_values

USE_APPLICATION_COMMANDS = 1 << 31


@dataclass(frozen=True)
class TypedCommand:
    """A slash command as a user typed it: where, who, which command and subcommand path."""

    guild: FakeGuild
    channel_id: int
    user_id: int
    command: Mapping[str, Any]
    path: list[str]  # the subcommand group/subcommand names after the command's own
    is_guild_command: bool  # synced for this guild (not globally)


class FakeDiscord(Served):
    """A fake Discord (REST + gateway) on 127.0.0.1 for the real discord.py client.

    Use as ``async with FakeDiscord() as fake:``; see the package docstring for an example.
    """

    def __init__(
        self,
        *,
        interaction_deadline: float = 3.0,
        followup_window: float = 15 * 60.0,
        heartbeat_interval: float = 41.25,
        old_message_edit_limit: int | None = None,
    ) -> None:
        self.ids = SnowflakeFactory()
        # The token is random per fake; it is only ever compared, never logged.
        self.token = f"fake.{secrets.token_urlsafe(24)}"
        self.app_id = self.ids.next()
        self.bot_user_id = self.app_id  # Discord gives a bot user the application's id.
        self.interaction_deadline = interaction_deadline
        self.followup_window = followup_window
        # Edits allowed on a message older than one hour before 30046 (None: unlimited).
        self.old_message_edit_limit = old_message_edit_limit
        self.violations: list[str] = []
        # Channel renames: the times of each channel's last ones, on a clock a test may set
        # (the bot's rename budget runs on the clock the test injects into the bot).
        self.rename_clock: Callable[[], float] = time.time
        self.renames: dict[int, list[float]] = {}
        self.requests: list[tuple[str, str]] = []
        # (client tag, method, path): the tag names the process (see run_patched.CLIENT_ENV).
        self.client_requests: list[tuple[str | None, str, str]] = []
        # What GET /gateway/bot recommends (discord.py's AutoShardedClient uses it when it
        # is given no shard count).
        self.recommended_shards = 1
        # What GET /applications/@me says: may anyone invite the bot (Public Bot)?
        self.bot_public = False
        # Guilds the bot left (DELETE /users/@me/guilds/{id}), in order.
        self.left_guilds: list[int] = []
        # Set (an error code): leaving a guild fails with that error.
        self.leave_error: int | None = None
        self.sync_requests = 0
        self.users: dict[int, FakeUser] = {}
        # Each user's Discord client language (the interactions' ``locale``); en-US if unset.
        self.user_locales: dict[int, str] = {}
        self.guilds: dict[int, FakeGuild] = {}
        self.global_commands: list[dict[str, Any]] | None = None
        self.guild_commands: dict[int, list[dict[str, Any]]] = {}
        self.messages = MessageStore(self.ids.next)
        # Files members attached to slash commands, served at their attachment URLs.
        self.uploads: dict[int, StoredAttachment] = {}
        # Discord keeps a nonce sent with ``enforce_nonce`` for a few minutes: the same nonce
        # from the same author in the same channel returns the message created first.
        self.nonce_window = 300.0
        self.nonces: dict[tuple[int, int, str], tuple[int, float]] = {}
        # Channel id -> (seconds, count): message posts there are created at once but
        # answered only after ``seconds`` (a response lost or a client cancelled meanwhile).
        self.stalled_posts: dict[int, tuple[float, int]] = {}
        self.interactions: dict[int, InteractionHandle] = {}
        self.interactions_by_token: dict[str, InteractionHandle] = {}
        self.ratelimits = RateLimiter()
        self.new_user("Outpost", user_id=self.bot_user_id, bot=True)
        self.owner_user = self.new_user("app owner")
        self.gateway = Gateway(
            token=self.token,
            on_identify=self._ready_events,
            heartbeat_interval=heartbeat_interval,
            violation=self.violation,
        )
        self._runner: web.AppRunner | None = None
        self._timers: list[asyncio.TimerHandle] = []
        self._changed = asyncio.Condition()
        self.port = 0

    def __repr__(self) -> str:
        return f"<FakeDiscord port={self.port} guilds={len(self.guilds)}>"

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        from .server import build_app

        self._runner = web.AppRunner(build_app(self), access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    @contextlib.contextmanager
    def patched(self) -> Iterator[None]:
        """Point discord.py's REST base and gateway URL at this fake; restored on exit."""
        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    def subprocess_env(self, client: str | None = None) -> dict[str, str]:
        """Environment for ``python -m tests.fakes.discord.run_patched MODULE`` in a child
        process: the fake's URLs, and ``DISCORD_TOKEN`` set to the token it accepts.

        ``client`` tags the process's REST requests (``client_requests``, ``requests_of``), so
        a test with several processes sees which one did what."""
        from .run_patched import API_ENV, CLIENT_ENV, GATEWAY_ENV

        env = {API_ENV: self.api_base, GATEWAY_ENV: self.gateway_url, "DISCORD_TOKEN": self.token}
        if client is not None:
            env[CLIENT_ENV] = client
        return env

    def requests_of(self, client: str) -> list[tuple[str, str]]:
        """``(method, path)`` of the REST requests of the process tagged ``client``."""
        return [(m, p) for tag, m, p in self.client_requests if tag == client]

    def shard_of(self, guild_id: int) -> int | None:
        """The shard whose session receives this guild's events (None: none connected)."""
        session = self.gateway.session_for(guild_id)
        return None if session is None else session.shard_id

    async def wait_shards(
        self,
        count: int,
        timeout: float = 10,  # a timeout argument is the documented API
    ) -> None:
        """Until ``count`` distinct shards identified and were sent READY and their guilds."""

        async def check() -> None:
            async with self.gateway.shard_ready:
                await self.gateway.shard_ready.wait_for(lambda: len(self.gateway.shards) >= count)

        try:
            await asyncio.wait_for(check(), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"{len(self.gateway.shards)} of {count} shard(s) identified within {timeout} s"
            ) from None

    async def wait_ready(
        self, timeout: float = 10
    ) -> None:  # a timeout argument is the documented API
        """Until a client identified and was sent READY and every GUILD_CREATE."""
        try:
            await asyncio.wait_for(self.gateway.ready.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(
                f"no client identified with the fake gateway within {timeout} s "
                f"(requests so far: {self.requests[-5:]})"
            ) from None

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5,  # a timeout argument is the documented API
    ) -> None:
        """Until ``predicate()`` holds; re-checked after every REST request the fake handled."""

        async def check() -> None:
            async with self._changed:
                await self._changed.wait_for(predicate)

        try:
            await asyncio.wait_for(check(), timeout)
        except TimeoutError:
            raise TimeoutError(f"condition still false after {timeout} s") from None

    async def notify_changed(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_resumed(
        self, timeout: float = 10
    ) -> None:  # a timeout argument is the documented API
        """Until the client RESUMEd after ``reconnect()``/``drop_connection()``."""
        await asyncio.wait_for(self.gateway.resumed.wait(), timeout)

    async def reconnect(self) -> None:
        """Send op 7 RECONNECT; the client reconnects and RESUMEs (see ``wait_resumed``)."""
        await self.gateway.send_reconnect()

    async def drop_connection(self, code: int = 4000) -> None:
        """Close the gateway socket with ``code`` as a network hiccup would."""
        await self.gateway.drop(code)

    # ------------------------------------------------------------------ violations

    def violation(self, message: str) -> None:
        self.violations.append(message)

    def pop_violations(self) -> list[str]:
        """Return and clear the violations (for tests that provoke one on purpose)."""
        found, self.violations = self.violations, []
        return found

    # ------------------------------------------------------------------ world

    def new_user(self, name: str, *, user_id: int | None = None, bot: bool = False) -> FakeUser:
        ident = user_id if user_id is not None else self.ids.next()
        existing = self.users.get(ident)
        if existing is not None:
            return existing
        user = FakeUser(ident, name, bot)
        self.users[ident] = user
        return user

    def user(self, user_id: int) -> FakeUser:
        try:
            return self.users[user_id]
        except KeyError:
            raise FakeDiscordError(f"unknown user {user_id}") from None

    def add_guild(
        self,
        name: str = "Guild",
        *,
        guild_id: int | None = None,
        everyone_permissions: int | None = None,
        bot_permissions: int | None = None,
        preferred_locale: str = "en-US",
    ) -> FakeGuild:
        """A guild the bot is in (GUILD_CREATE is sent at once if a client is connected);
        ``preferred_locale``: its Discord locale code (``fr``, ``pt-BR``…)."""
        ident = guild_id if guild_id is not None else self.ids.next()
        if ident in self.guilds:
            raise FakeDiscordError(f"guild {ident} already exists")
        kwargs: dict[str, int] = {}
        if everyone_permissions is not None:
            kwargs["everyone_permissions"] = everyone_permissions
        if bot_permissions is not None:
            kwargs["bot_permissions"] = bot_permissions
        guild = FakeGuild(self, name, ident, **kwargs)
        guild.preferred_locale = preferred_locale
        self.guilds[ident] = guild
        # A guild joined while connected comes without "unavailable" (discord.py: guild_join).
        joined = guild.create_payload()
        del joined["unavailable"]
        self.dispatch("GUILD_CREATE", joined, intent=INTENT_GUILDS)
        return guild

    def remove_guild(self, guild_id: int) -> None:
        """The bot left (or was removed from) the guild: gone, and GUILD_DELETE is sent."""
        self.guilds.pop(guild_id, None)
        self.left_guilds.append(guild_id)
        self.dispatch("GUILD_DELETE", {"id": str(guild_id)}, intent=INTENT_GUILDS)

    def guild(self, guild_id: int) -> FakeGuild:
        try:
            return self.guilds[guild_id]
        except KeyError:
            raise FakeDiscordError(f"unknown guild {guild_id}") from None

    def find_channel(self, channel_id: int) -> tuple[FakeGuild, int] | None:
        for guild in self.guilds.values():
            if channel_id in guild.channels:
                return guild, channel_id
        return None

    def dispatch(self, event: str, data: dict[str, Any], *, intent: int | None = None) -> None:
        """Send a gateway event to the connected bot (no-op before it identified); with
        shards, to the shard owning the event's guild."""
        self.gateway.dispatch(event, data, intent=intent)

    def _ready_events(self, session: GatewaySession) -> list[tuple[str, dict[str, Any]]]:
        guilds = [g for g in self.guilds.values() if session.owns(g.id)]
        ready = payloads.ready(
            bot=self.user(self.bot_user_id),
            session_id=session.session_id,
            resume_url=self.gateway_url,
            guild_ids=[g.id for g in guilds],
            app_id=self.app_id,
        )
        if session.shard_count > 1:
            ready["shard"] = [session.shard_id, session.shard_count]
        events: list[tuple[str, dict[str, Any]]] = [("READY", ready)]
        if session.intents & INTENT_GUILDS:
            events += [("GUILD_CREATE", g.create_payload()) for g in guilds]
        return events

    # ------------------------------------------------------------------ commands

    def commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Commands as last synced, global (``None``) or for one guild ([] if never synced)."""
        if guild_id is None:
            return copy.deepcopy(self.global_commands or [])
        return copy.deepcopy(self.guild_commands.get(guild_id, []))

    def _find_command(self, guild_id: int, name: str) -> tuple[Mapping[str, Any], bool]:
        command = find_command(self.guild_commands.get(guild_id, []), name)
        if command is not None:
            return command, True
        command = find_command(self.global_commands or [], name)
        if command is not None:
            return command, False
        raise FakeDiscordError(
            f"no slash command /{name} synced (guild {guild_id}: "
            f"{[c['name'] for c in self.guild_commands.get(guild_id, [])]}, "
            f"global: {[c['name'] for c in self.global_commands or []]})"
        )

    # ------------------------------------------------------------------ messages

    def _attachment(self, channel_id: int, upload: Upload) -> dict[str, Any]:
        """The attachment object of a member's upload (as in ``data.resolved``)."""
        attachment_id = self.ids.next()
        stored = StoredAttachment(
            attachment_id, upload.filename, upload.data, content_type=upload.content_type
        )
        self.uploads[attachment_id] = stored
        url = self.attachment_url(channel_id, attachment_id, upload.filename)
        return {
            "id": str(attachment_id),
            "filename": upload.filename,
            "size": len(upload.data),
            "url": url,
            "proxy_url": url,
            "content_type": upload.content_type,
        }

    def attachment_url(self, channel_id: int, attachment_id: int, filename: str) -> str:
        return f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{filename}"

    def view(self, message: StoredMessage) -> dict[str, Any]:
        return message.view(self.attachment_url)

    def message_json(self, message: StoredMessage) -> dict[str, Any]:
        return message.to_json(self.attachment_url)

    def channel_messages(self, channel_id: int) -> list[dict[str, Any]]:
        """Current messages of a channel, oldest first (ephemeral and deleted ones excluded)."""
        return [self.view(m) for m in self.messages.in_channel(channel_id)]

    def pinging_messages(self) -> list[dict[str, Any]]:
        """Every message (any channel, deleted ones too) that pinged a user, role or everyone
        given its ``allowed_mentions``; ``[]`` means nobody was ever pinged."""
        return [self.view(m) for m in self.messages.messages.values() if m.pings.anyone]

    def message(self, message_id: int) -> dict[str, Any]:
        """A message as it is now (deleted ones too, with ``deleted=True``)."""
        stored = self.messages.messages.get(message_id)
        if stored is None:
            raise FakeDiscordError(f"unknown message {message_id}")
        return self.view(stored)

    def delete_message(self, message_id: int) -> None:
        stored = self.messages.messages.get(message_id)
        if stored is None or stored.deleted:
            raise FakeDiscordError(f"unknown message {message_id}")
        stored.deleted = True
        if not stored.ephemeral:
            data = {"id": str(stored.id), "channel_id": str(stored.channel_id)}
            if stored.guild_id is not None:
                data["guild_id"] = str(stored.guild_id)
            self.dispatch("MESSAGE_DELETE", data, intent=INTENT_GUILD_MESSAGES)

    def fail_message(
        self,
        message_id: int,
        code: int,
        *,
        count: int = 1,
        methods: Sequence[str] = ("GET", "PATCH", "DELETE"),
    ) -> None:
        """The next ``count`` requests on this message answer Discord's error ``code``
        (10008 unknown message, 30046 old-message edit limit, 50013 missing permissions...)."""
        self.messages.fail(
            message_id, code, count=count, methods=frozenset(m.upper() for m in methods)
        )

    def age_message(self, message_id: int, seconds: float) -> None:
        """Make a message ``seconds`` older (for the "older than one hour" edit limit)."""
        stored = self.messages.messages.get(message_id)
        if stored is None:
            raise FakeDiscordError(f"unknown message {message_id}")
        stored.created_at -= seconds

    def post_user_message(self, channel_id: int, user_id: int, content: str) -> dict[str, Any]:
        """A member posts a message (MESSAGE_CREATE is dispatched)."""
        found = self.find_channel(channel_id)
        if found is None:
            raise FakeDiscordError(f"unknown channel {channel_id}")
        guild, _ = found
        guild.member(user_id)
        stored = self.messages.create(
            channel_id=channel_id,
            guild_id=guild.id,
            author=payloads.user(self.user(user_id)),
            payload={"content": content},
        )
        data = self.message_json(stored)
        self.dispatch("MESSAGE_CREATE", data, intent=INTENT_GUILD_MESSAGES)
        return self.view(stored)

    def rate_limit(
        self,
        method: str,
        path_regex: str,
        retry_after: float,
        count: int = 1,
        *,
        is_global: bool = False,
    ) -> None:
        """The next ``count`` requests matching ``method`` and ``path_regex`` (searched in the
        path after ``/api/v10``, e.g. ``r"/channels/\\d+/messages$"``) get a proper 429."""
        self.ratelimits.add(method, path_regex, retry_after, count, is_global)

    def stall_posts(self, channel_id: int, seconds: float, count: int = 1) -> None:
        """The next ``count`` message posts in the channel are created (and dispatched) at
        once but answered only after ``seconds``: what a client sees when Discord accepted a
        message and the answer was lost, or when it gave up waiting."""
        self.stalled_posts[channel_id] = (seconds, count)

    def bucket(self, method: str, path_regex: str, limit: int, per: float) -> None:
        """A Discord-like rate-limit bucket: ``limit`` requests per ``per`` seconds, announced
        in ``X-RateLimit-*`` headers; the request over the limit gets a 429 (recorded in
        ``ratelimits.limited``, not a violation). Requests whose ``path_regex`` match is the
        same text share a window (``r"^/channels/\\d+/messages"``: one per channel)."""
        self.ratelimits.add_bucket(method, path_regex, limit, per)

    # ------------------------------------------------------------------ interactions

    def _require_connected(self, guild_id: int | None = None) -> None:
        session = self.gateway.session_for(guild_id)
        if session is None or session.connection is None:
            where = "" if guild_id is None else f" on the shard of guild {guild_id}"
            raise FakeDiscordError(
                f"no bot is connected to the fake gateway{where} (run_bot first)"
            )

    def _member_json(self, guild: FakeGuild, user_id: int, channel_id: int) -> dict[str, Any]:
        return payloads.member(
            guild.member(user_id),
            self.user(user_id),
            permissions=guild.permissions(user_id, channel_id),
        )

    def _start_interaction(
        self,
        *,
        kind: int,
        guild: FakeGuild,
        channel_id: int,
        user_id: int,
        data: dict[str, Any],
        source_message: StoredMessage | None = None,
        label: str,
    ) -> InteractionHandle:
        self._require_connected(guild.id)
        interaction_id = self.ids.next()
        token = f"itok.{secrets.token_urlsafe(32)}"
        payload = payloads.interaction(
            interaction_id=interaction_id,
            interaction_type=kind,
            app_id=self.app_id,
            token=token,
            guild_id=guild.id,
            channel_json=payloads.channel(guild.id, guild.channel(channel_id)),
            member_json=self._member_json(guild, user_id, channel_id),
            app_permissions=guild.bot_permissions(channel_id),
            data=data,
            message=None if source_message is None else self.message_json(source_message),
            locale=self.user_locales.get(user_id, "en-US"),
            guild_locale=guild.preferred_locale,
        )
        handle = InteractionHandle(
            interaction_id=interaction_id,
            token=token,
            interaction_type=kind,
            guild_id=guild.id,
            channel_id=channel_id,
            user_id=user_id,
            payload=payload,
            message_view=self.view,
            source_message=source_message,
        )
        self.interactions[interaction_id] = handle
        self.interactions_by_token[token] = handle
        loop = asyncio.get_running_loop()
        self._timers.append(
            loop.call_later(self.interaction_deadline, self._deadline_passed, handle, label)
        )
        self.dispatch("INTERACTION_CREATE", payload)
        return handle

    def _deadline_passed(self, handle: InteractionHandle, label: str) -> None:
        if handle.responded or handle.rejections:
            return  # answered, or its refused answer is already a violation
        handle.expired = True
        self.violation(
            f"interaction {handle.id} ({label}) was not acknowledged within "
            f"{self.interaction_deadline} s (Discord shows 'This interaction failed')"
        )

    def _check_can_use(
        self,
        guild: FakeGuild,
        user_id: int,
        channel_id: int,
        command: Mapping[str, Any],
        bypass_default_permissions: bool,
    ) -> None:
        perms = guild.permissions(user_id, channel_id)
        if not perms & USE_APPLICATION_COMMANDS:
            raise FakeDiscordError(
                f"user {user_id} lacks Use Application Commands in channel {channel_id}"
            )
        required = command.get("default_member_permissions")
        if required is None or bypass_default_permissions or perms & ADMINISTRATOR:
            return
        needed = int(required)
        if perms & needed != needed or needed == 0:
            raise FakeDiscordError(
                f"Discord hides /{command['name']} from user {user_id}: "
                f"default_member_permissions={needed} not met (pass "
                f"bypass_default_permissions=True to simulate a server admin overriding it "
                f"in Integrations settings, which is why the bot must check at run time)"
            )

    def _typed_command(
        self, guild_id: int, user_id: int, name: str, channel_id: int | None
    ) -> TypedCommand:
        """Where ``user_id`` types ``/name``: their guild (they must be a member), the channel
        (the guild's default unless given) and the synced command the name starts with."""
        guild = self.guild(guild_id)
        guild.member(user_id)
        channel = channel_id if channel_id is not None else guild.default_channel_id()
        parts = name.split()
        if not parts:
            raise FakeDiscordError("empty command name")
        command, is_guild = self._find_command(guild_id, parts[0])
        return TypedCommand(guild, channel, user_id, command, parts[1:], is_guild)

    def _start_command(
        self,
        typed: TypedCommand,
        *,
        kind: int,
        options: Mapping[str, Any],
        label: str,
        focused: str | None = None,
    ) -> InteractionHandle:
        """The interaction of a typed command (run, or autocomplete of option ``focused``)."""
        data = build_command_data(
            typed.command,
            typed.path,
            options,
            GuildResolver(self.user, typed.guild, typed.channel_id, typed.user_id),
            guild_id=typed.guild.id if typed.is_guild_command else None,
            focused=focused,
        )
        return self._start_interaction(
            kind=kind,
            guild=typed.guild,
            channel_id=typed.channel_id,
            user_id=typed.user_id,
            data=data,
            label=label,
        )

    async def slash(
        self,
        guild_id: int,
        user_id: int,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        channel_id: int | None = None,
        bypass_default_permissions: bool = False,
    ) -> InteractionHandle:
        """Invoke ``/name`` (``"server add"`` for a subcommand) as ``user_id`` would."""
        typed = self._typed_command(guild_id, user_id, name, channel_id)
        self._check_can_use(
            typed.guild, user_id, typed.channel_id, typed.command, bypass_default_permissions
        )
        given = {
            k: self._attachment(typed.channel_id, v) if isinstance(v, Upload) else v
            for k, v in (options or {}).items()
        }
        return self._start_command(
            typed, kind=payloads.INTERACTION_COMMAND, options=given, label=f"/{name}"
        )

    async def autocomplete(
        self,
        guild_id: int,
        user_id: int,
        name: str,
        options: Mapping[str, Any] | None,
        focused: str,
        *,
        channel_id: int | None = None,
        timeout: float = 5,  # a timeout argument is the documented API
    ) -> list[dict[str, Any]]:
        """Type in option ``focused`` of ``/name``; returns the choices the bot offered."""
        typed = self._typed_command(guild_id, user_id, name, channel_id)
        handle = self._start_command(
            typed,
            kind=payloads.INTERACTION_AUTOCOMPLETE,
            options=options or {},
            label=f"autocomplete /{name} {focused}",
            focused=focused,
        )
        # A refused answer (already a violation) leaves the user with no choices.
        await handle.wait_attempt(timeout)
        return handle.choices or []

    def _message_of(self, target: InteractionHandle | Mapping[str, Any]) -> StoredMessage:
        if isinstance(target, InteractionHandle):
            message = target._message()
            if message is None:
                raise FakeDiscordError(f"interaction {target.id} has no message to click on")
        else:
            found = self.messages.messages.get(int(target["id"]))
            if found is None:
                raise FakeDiscordError(f"unknown message {target.get('id')}")
            message = found
        if message.deleted:
            raise FakeDiscordError(f"message {message.id} was deleted")
        return message

    async def click(
        self,
        message_or_handle: InteractionHandle | Mapping[str, Any],
        custom_id: str,
        user_id: int,
        *,
        values: Sequence[str] | None = None,
    ) -> InteractionHandle:
        """Click a button (or pick ``values`` in a select menu) on a message as it is now."""
        message = self._message_of(message_or_handle)
        components = {c.get("custom_id"): c for c in walk_components(message.components)}
        component = components.get(custom_id)
        if component is None:
            available = sorted(str(k) for k in components if k is not None)
            raise FakeDiscordError(
                f"message {message.id} has no component {custom_id!r}; it has {available}"
            )
        if component.get("disabled"):
            raise FakeDiscordError(f"component {custom_id!r} is disabled")
        if message.ephemeral and isinstance(message_or_handle, InteractionHandle):
            if message_or_handle.user_id != user_id:
                raise FakeDiscordError("only the user who got an ephemeral message can click it")
        if message.guild_id is None:
            raise FakeDiscordError("the fake only supports components in guild messages")
        guild = self.guild(message.guild_id)
        guild.member(user_id)
        kind = int(component["type"])
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind}
        if kind in SELECT_TYPES:
            data["values"] = select_values(component, values)
        elif values is not None:
            raise FakeDiscordError(f"component {custom_id!r} is a button, not a select menu")
        return self._start_interaction(
            kind=payloads.INTERACTION_COMPONENT,
            guild=guild,
            channel_id=message.channel_id,
            user_id=user_id,
            data=data,
            source_message=message,
            label=f"component {custom_id}",
        )

    async def select(
        self,
        message_or_handle: InteractionHandle | Mapping[str, Any],
        custom_id: str,
        values: Sequence[str],
        user_id: int,
    ) -> InteractionHandle:
        """Pick ``values`` in a select menu."""
        return await self.click(message_or_handle, custom_id, user_id, values=values)

    async def submit_modal(
        self,
        handle: InteractionHandle,
        values: Mapping[str, str],
        *,
        user_id: int | None = None,
    ) -> InteractionHandle:
        """Fill the modal the bot opened on ``handle`` with ``values`` (custom_id -> text)."""
        if not handle.responded:
            await handle.wait_response()
        modal = handle.modal
        if modal is None:
            raise FakeDiscordError(
                f"interaction {handle.id} was answered with type {handle.response_type}, "
                "not a modal"
            )
        data = modal_submit_data(modal, values)
        guild = self.guild(handle.guild_id)
        source = handle.source_message if handle.type == payloads.INTERACTION_COMPONENT else None
        return self._start_interaction(
            kind=payloads.INTERACTION_MODAL_SUBMIT,
            guild=guild,
            channel_id=handle.channel_id,
            user_id=user_id if user_id is not None else handle.user_id,
            data=data,
            source_message=source,
            label=f"modal {modal['custom_id']}",
        )
