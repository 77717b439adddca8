"""The fake's world: users, guilds with roles, channels and members.

Test code changes the world through ``FakeGuild``'s methods; every change is also sent to the
connected client as the gateway event Discord would send (when its intents ask for it), so the
bot's caches stay as they would in production.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from . import payloads
from .errors import FakeDiscordError
from .ids import SnowflakeFactory
from .permissions import (
    DEFAULT_BOT,
    DEFAULT_EVERYONE,
    Overwrite,
    base_permissions,
    channel_permissions,
)

# Gateway intents (bits) that gate the events the fake dispatches.
INTENT_GUILDS = 1 << 0
INTENT_MEMBERS = 1 << 1
INTENT_GUILD_MESSAGES = 1 << 9
# Announcement, public and private threads.
THREAD_TYPES = frozenset({10, 11, 12})


class EventSink(Protocol):
    """What a guild needs from the fake: ids, event dispatch, message deletion."""

    ids: SnowflakeFactory
    bot_user_id: int

    def dispatch(self, event: str, data: dict[str, Any], *, intent: int | None = None) -> None: ...

    def user(self, user_id: int) -> FakeUser: ...

    def new_user(self, name: str, *, user_id: int | None = None, bot: bool = False) -> FakeUser: ...

    def delete_message(self, message_id: int) -> None: ...


@dataclass(slots=True)
class FakeUser:
    id: int
    name: str
    bot: bool = False


@dataclass(slots=True)
class FakeRole:
    id: int
    name: str
    permissions: int
    position: int
    managed: bool = False
    bot_id: int | None = None


@dataclass(slots=True)
class FakeChannel:
    id: int
    name: str
    type: int
    position: int
    parent_id: int | None = None
    overwrites: dict[int, Overwrite] = field(default_factory=dict)
    # Threads only: an archived thread is out of the client's cache and takes no messages.
    archived: bool = False
    locked: bool = False

    @property
    def is_thread(self) -> bool:
        return self.type in THREAD_TYPES


@dataclass(slots=True)
class FakeMember:
    user_id: int
    roles: list[int]
    joined_at: str
    nick: str | None = None


def _now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat()


class FakeGuild:
    """One guild. Ids of roles, channels and members are returned by the ``add_*`` methods."""

    def __init__(
        self,
        sink: EventSink,
        name: str,
        guild_id: int,
        *,
        everyone_permissions: int = DEFAULT_EVERYONE,
        bot_permissions: int = DEFAULT_BOT,
    ) -> None:
        self._sink = sink
        self.id = guild_id
        self.name = name
        # Community > Overview > Server Primary Language; interactions carry it as guild_locale.
        self.preferred_locale = "en-US"
        self.roles: dict[int, FakeRole] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.members: dict[int, FakeMember] = {}
        # @everyone's id is the guild id, as on Discord.
        self.roles[guild_id] = FakeRole(guild_id, "@everyone", everyone_permissions, 0)
        owner = sink.new_user(f"{name} owner")
        self.owner_id = owner.id
        self.members[owner.id] = FakeMember(owner.id, [], _now_iso())
        # The bot joins with its managed integration role, like an invite with permissions.
        self.bot_role_id = sink.ids.next()
        self.roles[self.bot_role_id] = FakeRole(
            self.bot_role_id, "Outpost", bot_permissions, 1, managed=True, bot_id=sink.bot_user_id
        )
        self.members[sink.bot_user_id] = FakeMember(
            sink.bot_user_id, [self.bot_role_id], _now_iso()
        )

    # ------------------------------------------------------------------ reading

    @property
    def everyone_role_id(self) -> int:
        return self.id

    def member(self, user_id: int) -> FakeMember:
        try:
            return self.members[user_id]
        except KeyError:
            raise FakeDiscordError(f"user {user_id} is not a member of guild {self.id}") from None

    def channel(self, channel_id: int) -> FakeChannel:
        try:
            return self.channels[channel_id]
        except KeyError:
            raise FakeDiscordError(f"channel {channel_id} is not in guild {self.id}") from None

    def default_channel_id(self) -> int:
        """The first text channel (created on demand), used when a test names no channel."""
        for channel in self.channels.values():
            if channel.type == 0:
                return channel.id
        return self.add_channel("general")

    def permissions(self, user_id: int, channel_id: int | None = None) -> int:
        """The member's permissions, in ``channel_id`` (with overwrites) when given."""
        member = self.member(user_id)
        base = base_permissions(
            everyone=self.roles[self.id].permissions,
            role_permissions=(self.roles[r].permissions for r in member.roles if r in self.roles),
            is_owner=user_id == self.owner_id,
        )
        if channel_id is None:
            return base
        channel = self.channel(channel_id)
        if channel.is_thread and channel.parent_id is not None:
            channel = self.channel(channel.parent_id)  # a thread has its parent's permissions
        return channel_permissions(
            base,
            guild_id=self.id,
            member_id=user_id,
            member_roles=member.roles,
            overwrites=channel.overwrites,
        )

    def bot_permissions(self, channel_id: int | None = None) -> int:
        return self.permissions(self._sink.bot_user_id, channel_id)

    # ------------------------------------------------------------------ changing

    def add_role(self, name: str, permissions: int = 0) -> int:
        role_id = self._sink.ids.next()
        role = FakeRole(role_id, name, int(permissions), len(self.roles))
        self.roles[role_id] = role
        self._sink.dispatch(
            "GUILD_ROLE_CREATE",
            {"guild_id": str(self.id), "role": payloads.role(role)},
            intent=INTENT_GUILDS,
        )
        return role_id

    def set_role_permissions(self, role_id: int, permissions: int) -> None:
        role = self._role(role_id)
        role.permissions = int(permissions)
        self._sink.dispatch(
            "GUILD_ROLE_UPDATE",
            {"guild_id": str(self.id), "role": payloads.role(role)},
            intent=INTENT_GUILDS,
        )

    def set_bot_permissions(self, permissions: int) -> None:
        """Change what the bot's managed role grants (as an admin editing it would)."""
        self.set_role_permissions(self.bot_role_id, permissions)

    def add_channel(self, name: str, type: int = 0, *, parent_id: int | None = None) -> int:
        channel_id = self._sink.ids.next()
        channel = FakeChannel(channel_id, name, type, len(self.channels), parent_id)
        self.channels[channel_id] = channel
        self._sink.dispatch(
            "CHANNEL_CREATE", payloads.channel(self.id, channel), intent=INTENT_GUILDS
        )
        return channel_id

    def add_thread(self, parent_id: int, name: str) -> int:
        """A public thread in a text channel (created by the guild owner)."""
        self.channel(parent_id)
        thread_id = self._sink.ids.next()
        thread = FakeChannel(thread_id, name, 11, 0, parent_id)
        self.channels[thread_id] = thread
        self._sink.dispatch(
            "THREAD_CREATE",
            {**payloads.channel(self.id, thread, self.owner_id), "newly_created": True},
            intent=INTENT_GUILDS,
        )
        return thread_id

    def set_thread_archived(self, thread_id: int, archived: bool, *, locked: bool = False) -> None:
        """Archive (optionally lock) or reopen a thread, as Discord or a moderator would."""
        thread = self.channel(thread_id)
        if not thread.is_thread:
            raise FakeDiscordError(f"channel {thread_id} is not a thread")
        thread.archived, thread.locked = archived, locked
        self._sink.dispatch(
            "THREAD_UPDATE",
            payloads.channel(self.id, thread, self.owner_id),
            intent=INTENT_GUILDS,
        )

    def rename_channel(self, channel_id: int, name: str) -> None:
        """Rename a (non-thread) channel, as the bot's PATCH or an admin would."""
        channel = self.channel(channel_id)
        channel.name = name
        self._sink.dispatch(
            "CHANNEL_UPDATE", payloads.channel(self.id, channel), intent=INTENT_GUILDS
        )

    def set_channel_permission(
        self, channel_id: int, target_id: int, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Set an overwrite for a role or member (``target_id``) in a channel."""
        channel = self.channel(channel_id)
        kind = 0 if target_id in self.roles else 1
        if kind == 1:
            self.member(target_id)
        channel.overwrites[target_id] = Overwrite(target_id, kind, int(allow), int(deny))
        self._sink.dispatch(
            "CHANNEL_UPDATE", payloads.channel(self.id, channel), intent=INTENT_GUILDS
        )

    def deny_bot(self, channel_id: int, permissions: int) -> None:
        """Simulate an admin taking ``permissions`` away from the bot in one channel."""
        self.set_channel_permission(channel_id, self._sink.bot_user_id, deny=permissions)

    def add_member(
        self,
        name: str,
        *,
        roles: Iterable[int] = (),
        user_id: int | None = None,
        owner: bool = False,
    ) -> int:
        role_ids = [self._role(r).id for r in roles if r != self.id]
        user = self._sink.new_user(name, user_id=user_id)
        if user.id in self.members:
            raise FakeDiscordError(f"user {user.id} is already a member of guild {self.id}")
        member = FakeMember(user.id, role_ids, _now_iso())
        self.members[user.id] = member
        if owner:
            self.owner_id = user.id
        self._sink.dispatch(
            "GUILD_MEMBER_ADD",
            {"guild_id": str(self.id), **payloads.member(member, user)},
            intent=INTENT_MEMBERS,
        )
        return user.id

    def set_member_roles(self, user_id: int, roles: Iterable[int]) -> None:
        member = self.member(user_id)
        member.roles = [self._role(r).id for r in roles if r != self.id]
        # Without the privileged members intent Discord only tells the bot about itself.
        intent = None if user_id == self._sink.bot_user_id else INTENT_MEMBERS
        self._sink.dispatch(
            "GUILD_MEMBER_UPDATE",
            {"guild_id": str(self.id), **payloads.member(member, self._sink.user(user_id))},
            intent=intent,
        )

    def add_member_role(self, user_id: int, role_id: int) -> None:
        member = self.member(user_id)
        if role_id not in member.roles:
            self.set_member_roles(user_id, [*member.roles, role_id])

    def remove_member_role(self, user_id: int, role_id: int) -> None:
        member = self.member(user_id)
        self.set_member_roles(user_id, [r for r in member.roles if r != role_id])

    def delete_message(self, message_id: int) -> None:
        """Delete a message as a moderator would (the bot gets MESSAGE_DELETE)."""
        self._sink.delete_message(message_id)

    def _role(self, role_id: int) -> FakeRole:
        try:
            return self.roles[role_id]
        except KeyError:
            raise FakeDiscordError(f"role {role_id} is not in guild {self.id}") from None

    # ------------------------------------------------------------------ payloads

    def create_payload(self) -> dict[str, Any]:
        """GUILD_CREATE as sent to a bot without the members intent (only itself as member)."""
        bot = self._sink.user(self._sink.bot_user_id)
        return payloads.guild_create(
            guild_id=self.id,
            name=self.name,
            owner_id=self.owner_id,
            roles=list(self.roles.values()),
            channels=[c for c in self.channels.values() if not c.is_thread],
            threads=[c for c in self.channels.values() if c.is_thread and not c.archived],
            members=[(self.members[bot.id], bot)],
            member_count=len(self.members),
            preferred_locale=self.preferred_locale,
        )
