"""A fake Discord for end-to-end tests of the real discord.py client, over loopback.

``FakeDiscord`` is an aiohttp server on 127.0.0.1 (random port) serving the REST routes a bot
uses and the gateway websocket. discord.py is pointed at it by patching ``Route.BASE`` and
``DiscordWebSocket.DEFAULT_GATEWAY`` (``fake.patched()``); nothing in discord.py is mocked.
The fake enforces Discord's rules (interaction deadlines, one initial response, message,
embed, component, modal, autocomplete and command-schema limits, waiting after a 429) and
records every breach in ``fake.violations``; the ``fake_discord`` fixture fails the test when
that list is not empty.

Example::

    from tests.fakes.discord import FakeDiscord, run_bot
    from tests.fakes.discord.pytest_plugin import fake_discord  # in your conftest.py

    async def test_status(fake_discord: FakeDiscord) -> None:
        guild = fake_discord.add_guild("Test")
        admins = guild.add_role("Admins", permissions=discord.Permissions(manage_guild=True).value)
        alice = guild.add_member("alice", roles=[admins])
        bot = MyBot()  # any commands.Bot; it syncs its commands in setup_hook
        async with run_bot(fake_discord, bot):
            assert [c["name"] for c in fake_discord.commands(guild.id)] == ["server", "status"]
            handle = await fake_discord.slash(guild.id, alice, "server add", {"name": "alpha"})
            await handle.wait_response()
            assert handle.ephemeral and "added" in (handle.content or "")

Main API (see each docstring):

- ``FakeDiscord(interaction_deadline=3.0, followup_window=900.0, heartbeat_interval=41.25,
  old_message_edit_limit=None)``: async context manager (the deadlines are plain attributes a
  test may change). ``token``, ``app_id``, ``bot_user_id``, ``violations``, ``requests``
  (``(method, path)`` with paths relative to ``/api/v10``; the gateway is ``("WS",
  "/gateway")``), ``sync_requests``; ``pop_violations()`` for tests that break a rule on
  purpose.
- ``add_guild(name, *, guild_id=None, everyone_permissions=None, bot_permissions=None)`` ->
  ``FakeGuild`` with ``id``, ``everyone_role_id``, ``bot_role_id``, ``owner_id``,
  ``add_role``, ``add_channel``, ``add_member``, ``set_member_roles``, ``add_member_role``,
  ``remove_member_role``, ``set_role_permissions``, ``set_bot_permissions``,
  ``set_channel_permission``, ``deny_bot``, ``delete_message``, ``default_channel_id()``,
  ``permissions(user_id, channel_id)``. Changes reach the bot as gateway events
  (GUILD_ROLE_CREATE/UPDATE, GUILD_MEMBER_UPDATE, CHANNEL_CREATE/UPDATE, MESSAGE_DELETE...)
  when its intents ask for them, as on Discord.
- ``patched()``, ``wait_ready()``, ``wait_until(predicate)`` (re-checked after each REST
  request), ``reconnect()`` / ``drop_connection()`` + ``wait_resumed()``.
- ``commands(guild_id=None)``; ``slash(guild_id, user_id, "group sub", options, *,
  channel_id=None, bypass_default_permissions=False)``; ``autocomplete(guild_id, user_id,
  name, options, focused)`` -> choices; ``click(message_or_handle, custom_id, user_id)``;
  ``select(message_or_handle, custom_id, values, user_id)``; ``submit_modal(handle, values,
  *, user_id=None)``. Each returns an ``InteractionHandle`` (``wait_response``,
  ``wait_followup``, ``response_type``, ``ephemeral``, ``content``, ``embeds``,
  ``components``, ``files``, ``modal``, ``choices``, ``followups``, ``original``,
  ``payload``, ``rejections``). ``slash`` raises ``FakeDiscordError`` for what Discord's UI
  would not send (unknown command/option, wrong type, missing required option, a command
  hidden by ``default_member_permissions``).
- ``channel_messages(channel_id)``, ``message(id)``, ``pinging_messages()``,
  ``post_user_message(channel_id, user_id, content)``, ``fail_message(id, code, count=1)``
  (10008, 30046, 50013...), ``age_message(id, seconds)``.
- ``rate_limit(method, path_regex, retry_after, count=1)`` (injected 429s) and
  ``bucket(method, path_regex, limit, per)`` (Discord-like ``X-RateLimit-*`` buckets);
  ``ratelimits.limited`` lists the requests answered 429.
- ``run_bot(fake, bot)``: async context manager that starts the bot against the fake, waits
  until it is ready and closes it cleanly (tasks and heartbeat thread included).
- ``subprocess_env(client=None)`` + ``python -m tests.fakes.discord.run_patched MODULE
  [ARGS]``: the same fake for a bot started as a child process (``python -m bot``, signals).
  ``client="name"`` tags that process's REST requests: ``client_requests`` lists ``(tag,
  method, path)``, ``requests_of("name")`` its ``(method, path)``.
- Shards: IDENTIFY's ``shard: [id, count]`` is honoured; several sessions (one per shard,
  from one or several processes) are connected at once; READY and GUILD_CREATE carry only
  the guilds of the identifying shard (``(guild_id >> 22) % count``), and every event about a
  guild (interactions included) goes to that guild's shard, guild-less ones to shard 0.
  ``gateway.shards`` (shard id -> session), ``shard_of(guild_id)``, ``wait_shards(count)``,
  ``recommended_shards`` (the ``shards`` of ``GET /gateway/bot``, used by an
  ``AutoShardedBot`` without a shard count); ``ids.guild_id_on_shard(shard, count, index)``
  makes guild ids for a given shard.
"""

from __future__ import annotations

from .errors import ApiError, FakeDiscordError
from .fake import FakeDiscord
from .harness import run_bot
from .interactions import InteractionHandle
from .mentions import Pings
from .messages import Upload
from .state import FakeGuild

__all__ = [
    "ApiError",
    "FakeDiscord",
    "FakeDiscordError",
    "FakeGuild",
    "InteractionHandle",
    "Pings",
    "Upload",
    "run_bot",
]
