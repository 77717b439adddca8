"""RCON grants (``rcon_grants``): which role may run which action, on one server or all."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.database import Database
from bot.storage.rows import RowReader
from bot.storage.sql import marks


@dataclass(frozen=True, slots=True)
class Grant:
    id: int
    guild_id: int
    role_id: int
    action: str
    server_id: int | None  # None: every server of the guild
    created_by: int


_grant = RowReader(Grant)


class GrantRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, guild_id: int, role_id: int, action: str, server_id: int | None, created_by: int
    ) -> bool:
        """Store a grant; False when the same grant already existed."""
        return (
            await self._db.execute(
                "INSERT INTO rcon_grants (guild_id, role_id, action, server_id, created_by) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (guild_id, role_id, action, server_id, created_by),
            )
            > 0
        )

    async def remove(self, guild_id: int, role_id: int, action: str, server_id: int | None) -> bool:
        return (
            await self._db.execute(
                "DELETE FROM rcon_grants WHERE guild_id = ? AND role_id = ? AND action = ? "
                "AND COALESCE(server_id, 0) = COALESCE(?, 0)",
                (guild_id, role_id, action, server_id),
            )
            > 0
        )

    async def for_guild(self, guild_id: int) -> list[Grant]:
        return await _grant.fetch_all(
            self._db,
            f"SELECT {_grant.columns} FROM rcon_grants WHERE guild_id = ? "
            "ORDER BY role_id, action, server_id",
            (guild_id,),
        )

    async def matching(
        self, guild_id: int, role_ids: list[int], action: str, server_id: int | None
    ) -> list[Grant]:
        """Grants of these roles for ``action`` on this server (or on every server)."""
        if not role_ids:
            return []
        return await _grant.fetch_all(
            self._db,
            f"SELECT {_grant.columns} FROM rcon_grants WHERE guild_id = ? AND action = ? "
            f"AND role_id IN ({marks(role_ids)}) AND (server_id IS NULL OR server_id = ?) "
            "ORDER BY server_id IS NULL, id",
            (guild_id, action, *role_ids, server_id),
        )
