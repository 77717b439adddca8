"""The migration runner: numbered ``NNNN_name.sql`` files applied in order, once each.

Applied versions are recorded in a ``schema_migrations(version, name, applied_at)`` table rather
than SQLite's ``PRAGMA user_version``, so the same runner can drive a PostgreSQL backend later:
the planning (:func:`pending_migrations`) is backend-neutral and a backend only implements
:class:`MigrationTarget` (read the applied versions, apply one migration atomically). SQLite's
files are in ``migrations/``, PostgreSQL's in ``migrations/postgresql/`` with the same numbers
and names (see ``migrations/README.md``): each dialect's SQL is written out, never rewritten.

Several processes may start at once on one PostgreSQL: :func:`migrate_postgres` holds a
session-level advisory lock while it reads and applies, so the second process waits and then
finds nothing left to do.

Each migration runs in one transaction together with its ``schema_migrations`` row, so a failing
file leaves the database exactly as it was. Migration files must not contain ``BEGIN``/``COMMIT``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import aiosqlite

from bot.storage.errors import MigrationError, SchemaTooNewError

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    import asyncpg  # type: ignore[import-untyped]

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
POSTGRES_MIGRATIONS_DIR = MIGRATIONS_DIR / "postgresql"
# pg_advisory_lock key shared by every Outpost process migrating one database ("OUTPOST\0").
ADVISORY_LOCK_KEY = 0x4F5554504F535400
_FILE_NAME = re.compile(r"^(?P<version>[0-9]{4})_(?P<name>[a-z0-9_]+)\.sql$")
_TRANSACTION_CONTROL = re.compile(
    r"^\s*(BEGIN|COMMIT|END|ROLLBACK)\b", re.IGNORECASE | re.MULTILINE
)


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str = ""


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every ``NNNN_name.sql`` in ``directory``, sorted; other files are ignored."""
    if not directory.is_dir():
        raise MigrationError(f"migrations folder not found: {directory}")
    found: dict[int, Migration] = {}
    for path in sorted(directory.iterdir()):
        match = _FILE_NAME.match(path.name)
        if match is None or not path.is_file():
            continue
        version = int(match["version"])
        if version == 0:
            raise MigrationError(f"{path.name}: migration numbers start at 0001")
        if version in found:
            raise MigrationError(
                f"two migrations share number {version:04d}: "
                f"{found[version].name} and {match['name']}"
            )
        sql = path.read_text(encoding="utf-8")
        if _TRANSACTION_CONTROL.search(sql):
            raise MigrationError(
                f"{path.name}: remove BEGIN/COMMIT, the runner wraps each file in a transaction"
            )
        found[version] = Migration(version, match["name"], sql)
    return [found[v] for v in sorted(found)]


def pending_migrations(available: Sequence[Migration], applied: Sequence[int]) -> list[Migration]:
    """The migrations still to apply, in order; refuse a database newer than the code."""
    known = {m.version for m in available}
    newest_known = max(known, default=0)
    unknown = sorted(v for v in applied if v not in known)
    if unknown:
        newest = max(unknown)
        if newest > newest_known:
            raise SchemaTooNewError(
                f"the database is at schema version {max(applied)} but this Outpost only knows "
                f"up to {newest_known}: run a newer Outpost, or restore a backup made "
                "for this version"
            )
        raise MigrationError(
            "the database records migration(s) "
            + ", ".join(f"{v:04d}" for v in unknown)
            + " that this Outpost does not have: the migrations folder is incomplete"
        )
    done = set(applied)
    return [m for m in available if m.version not in done]


class MigrationTarget(Protocol):
    """What a database backend provides to the runner."""

    async def applied_versions(self) -> list[int]: ...

    async def apply(self, migration: Migration) -> None:
        """Run the migration and record it, atomically."""
        ...


# The same on both engines: the bookkeeping table is created before the first migration.
SCHEMA_MIGRATIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TEXT NOT NULL)"
)


class SqliteMigrationTarget:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def applied_versions(self) -> list[int]:
        await self._conn.execute(SCHEMA_MIGRATIONS_DDL)
        async with self._conn.execute("SELECT version FROM schema_migrations") as cur:
            return sorted(int(row[0]) for row in await cur.fetchall())

    async def apply(self, migration: Migration) -> None:
        # executescript commits anything pending first, then runs our BEGIN … COMMIT as is.
        # The record row goes in the same transaction; version and name come from the validated
        # file name (digits and [a-z0-9_]) so formatting them in is safe.
        script = (
            "BEGIN;\n"
            f"{migration.sql}\n;\n"
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES "
            f"({migration.version:d}, '{migration.name}', "
            "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));\n"
            "COMMIT;"
        )
        try:
            await self._conn.executescript(script)
        except Exception as exc:
            if self._conn.in_transaction:
                await self._conn.rollback()
            raise MigrationError(
                f"migration {migration.version:04d}_{migration.name} failed and was rolled "
                f"back, the database is unchanged: {exc}"
            ) from exc


async def migrate(target: MigrationTarget, available: Sequence[Migration]) -> list[Migration]:
    """Apply what is pending, in order; return what was applied."""
    todo = pending_migrations(available, await target.applied_versions())
    for migration in todo:
        log.info("applying migration %04d_%s", migration.version, migration.name)
        await target.apply(migration)
    return todo


class PostgresMigrationTarget:
    """Migrations on one asyncpg connection (hold :data:`ADVISORY_LOCK_KEY` around its use)."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def applied_versions(self) -> list[int]:
        await self._conn.execute(SCHEMA_MIGRATIONS_DDL)
        rows = await self._conn.fetch("SELECT version FROM schema_migrations")
        return sorted(int(row[0]) for row in rows)

    async def apply(self, migration: Migration) -> None:
        try:
            async with self._conn.transaction():
                # No arguments: the simple query protocol runs the whole file at once.
                await self._conn.execute(migration.sql)
                await self._conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, "
                    "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))",
                    migration.version,
                    migration.name,
                )
        except Exception as exc:
            raise MigrationError(
                f"migration {migration.version:04d}_{migration.name} failed and was rolled "
                f"back, the database is unchanged: {exc}"
            ) from exc


async def migrate_postgres(
    conn: asyncpg.Connection, available: Sequence[Migration]
) -> list[Migration]:
    """:func:`migrate` under the advisory lock, so concurrent starters apply each file once."""
    await conn.execute("SELECT pg_advisory_lock($1)", ADVISORY_LOCK_KEY)
    try:
        return await migrate(PostgresMigrationTarget(conn), available)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK_KEY)
