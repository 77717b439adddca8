"""The small database interface every repository is written against, and its SQLite side.

Why one set of repositories over a tiny interface rather than two sets of repositories: the
queries are the same on both engines once they stick to the SQL both accept (``INSERT … ON
CONFLICT … DO NOTHING/UPDATE``, ``RETURNING``, ``CASE`` instead of two-argument ``MAX``, window
functions instead of SQLite's bare columns, aliased sub-queries), so the repositories stay the
single place a query lives. Only two things differ per engine and they live in the drivers:

* placeholders: repositories write ``?``; :class:`bot.storage.postgres.PostgresDatabase`
  renumbers them to ``$1…$n`` (paramstyle adaptation, once per distinct statement, cached);
* the schema: per-dialect migration files (see ``migrations/README.md``).

Rows are whatever the driver returns (``sqlite3.Row``, ``asyncpg.Record``): both are indexed by
position and by column name, which is all :class:`Row` promises.

Transactions: the SQLite store shares one connection between every coroutine, so a ``BEGIN`` by
one would sweep the others' statements into its transaction. :meth:`SqliteDatabase.transaction`
therefore holds a lock that every other statement on the database also takes; inside the block
only the yielded handle may be used. Single statements need no transaction (each is atomic), which
is why the repositories mostly do without.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Literal, Protocol

import aiosqlite

Dialect = Literal["sqlite", "postgresql"]
Params = Sequence[Any]


class Row(Protocol):
    """A result row: by position or by column name."""

    def __getitem__(self, key: int | str, /) -> Any: ...


class Executor(Protocol):
    """Statements on a database or inside one transaction. ``?`` placeholders."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; the number of rows it changed."""
        ...

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None: ...

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetch_val(self, sql: str, params: Params = ()) -> Any:
        """The first column of the first row, or None without rows."""
        ...


class Database(Executor, Protocol):
    """An open database: what repositories use, whichever engine runs."""

    @property
    def dialect(self) -> Dialect: ...

    def transaction(self) -> AbstractAsyncContextManager[Executor]:
        """Statements on the yielded executor commit together, or roll back on an exception."""
        ...

    def is_unique_violation(self, exc: BaseException) -> bool:
        """Whether ``exc`` is this driver's error for a broken UNIQUE constraint."""
        ...

    async def close(self) -> None: ...


def _is_sqlite_unique(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)


class _SqliteExecutor:
    """Statements on the connection, without taking the lock (the caller holds it)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._conn.execute(sql, params) as cur:
            return max(int(cur.rowcount), 0)

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._conn.execute(sql, params) as cur:
            return list(await cur.fetchall())

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        async with self._conn.execute(sql, params) as cur:
            row: Row | None = await cur.fetchone()
        return row

    async def fetch_val(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetch_one(sql, params)
        return None if row is None else row[0]


class SqliteDatabase:
    """The one aiosqlite connection (autocommit mode), shared by every coroutine."""

    dialect: Dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.connection = conn
        self._direct = _SqliteExecutor(conn)
        self._lock = asyncio.Lock()

    async def execute(self, sql: str, params: Params = ()) -> int:
        async with self._lock:
            return await self._direct.execute(sql, params)

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        async with self._lock:
            await self._direct.execute_many(sql, rows)

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._lock:
            return await self._direct.fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        async with self._lock:
            return await self._direct.fetch_one(sql, params)

    async def fetch_val(self, sql: str, params: Params = ()) -> Any:
        async with self._lock:
            return await self._direct.fetch_val(sql, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        async with self._lock:
            await self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._direct
            except BaseException:
                await self.connection.rollback()
                raise
            await self.connection.commit()

    def is_unique_violation(self, exc: BaseException) -> bool:
        return _is_sqlite_unique(exc)

    async def close(self) -> None:
        await self.connection.close()
