"""Discord's permission computation (base permissions, then channel overwrites).

Follows the algorithm in Discord's documentation ("Permission Overwrites"): owner and
ADMINISTRATOR get everything; otherwise @everyone, then the member's roles, then channel
overwrites for @everyone, the roles (denies before allows) and finally the member.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import discord

ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_ROLES = 1 << 28
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
MANAGE_THREADS = 1 << 34
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL = discord.Permissions.all().value

# What a fresh server gives @everyone (the common text and voice permissions).
DEFAULT_EVERYONE = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    embed_links=True,
    attach_files=True,
    add_reactions=True,
    use_external_emojis=True,
    read_message_history=True,
    use_application_commands=True,
    connect=True,
    speak=True,
    change_nickname=True,
).value

# What the invite of a typical status/RCON bot grants its managed role.
DEFAULT_BOT = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
    use_application_commands=True,
).value


@dataclass(frozen=True, slots=True)
class Overwrite:
    """A channel permission overwrite for a role (type 0) or a member (type 1)."""

    target_id: int
    type: int
    allow: int = 0
    deny: int = 0


def base_permissions(
    *,
    everyone: int,
    role_permissions: Iterable[int],
    is_owner: bool,
) -> int:
    if is_owner:
        return ALL
    perms = everyone
    for value in role_permissions:
        perms |= value
    if perms & ADMINISTRATOR:
        return ALL
    return perms


def channel_permissions(
    base: int,
    *,
    guild_id: int,
    member_id: int,
    member_roles: Iterable[int],
    overwrites: Mapping[int, Overwrite],
) -> int:
    if base & ADMINISTRATOR:
        return ALL
    perms = base
    everyone = overwrites.get(guild_id)
    if everyone is not None:
        perms = (perms & ~everyone.deny) | everyone.allow
    allow = deny = 0
    for role_id in member_roles:
        role_ow = overwrites.get(role_id)
        if role_ow is not None and role_ow.type == 0:
            allow |= role_ow.allow
            deny |= role_ow.deny
    perms = (perms & ~deny) | allow
    member_ow = overwrites.get(member_id)
    if member_ow is not None and member_ow.type == 1:
        perms = (perms & ~member_ow.deny) | member_ow.allow
    # Without VIEW_CHANNEL nothing else in the channel applies.
    if not perms & VIEW_CHANNEL:
        return 0
    return perms
