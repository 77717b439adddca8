"""Per-guild quotas enforced where rows are written, so two commands racing (two ``/server add``
modals submitted at once) cannot both pass a count made before either wrote.

:func:`insert_within` runs the existence check, the count and the write in one transaction:
SQLite's ``BEGIN IMMEDIATE`` (and the store's lock) serialises it; on PostgreSQL a transaction
advisory lock on the guild id does, since READ COMMITTED would let two counts see the same rows.
"""

from __future__ import annotations

from typing import TypeVar

from bot.storage.database import Database, Executor, Params
from bot.storage.errors import QuotaExceededError
from bot.storage.rows import RowReader

T = TypeVar("T")


async def insert_within(
    db: Database,
    *,
    guild_id: int,
    limit: int | None,
    what: str,
    table: str,
    exists: tuple[str, Params] | None,
    write: tuple[str, Params],
    read: RowReader[T],
) -> T:
    """Run ``write`` (an INSERT or upsert ``… RETURNING`` the columns ``read`` reads) unless it
    would add a row past ``limit`` rows of ``table`` in the guild; ``exists`` (a WHERE clause on
    ``table`` and its parameters) says when the write only updates a row already counted.
    ``limit`` None: no quota, the write runs alone."""
    if limit is None:
        return await read.returning(db, *write)
    async with db.transaction() as tx:
        await _lock_guild(db, tx, guild_id)
        if exists is not None:
            where, params = exists
            found = await tx.fetch_val(f"SELECT 1 FROM {table} WHERE {where}", params)
            if found is not None:
                return await read.returning(tx, *write)
        count = await tx.fetch_val(f"SELECT COUNT(*) FROM {table} WHERE guild_id = ?", (guild_id,))
        if int(count or 0) >= limit:
            raise QuotaExceededError(what, limit)
        return await read.returning(tx, *write)


async def _lock_guild(db: Database, tx: Executor, guild_id: int) -> None:
    if db.dialect == "postgresql":
        # Released at commit or rollback; guild ids fit PostgreSQL's bigint.
        await tx.fetch_val("SELECT pg_advisory_xact_lock(?)", (guild_id,))
