"""``data.resolved`` for command options: users, members, roles and channels of one guild."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import payloads
from .errors import FakeDiscordError
from .state import FakeGuild, FakeUser


class GuildResolver:
    """Lookups for ``user_id`` invoking a command in ``channel_id`` (``options.Resolver``)."""

    def __init__(
        self,
        users: Callable[[int], FakeUser],
        guild: FakeGuild,
        channel_id: int,
        user_id: int,
    ) -> None:
        self._users = users
        self._guild = guild
        self._channel_id = channel_id
        self._user_id = user_id

    def resolve_user(self, user_id: int) -> tuple[dict[str, Any], dict[str, Any] | None]:
        user = self._users(user_id)
        member = self._guild.members.get(user_id)
        if member is None:
            return payloads.user(user), None
        perms = self._guild.permissions(user_id, self._channel_id)
        return payloads.user(user), payloads.member(
            member, user, permissions=perms, with_user=False
        )

    def resolve_role(self, role_id: int) -> dict[str, Any]:
        role = self._guild.roles.get(role_id)
        if role is None:
            raise FakeDiscordError(f"role {role_id} is not in guild {self._guild.id}")
        return payloads.role(role)

    def resolve_channel(self, channel_id: int) -> dict[str, Any]:
        channel = self._guild.channel(channel_id)
        data = payloads.channel(self._guild.id, channel)
        # Resolved channels carry the invoking member's permissions there.
        data["permissions"] = str(self._guild.permissions(self._user_id, channel_id))
        return data
