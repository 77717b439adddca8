"""Login, gateway discovery, users, guilds, channels and the attachment "CDN"."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from . import payloads
from .errors import (
    INVALID_FORM_BODY,
    MISSING_PERMISSIONS,
    UNKNOWN_GUILD,
    UNKNOWN_MEMBER,
    UNKNOWN_ROLE,
    UNKNOWN_USER,
    api_error,
)
from .permissions import (
    ADMINISTRATOR,
    MANAGE_CHANNELS,
    MANAGE_ROLES,
    MANAGE_THREADS,
    SEND_MESSAGES_IN_THREADS,
)
from .rest_util import (
    API_PREFIX,
    fake_of,
    json_response,
    no_content,
    snowflake,
    visible_channel,
)


async def get_me(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    bot = fake.user(fake.bot_user_id)
    return json_response({**payloads.user(bot), "verified": True, "mfa_enabled": False, "flags": 0})


async def get_user(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    user = fake.users.get(snowflake(request, "user_id"))
    if user is None:
        raise api_error(UNKNOWN_USER)
    return json_response(payloads.user(user))


async def get_application(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    return json_response(
        payloads.application(
            app_id=fake.app_id,
            bot=fake.user(fake.bot_user_id),
            owner=fake.owner_user,
            bot_public=fake.bot_public,
        )
    )


async def leave_guild(request: web.Request) -> web.StreamResponse:
    """DELETE /users/@me/guilds/{id}: the bot leaves; Discord then sends GUILD_DELETE."""
    fake = fake_of(request)
    guild_id = snowflake(request, "guild_id")
    if guild_id not in fake.guilds:
        raise api_error(UNKNOWN_GUILD)
    if fake.leave_error is not None:
        raise api_error(fake.leave_error)
    fake.remove_guild(guild_id)
    return no_content()


async def get_gateway(request: web.Request) -> web.StreamResponse:
    return json_response({"url": fake_of(request).gateway_url})


async def get_gateway_bot(request: web.Request) -> web.StreamResponse:
    return json_response(
        {
            "url": fake_of(request).gateway_url,
            "shards": fake_of(request).recommended_shards,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14_400_000,
                "max_concurrency": 1,
            },
        }
    )


async def get_guild(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    guild = fake.guilds.get(snowflake(request, "guild_id"))
    if guild is None:
        raise api_error(UNKNOWN_GUILD)
    data = guild.create_payload()
    for key in ("channels", "members", "threads", "presences", "voice_states"):
        data.pop(key, None)
    return json_response(data)


async def get_guild_channels(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    guild = fake.guilds.get(snowflake(request, "guild_id"))
    if guild is None:
        raise api_error(UNKNOWN_GUILD)
    return json_response(
        [payloads.channel(guild.id, c) for c in guild.channels.values() if not c.is_thread]
    )


async def get_guild_roles(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    guild = fake.guilds.get(snowflake(request, "guild_id"))
    if guild is None:
        raise api_error(UNKNOWN_GUILD)
    return json_response([payloads.role(r) for r in guild.roles.values()])


async def get_guild_member(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    guild = fake.guilds.get(snowflake(request, "guild_id"))
    if guild is None:
        raise api_error(UNKNOWN_GUILD)
    user_id = snowflake(request, "user_id")
    member = guild.members.get(user_id)
    if member is None:
        raise api_error(UNKNOWN_MEMBER)
    return json_response(payloads.member(member, fake.user(user_id)))


async def member_role(request: web.Request) -> web.StreamResponse:
    """PUT/DELETE /guilds/{g}/members/{u}/roles/{r}: as Discord, only with Manage Roles and for
    a role below the bot's highest one (never a managed role); a GUILD_MEMBER_UPDATE follows."""
    fake = fake_of(request)
    guild = fake.guilds.get(snowflake(request, "guild_id"))
    if guild is None:
        raise api_error(UNKNOWN_GUILD)
    user_id, role_id = snowflake(request, "user_id"), snowflake(request, "role_id")
    if user_id not in guild.members:
        raise api_error(UNKNOWN_MEMBER)
    role = guild.roles.get(role_id)
    if role is None or role_id == guild.id:
        raise api_error(UNKNOWN_ROLE)
    bot = fake.bot_user_id
    perms = guild.permissions(bot)
    top = max(guild.roles[r].position for r in guild.members[bot].roles)
    if not perms & (MANAGE_ROLES | ADMINISTRATOR) or role.managed or role.position >= top:
        raise api_error(MISSING_PERMISSIONS)
    if request.method == "PUT":
        guild.add_member_role(user_id, role_id)
    else:
        guild.remove_member_role(user_id, role_id)
    return no_content()


RENAME_WINDOW = 600.0  # Discord: two renames of a channel per ten minutes
RENAMES_PER_WINDOW = 2


def _rename(fake: Any, guild: Any, channel: Any, name: str, perms: int) -> web.StreamResponse:
    """A channel's new name. Discord allows two renames per channel per ten minutes and then
    holds the third for the rest of the window (a 429 with that wait): a bot that gets there
    breaks the rule, so the fake records it. Times come from ``fake.rename_clock``."""
    if not perms & (MANAGE_CHANNELS | ADMINISTRATOR):
        raise api_error(MISSING_PERMISSIONS)
    if not 1 <= len(name) <= 100:
        raise api_error(INVALID_FORM_BODY)
    now = fake.rename_clock()
    recent = [t for t in fake.renames.get(channel.id, []) if now - t < RENAME_WINDOW]
    if len(recent) >= RENAMES_PER_WINDOW:
        fake.violation(
            f"PATCH /channels/{channel.id}: a third rename within ten minutes (Discord holds it)"
        )
        raise api_error(MISSING_PERMISSIONS)
    fake.renames[channel.id] = [*recent, now]
    guild.rename_channel(channel.id, name)
    return json_response(payloads.channel(guild.id, channel, guild.owner_id))


async def get_channel(request: web.Request) -> web.StreamResponse:
    guild, channel_id, _ = visible_channel(request)
    return json_response(payloads.channel(guild.id, guild.channel(channel_id), guild.owner_id))


async def modify_channel(request: web.Request) -> web.StreamResponse:
    """PATCH /channels/{id}: only a thread's ``archived``/``locked`` (what the bot changes).
    Reopening an unlocked thread needs Send Messages in Threads; a locked one, or locking,
    needs Manage Threads."""
    fake = fake_of(request)
    guild, channel_id, perms = visible_channel(request)
    channel = guild.channel(channel_id)
    payload = await request.json()
    if not channel.is_thread and set(payload) == {"name"}:
        return _rename(fake, guild, channel, str(payload["name"]), perms)
    unsupported = set(payload) - {"archived", "locked"}
    if not channel.is_thread or unsupported:
        fake.violation(
            f"PATCH /channels/{channel_id}: the fake supports only a thread's "
            f"archived/locked (got {sorted(payload)})"
        )
        raise api_error(MISSING_PERMISSIONS)
    locked = bool(payload.get("locked", channel.locked))
    needs = MANAGE_THREADS if (channel.locked or locked) else SEND_MESSAGES_IN_THREADS
    if not perms & needs:
        raise api_error(MISSING_PERMISSIONS)
    guild.set_thread_archived(
        channel_id, bool(payload.get("archived", channel.archived)), locked=locked
    )
    return json_response(payloads.channel(guild.id, channel, guild.owner_id))


async def get_attachment(request: web.Request) -> web.StreamResponse:
    fake = fake_of(request)
    attachment_id = snowflake(request, "attachment_id")
    upload = fake.uploads.get(attachment_id)
    if upload is not None:
        return web.Response(body=upload.data, content_type="application/octet-stream")
    for message in fake.messages.messages.values():
        for attachment in message.attachments:
            if attachment.id == attachment_id:
                return web.Response(body=attachment.data, content_type="application/octet-stream")
    return web.Response(status=404, text="Not Found")


def add_routes(router: web.UrlDispatcher) -> None:
    p = API_PREFIX
    router.add_get(f"{p}/users/@me", get_me)
    router.add_get(f"{p}/users/{{user_id}}", get_user)
    router.add_delete(f"{p}/users/@me/guilds/{{guild_id}}", leave_guild)
    router.add_get(f"{p}/oauth2/applications/@me", get_application)
    router.add_get(f"{p}/applications/@me", get_application)
    router.add_get(f"{p}/gateway", get_gateway)
    router.add_get(f"{p}/gateway/bot", get_gateway_bot)
    router.add_get(f"{p}/guilds/{{guild_id}}", get_guild)
    router.add_get(f"{p}/guilds/{{guild_id}}/channels", get_guild_channels)
    router.add_get(f"{p}/guilds/{{guild_id}}/roles", get_guild_roles)
    router.add_get(f"{p}/guilds/{{guild_id}}/members/{{user_id}}", get_guild_member)
    roles_of = f"{p}/guilds/{{guild_id}}/members/{{user_id}}/roles/{{role_id}}"
    router.add_put(roles_of, member_role)
    router.add_delete(roles_of, member_role)
    router.add_get(f"{p}/channels/{{channel_id}}", get_channel)
    router.add_patch(f"{p}/channels/{{channel_id}}", modify_channel)
    router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", get_attachment)
