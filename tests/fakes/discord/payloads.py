"""JSON builders: the objects Discord sends (users, members, roles, channels, guilds,
READY, interactions). Shapes follow Discord's API v10 and what discord.py 2.7 reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .state import FakeChannel, FakeMember, FakeRole, FakeUser

ATTACHMENT_SIZE_LIMIT = 8 * 1024 * 1024  # 8 MiB: an unboosted guild's upload limit

INTERACTION_COMMAND = 2
INTERACTION_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4
INTERACTION_MODAL_SUBMIT = 5


def user(u: FakeUser) -> dict[str, Any]:
    return {
        "id": str(u.id),
        "username": u.name,
        "discriminator": "0",
        "global_name": None if u.bot else u.name,
        "avatar": None,
        "bot": u.bot,
        "public_flags": 0,
    }


def member(
    m: FakeMember, u: FakeUser, *, permissions: int | None = None, with_user: bool = True
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "roles": [str(r) for r in m.roles],
        "nick": m.nick,
        "avatar": None,
        "joined_at": m.joined_at,
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "pending": False,
        "flags": 0,
        "communication_disabled_until": None,
    }
    if with_user:
        data["user"] = user(u)
    if permissions is not None:
        data["permissions"] = str(permissions)
    return data


def role(r: FakeRole) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(r.id),
        "name": r.name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": r.position,
        "permissions": str(r.permissions),
        "managed": r.managed,
        "mentionable": False,
        "flags": 0,
    }
    if r.bot_id is not None:
        data["tags"] = {"bot_id": str(r.bot_id)}
    return data


def channel(guild_id: int, c: FakeChannel, owner_id: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(c.id),
        "type": c.type,
        "guild_id": str(guild_id),
        "name": c.name,
        "position": c.position,
        "parent_id": str(c.parent_id) if c.parent_id else None,
        "permission_overwrites": [
            {"id": str(o.target_id), "type": o.type, "allow": str(o.allow), "deny": str(o.deny)}
            for o in c.overwrites.values()
        ],
        "nsfw": False,
        "flags": 0,
    }
    if c.type in (0, 5):
        data.update(topic=None, last_message_id=None, rate_limit_per_user=0)
    elif c.type in (2, 13):
        data.update(bitrate=64000, user_limit=0, rtc_region=None)
    elif c.is_thread:
        data.pop("permission_overwrites")
        data.pop("position")
        data.update(
            owner_id=str(owner_id),
            last_message_id=None,
            rate_limit_per_user=0,
            message_count=0,
            member_count=1,
            thread_metadata={
                "archived": c.archived,
                "locked": c.locked,
                "auto_archive_duration": 1440,
                "archive_timestamp": "2026-01-01T00:00:00+00:00",
            },
        )
    return data


def guild_create(
    *,
    guild_id: int,
    name: str,
    owner_id: int,
    roles: Sequence[FakeRole],
    channels: Sequence[FakeChannel],
    members: Sequence[tuple[FakeMember, FakeUser]],
    member_count: int,
    threads: Sequence[FakeChannel] = (),
    preferred_locale: str = "en-US",
) -> dict[str, Any]:
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "owner_id": str(owner_id),
        "unavailable": False,
        "large": False,
        "member_count": member_count,
        "joined_at": members[0][0].joined_at if members else None,
        "roles": [role(r) for r in roles],
        "channels": [channel(guild_id, c) for c in channels],
        "members": [member(m, u) for m, u in members],
        "emojis": [],
        "stickers": [],
        "features": [],
        "threads": [channel(guild_id, t, owner_id) for t in threads],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "preferred_locale": preferred_locale,
        "system_channel_flags": 0,
    }


def ready(
    *,
    bot: FakeUser,
    session_id: str,
    resume_url: str,
    guild_ids: Sequence[int],
    app_id: int,
) -> dict[str, Any]:
    return {
        "v": 10,
        "user": {**user(bot), "verified": True, "mfa_enabled": False, "flags": 0},
        "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
        "session_id": session_id,
        "session_type": "normal",
        "resume_gateway_url": resume_url,
        "private_channels": [],
        "relationships": [],
        "presences": [],
        "guild_join_requests": [],
        "geo_ordered_rtc_regions": [],
        "user_settings": {},
        "application": {"id": str(app_id), "flags": 0},
    }


def application(
    *, app_id: int, bot: FakeUser, owner: FakeUser, bot_public: bool = False
) -> dict[str, Any]:
    return {
        "id": str(app_id),
        "name": bot.name,
        "icon": None,
        "description": "",
        "rpc_origins": [],
        "bot_public": bot_public,
        "bot_require_code_grant": False,
        "bot": user(bot),
        "terms_of_service_url": None,
        "privacy_policy_url": None,
        "owner": user(owner),
        "verify_key": "00" * 32,
        "team": None,
        "flags": 0,
        "tags": [],
        "approximate_guild_count": 1,
    }


def interaction(
    *,
    interaction_id: int,
    interaction_type: int,
    app_id: int,
    token: str,
    guild_id: int,
    channel_json: Mapping[str, Any],
    member_json: Mapping[str, Any],
    app_permissions: int,
    data: Mapping[str, Any],
    message: Mapping[str, Any] | None = None,
    locale: str = "en-US",
    guild_locale: str = "en-US",
) -> dict[str, Any]:
    """An INTERACTION_CREATE body for a guild interaction; ``locale`` is the member's client
    language, ``guild_locale`` the guild's preferred locale."""
    payload: dict[str, Any] = {
        "id": str(interaction_id),
        "application_id": str(app_id),
        "type": interaction_type,
        "token": token,
        "version": 1,
        "guild_id": str(guild_id),
        "guild": {"id": str(guild_id), "locale": guild_locale, "features": []},
        "channel_id": channel_json["id"],
        "channel": dict(channel_json),
        "member": dict(member_json),
        "app_permissions": str(app_permissions),
        "locale": locale,
        "guild_locale": guild_locale,
        "entitlements": [],
        "authorizing_integration_owners": {"0": str(guild_id)},
        "context": 0,
        "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        "data": dict(data),
    }
    if message is not None:
        payload["message"] = dict(message)
    return payload
