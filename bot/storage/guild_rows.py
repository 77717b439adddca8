"""What the repositories of per-guild tables read by id (alerts, feeds, watches, boards,
channel counters, population pings) share: reading every row or a guild's rows in id order, the
quota-checked upsert, and moving delivery cursors forward. Each repository keeps its own SQL for
what differs (conflict keys, filters); the columns are its reader's (``_READ``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Generic, TypeVar

from bot.storage.database import Database, Params
from bot.storage.quota import insert_within
from bot.storage.rows import RowReader

T = TypeVar("T")


class GuildRows(Generic[T]):
    """A repository over ``_TABLE`` (with a ``guild_id`` column), its rows read as ``T`` by
    ``_READ``."""

    _TABLE: ClassVar[str]
    # Set by each subclass (not a ClassVar: those cannot name T).
    _READ: RowReader[T]

    def __init__(self, db: Database) -> None:
        self._db = db

    async def all(self) -> list[T]:
        return await self._READ.fetch_all(
            self._db, f"SELECT {self._READ.columns} FROM {self._TABLE} ORDER BY id"
        )

    async def for_guild(self, guild_id: int) -> list[T]:
        return await self._READ.fetch_all(
            self._db,
            f"SELECT {self._READ.columns} FROM {self._TABLE} WHERE guild_id = ? ORDER BY id",
            (guild_id,),
        )

    async def _upsert(
        self,
        *,
        guild_id: int,
        limit: int | None,
        what: str,
        exists: tuple[str, Params],
        write: tuple[str, Params],
    ) -> T:
        """``write`` (an upsert ``… RETURNING`` the columns) within the guild's quota; see
        :func:`bot.storage.quota.insert_within`."""
        return await insert_within(
            self._db,
            guild_id=guild_id,
            limit=limit,
            what=what,
            table=self._TABLE,
            exists=exists,
            write=write,
            read=self._READ,
        )


class CursorRows(GuildRows[T]):
    """Subscriptions with a delivery cursor (``delivered_through``, the last event id handled)."""

    async def advance(self, cursors: Mapping[int, int]) -> None:
        """Move each row's cursor (row id -> event id) forward, never back."""
        if not cursors:
            return
        await self._db.execute_many(
            f"UPDATE {self._TABLE} SET delivered_through = CASE WHEN delivered_through > ? THEN "
            "delivered_through ELSE ? END WHERE id = ?",
            [(event_id, event_id, row_id) for row_id, event_id in cursors.items()],
        )
