"""The PostgreSQL side of :mod:`bot.storage.database`: an asyncpg pool behind the same calls.

Repositories write ``?`` placeholders; :func:`to_dollar_params` renumbers them to asyncpg's
``$1…$n`` (skipping quoted text), once per distinct statement thanks to an LRU cache. That is
paramstyle adaptation only: no SQL is rewritten, dialect differences live in the migrations.

Each call takes a connection from the pool for one statement, so coroutines never share a
transaction by accident; :meth:`PostgresDatabase.transaction` pins one connection for its block.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from bot.storage.database import Dialect, Executor, Params, Row
from bot.storage.errors import DatabaseUnavailableError
from bot.storage.urls import DatabaseUrl

POOL_MIN_SIZE = 1
POOL_MAX_SIZE = 10
CONNECT_TIMEOUT = 10.0


@functools.lru_cache(maxsize=1024)
def to_dollar_params(sql: str) -> str:
    """``?`` → ``$1``, ``$2``… outside single-quoted literals, double-quoted names and
    comments."""
    out: list[str] = []
    number = 0
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            end = sql.find(ch, i + 1)
            # Doubled quotes ('it''s') are two adjacent literals to this scan: same result.
            end = n - 1 if end == -1 else end
            out.append(sql[i : end + 1])
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end == -1 else end
            out.append(sql[i:end])
            i = end
        elif ch == "?":
            number += 1
            out.append(f"${number}")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _rowcount(status: str) -> int:
    """Rows changed, from a command tag such as ``UPDATE 3`` or ``INSERT 0 1``."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


class _PgExecutor:
    """Statements on one pinned connection (inside a transaction), or on the pool, which
    takes a connection per statement: asyncpg gives both the same five calls."""

    def __init__(self, conn: asyncpg.Connection | asyncpg.Pool) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        return _rowcount(await self._conn.execute(to_dollar_params(sql), *params))

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(to_dollar_params(sql), [tuple(r) for r in rows])

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._conn.fetch(to_dollar_params(sql), *params))

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        row: Row | None = await self._conn.fetchrow(to_dollar_params(sql), *params)
        return row

    async def fetch_val(self, sql: str, params: Params = ()) -> Any:
        return await self._conn.fetchval(to_dollar_params(sql), *params)


class PostgresDatabase(_PgExecutor):
    """A pool of asyncpg connections; open it with :meth:`connect`."""

    dialect: Dialect = "postgresql"

    def __init__(self, pool: asyncpg.Pool, url: DatabaseUrl) -> None:
        super().__init__(pool)
        self.pool = pool
        self.url = url

    @classmethod
    async def connect(
        cls, url: DatabaseUrl, *, min_size: int = POOL_MIN_SIZE, max_size: int = POOL_MAX_SIZE
    ) -> PostgresDatabase:
        try:
            pool = await asyncpg.create_pool(
                url.dsn, min_size=min_size, max_size=max_size, timeout=CONNECT_TIMEOUT
            )
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            # One line for the operator; the URL is shown without its password.
            raise DatabaseUnavailableError(
                f"cannot connect to {url.redacted}: {exc.__class__.__name__}: {exc}"
            ) from exc
        return cls(pool, url)

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection]:
        """One pooled connection for the block (migrations, bulk copy)."""
        async with self.pool.acquire() as conn:
            yield conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        async with self.pool.acquire() as conn, conn.transaction():
            yield _PgExecutor(conn)

    def is_unique_violation(self, exc: BaseException) -> bool:
        return isinstance(exc, asyncpg.UniqueViolationError)

    async def close(self) -> None:
        await self.pool.close()
