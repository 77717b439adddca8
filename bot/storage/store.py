"""The store: the database, the migration step and one repository per table group.

Two engines behind one interface (:mod:`bot.storage.database`): SQLite (one aiosqlite
connection, the default) and PostgreSQL (an asyncpg pool, when ``DATABASE_URL`` is set). The
repositories are the same objects on both; callers use ``store.<repository>.<method>`` and never
learn which engine runs. Open with :meth:`Store.open` (a SQLite file), :meth:`Store.open_url`
or :meth:`Store.open_from_settings` (what the bot and CLI commands use).

Future features add a repository module and an attribute here, plus a migration file per dialect.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import aiosqlite

from bot.logsetup import secrets
from bot.storage.alerts import AlertRepository
from bot.storage.audit import AuditRepository
from bot.storage.bans import BanRepository
from bot.storage.boards import BoardRepository
from bot.storage.counters import CounterRepository
from bot.storage.database import Database, Dialect, SqliteDatabase
from bot.storage.display import DisplayRepository
from bot.storage.events import EventRepository, SessionRepository
from bot.storage.feeds import FeedRepository, WatchRepository
from bot.storage.guild_settings import GuildSettingsRepository
from bot.storage.history import HistoryRepository
from bot.storage.migrations import (
    MIGRATIONS_DIR,
    POSTGRES_MIGRATIONS_DIR,
    Migration,
    SqliteMigrationTarget,
    load_migrations,
    migrate,
    migrate_postgres,
)
from bot.storage.permissions import GrantRepository
from bot.storage.players import PlayerRepository
from bot.storage.population import PopulationPingRepository
from bot.storage.schedules import CountdownRepository, ScheduleRepository
from bot.storage.servers import ServerRepository
from bot.storage.sqlite import connect
from bot.storage.state import AppStateRepository
from bot.storage.urls import DatabaseUrl, parse_database_url

if TYPE_CHECKING:
    from bot.storage.postgres import PostgresDatabase

log = logging.getLogger(__name__)


class DatabaseSettings(Protocol):
    """What opening the configured database reads (``bot.config.Settings`` has both): storage
    does not import the application's configuration."""

    @property
    def database_url(self) -> DatabaseUrl | None: ...

    @property
    def database_path(self) -> Path: ...


class Store:
    """Owns the database (connection or pool); close it with :meth:`close` (idempotent)."""

    def __init__(self, db: Database, path: Path | str) -> None:
        self._db: Database | None = db
        # A file path for SQLite; for PostgreSQL the URL without its password.
        self.path = path
        self.dialect: Dialect = db.dialect
        self.servers = ServerRepository(db)
        self.state = AppStateRepository(db)
        self.history = HistoryRepository(db)
        self.boards = BoardRepository(db)
        self.alerts = AlertRepository(db)
        self.population = PopulationPingRepository(db)
        self.counters = CounterRepository(db)
        self.guild_settings = GuildSettingsRepository(db)
        self.schedules = ScheduleRepository(db)
        self.countdowns = CountdownRepository(db)
        self.display = DisplayRepository(db)
        self.grants = GrantRepository(db)
        self.audit = AuditRepository(db)
        self.feeds = FeedRepository(db)
        self.watches = WatchRepository(db)
        self.events = EventRepository(db)
        self.sessions = SessionRepository(db)
        self.players = PlayerRepository(db)
        self.bans = BanRepository(db)

    @classmethod
    async def open(
        cls, path: Path | str, *, migrations_dir: Path = MIGRATIONS_DIR, migrate_now: bool = True
    ) -> Store:
        """Open the SQLite file and bring its schema up to date.

        On a migration failure or a too-new database the connection is closed again and the
        error propagates.
        """
        available = load_migrations(migrations_dir)
        conn = await connect(path)
        return await cls._finish(cls(SqliteDatabase(conn), path), available, migrate_now)

    @classmethod
    async def open_url(
        cls,
        url: DatabaseUrl | str,
        *,
        migrations_dir: Path | None = None,
        migrate_now: bool = True,
        pool_size: int | None = None,
    ) -> Store:
        """Open ``sqlite:///path`` or ``postgresql://…`` and migrate it.

        ``migrations_dir`` defaults to the dialect's folder (``migrations/`` or
        ``migrations/postgresql/``).
        """
        parsed = url if isinstance(url, DatabaseUrl) else parse_database_url(url)
        # Before connecting: a driver error quoting the URL is then redacted in the logs.
        secrets.add(*parsed.secret_forms)
        if parsed.kind == "sqlite":
            assert parsed.sqlite_path is not None  # set for every sqlite URL
            return await cls.open(
                parsed.sqlite_path,
                migrations_dir=migrations_dir or MIGRATIONS_DIR,
                migrate_now=migrate_now,
            )
        # Imported here: asyncpg is the optional ``postgres`` extra.
        from bot.storage.postgres import PostgresDatabase

        available = load_migrations(migrations_dir or POSTGRES_MIGRATIONS_DIR)
        if pool_size is None:
            db = await PostgresDatabase.connect(parsed)
        else:
            db = await PostgresDatabase.connect(parsed, max_size=pool_size)
        return await cls._finish(cls(db, parsed.redacted), available, migrate_now)

    @classmethod
    async def open_from_settings(cls, settings: DatabaseSettings) -> Store:
        """PostgreSQL when ``DATABASE_URL`` is set, else the SQLite file at ``DATABASE_PATH``."""
        if settings.database_url is not None:
            return await cls.open_url(settings.database_url)
        return await cls.open(settings.database_path)

    @classmethod
    async def _finish(cls, store: Store, available: list[Migration], migrate_now: bool) -> Store:
        if migrate_now:
            try:
                await store.migrate(available)
            except BaseException:
                await store.close()
                raise
        return store

    @property
    def database(self) -> Database:
        if self._db is None:
            raise RuntimeError("the store is closed")
        return self._db

    @property
    def connection(self) -> aiosqlite.Connection:
        """The aiosqlite connection (SQLite only: diagnostics and tests)."""
        db = self.database
        if not isinstance(db, SqliteDatabase):
            raise RuntimeError("the store runs on PostgreSQL, it has no SQLite connection")
        return db.connection

    @property
    def closed(self) -> bool:
        return self._db is None

    def _postgres(self) -> PostgresDatabase:
        from bot.storage.postgres import PostgresDatabase

        db = self.database
        assert isinstance(db, PostgresDatabase)  # only called when dialect is postgresql
        return db

    async def migrate(self, available: list[Migration]) -> list[Migration]:
        if self.dialect == "postgresql":
            async with self._postgres().acquire() as conn:
                applied = await migrate_postgres(conn, available)
        else:
            applied = await migrate(SqliteMigrationTarget(self.connection), available)
        if applied:
            log.info("database %s migrated to version %04d", self.path, applied[-1].version)
        return applied

    async def schema_version(self) -> int:
        if self.dialect == "postgresql":
            version = await self.database.fetch_val(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"
            )
            return int(version)
        versions = await SqliteMigrationTarget(self.connection).applied_versions()
        return max(versions, default=0)

    async def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            await db.close()
