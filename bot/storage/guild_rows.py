"""What the repositories of per-guild subscription tables (alerts, feeds, watches, boards) share:
reading every row or a guild's rows in id order, the quota-checked upsert, and moving delivery
cursors forward. Each repository keeps its own SQL for what differs (columns, conflict keys).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import ClassVar, Generic, TypeVar

from bot.storage.database import Database, Params, Row
from bot.storage.quota import insert_within

T = TypeVar("T")


class GuildRows(ABC, Generic[T]):
    """A repository over ``_TABLE`` (with a ``guild_id`` column), its rows read as ``T``."""

    _TABLE: ClassVar[str]
    _COLUMNS: ClassVar[str]

    def __init__(self, db: Database) -> None:
        self._db = db

    @abstractmethod
    def _row(self, row: Row) -> T: ...

    async def all(self) -> list[T]:
        rows = await self._db.fetch_all(f"SELECT {self._COLUMNS} FROM {self._TABLE} ORDER BY id")
        return [self._row(r) for r in rows]

    async def for_guild(self, guild_id: int) -> list[T]:
        rows = await self._db.fetch_all(
            f"SELECT {self._COLUMNS} FROM {self._TABLE} WHERE guild_id = ? ORDER BY id",
            (guild_id,),
        )
        return [self._row(r) for r in rows]

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
        row = await insert_within(
            self._db,
            guild_id=guild_id,
            limit=limit,
            what=what,
            table=self._TABLE,
            exists=exists,
            write=write,
        )
        assert row is not None  # RETURNING always yields the row
        return self._row(row)


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
