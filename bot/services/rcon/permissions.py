"""Who may run which RCON action: Administrator, or a role granted the action (per guild,
optionally per server). Checked on every call and again when a confirm button is pressed."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from bot.services.errors import UserError
from bot.storage import Store
from bot.storage.permissions import Grant


class Action(enum.Enum):
    PLAYERS = "players"
    SAY = "say"
    KICK = "kick"
    BAN = "ban"  # /rcon ban, unban and bans; /ban add
    UNBAN = "unban"  # lifting a ban of the guild ban list (/ban remove)
    EXEC = "exec"


def parse_action(value: str) -> Action:
    try:
        return Action(value.strip().lower())
    except ValueError:
        names = ", ".join(a.value for a in Action)
        raise UserError(key="grants.unknown_action", actions=names) from None


@dataclass(frozen=True, slots=True)
class Caller:
    """What the permission check needs to know about a member (no discord types here)."""

    guild_id: int
    user_id: int
    is_admin: bool
    role_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    action: Action
    # "administrator" or "role <id>" when allowed; '' otherwise.
    allowed_by: str = ""


class NotPermitted(UserError):
    outcome = "denied"

    def __init__(self, action: Action, server_name: str) -> None:
        super().__init__(key="rcon.not_permitted", action=action.value, server=repr(server_name))
        self.action = action


class PermissionService:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def decide(self, caller: Caller, action: Action, server_id: int | None) -> Decision:
        if caller.is_admin:
            return Decision(True, action, "administrator")
        grants = await self.store.grants.matching(
            caller.guild_id, list(caller.role_ids), action.value, server_id
        )
        if not grants:
            return Decision(False, action)
        # A per-server grant is the more precise reason; matching() lists those first.
        return Decision(True, action, f"role {grants[0].role_id}")

    async def grant(
        self, guild_id: int, role_id: int, action: Action, server_id: int | None, by: int
    ) -> bool:
        return await self.store.grants.add(guild_id, role_id, action.value, server_id, by)

    async def revoke(
        self, guild_id: int, role_id: int, action: Action, server_id: int | None
    ) -> bool:
        return await self.store.grants.remove(guild_id, role_id, action.value, server_id)

    async def grants_of(self, guild_id: int) -> list[Grant]:
        return await self.store.grants.for_guild(guild_id)


def role_ids(ids: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(set(ids)))
