"""The store: the connection, the migration step and one repository per table group.

Future features add a repository module and an attribute here, plus a migration file.
"""

from __future__ import annotations

import logging
from pathlib import Path

import aiosqlite

from bot.storage.alerts import AlertRepository
from bot.storage.audit import AuditRepository
from bot.storage.boards import BoardRepository
from bot.storage.display import DisplayRepository
from bot.storage.events import EventRepository, SessionRepository
from bot.storage.feeds import FeedRepository, WatchRepository
from bot.storage.history import HistoryRepository
from bot.storage.migrations import (
    MIGRATIONS_DIR,
    Migration,
    SqliteMigrationTarget,
    load_migrations,
    migrate,
)
from bot.storage.permissions import GrantRepository
from bot.storage.servers import ServerRepository
from bot.storage.sqlite import connect
from bot.storage.state import AppStateRepository

log = logging.getLogger(__name__)


class Store:
    """Owns the single aiosqlite connection; close it with :meth:`close` (idempotent)."""

    def __init__(self, conn: aiosqlite.Connection, path: Path | str) -> None:
        self._conn: aiosqlite.Connection | None = conn
        self.path = path
        self.servers = ServerRepository(conn)
        self.state = AppStateRepository(conn)
        self.history = HistoryRepository(conn)
        self.boards = BoardRepository(conn)
        self.alerts = AlertRepository(conn)
        self.display = DisplayRepository(conn)
        self.grants = GrantRepository(conn)
        self.audit = AuditRepository(conn)
        self.feeds = FeedRepository(conn)
        self.watches = WatchRepository(conn)
        self.events = EventRepository(conn)
        self.sessions = SessionRepository(conn)

    @classmethod
    async def open(
        cls, path: Path | str, *, migrations_dir: Path = MIGRATIONS_DIR, migrate_now: bool = True
    ) -> Store:
        """Open the database and bring its schema up to date.

        On a migration failure or a too-new database the connection is closed again and the
        error propagates.
        """
        available = load_migrations(migrations_dir)
        conn = await connect(path)
        store = cls(conn, path)
        if migrate_now:
            try:
                await store.migrate(available)
            except BaseException:
                await store.close()
                raise
        return store

    @property
    def connection(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("the store is closed")
        return self._conn

    @property
    def closed(self) -> bool:
        return self._conn is None

    async def migrate(self, available: list[Migration]) -> list[Migration]:
        applied = await migrate(SqliteMigrationTarget(self.connection), available)
        if applied:
            log.info(
                "database %s migrated to version %04d", self.path, applied[-1].version
            )
        return applied

    async def schema_version(self) -> int:
        versions = await SqliteMigrationTarget(self.connection).applied_versions()
        return max(versions, default=0)

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()
