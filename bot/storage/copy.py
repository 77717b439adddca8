"""``db copy``: move an installation from its SQLite file to PostgreSQL, without loss.

Steps: check the source is fully migrated (it is read, never changed), migrate the target,
refuse a target holding rows unless ``force`` (then its tables are emptied first), copy every
table in foreign-key order inside one PostgreSQL transaction (so a failure leaves the target as
it was), keep every id and move the identity sequences past them, and finally compare the row
count of every table on both sides.

Rows travel in batches of ``batch_size``: a ``fetchmany`` from SQLite, then one binary ``COPY``
into PostgreSQL, so memory stays bounded whatever the size of the history. Values are copied
as stored (encrypted RCON passwords included: the same ``OUTPOST_SECRET_KEY`` decrypts them),
converted only to the Python type asyncpg expects for the target column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.errors import StorageError
from bot.storage.migrations import (
    MIGRATIONS_DIR,
    SqliteMigrationTarget,
    load_migrations,
    pending_migrations,
)
from bot.storage.sqlite import connect
from bot.storage.store import Store
from bot.storage.urls import DatabaseUrl

DEFAULT_BATCH_SIZE = 5000
_INTEGER_TYPES = frozenset({"smallint", "integer", "bigint"})
_FLOAT_TYPES = frozenset({"double precision", "real", "numeric"})

Progress = Callable[[str], None]


class CopyError(StorageError):
    """The copy was refused or failed; the target was left unchanged."""


@dataclass(frozen=True, slots=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


@dataclass(frozen=True, slots=True)
class CopyReport:
    tables: tuple[TableCount, ...]

    @property
    def mismatches(self) -> tuple[TableCount, ...]:
        return tuple(t for t in self.tables if not t.ok)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def copy_order(foreign_keys: dict[str, set[str]]) -> list[str]:
    """Tables so that each comes after the tables it references (ties: by name)."""
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for table in sorted(foreign_keys):
        sorter.add(table, *sorted(foreign_keys[table] - {table}))
    try:
        sorter.prepare()
    except CycleError as exc:
        raise CopyError(f"foreign keys form a cycle: {exc.args[1]}") from None
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order += ready
        sorter.done(*ready)
    return [t for t in order if t in foreign_keys]


def _converter(pg_type: str, table: str, column: str) -> Callable[[Any], Any]:
    """SQLite's loose values to what asyncpg's binary COPY wants for ``pg_type``."""

    def convert(value: Any) -> Any:
        if value is None:
            return None
        try:
            if pg_type in _INTEGER_TYPES:
                if isinstance(value, float) and not value.is_integer():
                    raise ValueError("not an integer")
                return int(value)
            if pg_type in _FLOAT_TYPES:
                return float(value)
            if pg_type == "text":
                if isinstance(value, bytes):
                    return value.decode("utf-8")
                return str(value)
            if pg_type == "bytea":
                return value.encode("utf-8") if isinstance(value, str) else bytes(value)
            if pg_type == "boolean":
                return bool(value)
        except (TypeError, ValueError, UnicodeDecodeError):
            # The value itself is not shown: the column may hold secrets.
            raise CopyError(
                f"{table}.{column}: a {type(value).__name__} value does not fit {pg_type}"
            ) from None
        return value

    return convert


async def _source_tables(conn: aiosqlite.Connection) -> dict[str, list[str]]:
    async with conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name <> 'schema_migrations' ORDER BY name"
    ) as cur:
        names = [str(r[0]) for r in await cur.fetchall()]
    tables: dict[str, list[str]] = {}
    for name in names:
        async with conn.execute(f'PRAGMA table_info("{name}")') as cur:
            tables[name] = [str(r[1]) for r in await cur.fetchall()]
    return tables


async def _source_foreign_keys(
    conn: aiosqlite.Connection, tables: Sequence[str]
) -> dict[str, set[str]]:
    refs: dict[str, set[str]] = {}
    for name in tables:
        async with conn.execute(f'PRAGMA foreign_key_list("{name}")') as cur:
            refs[name] = {str(r[2]) for r in await cur.fetchall()}
    return refs


def _source_path(url: DatabaseUrl) -> Path:
    path = url.sqlite_path
    if url.kind != "sqlite" or path is None:
        raise CopyError("--from must be a SQLite URL: sqlite:///path/to/outpost.sqlite3")
    # Checked first: connecting would create an empty file.
    if not path.is_file():
        raise CopyError(f"source database not found: {path}")
    return path


async def _open_source(url: DatabaseUrl) -> aiosqlite.Connection:
    conn = await connect(_source_path(url))
    try:
        applied = await SqliteMigrationTarget(conn).applied_versions()
        todo = pending_migrations(load_migrations(MIGRATIONS_DIR), applied)
        if todo:
            raise CopyError(
                f"the source is at schema version {max(applied, default=0)}, not the newest "
                f"({todo[-1].version}): start this Outpost (or run `python -m bot check`) on it "
                "once to migrate it, then copy"
            )
    except BaseException:
        await conn.close()
        raise
    return conn


async def _row_count_sqlite(conn: aiosqlite.Connection, table: str) -> int:
    async with conn.execute(f'SELECT COUNT(*) FROM "{table}"') as cur:
        row = await cur.fetchone()
    return 0 if row is None else int(row[0])


async def copy_database(
    source: DatabaseUrl,
    target: DatabaseUrl,
    *,
    force: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy ``source`` (SQLite) into ``target`` (PostgreSQL); see the module docstring."""
    if target.kind != "postgresql":
        raise CopyError("--to must be a PostgreSQL URL: postgresql://user@host:port/database")
    if batch_size < 1:
        raise CopyError("the batch size must be at least 1")
    import asyncpg  # type: ignore[import-untyped]  # the optional ``postgres`` extra

    say = progress if progress is not None else (lambda _line: None)
    src = await _open_source(source)
    try:
        try:
            store = await Store.open_url(target, pool_size=2)
        except (OSError, asyncpg.PostgresError) as exc:
            raise CopyError(f"cannot open the target {target}: {exc}") from exc
        try:
            return await _copy(src, store, force, batch_size, say)
        except asyncpg.PostgresError as exc:
            raise CopyError(
                f"the copy failed and was rolled back, the target is unchanged: {exc}"
            ) from exc
        finally:
            await store.close()
    finally:
        await src.close()


async def _copy(
    src: aiosqlite.Connection, store: Store, force: bool, batch_size: int, say: Progress
) -> CopyReport:
    from bot.storage.postgres import PostgresDatabase

    db = store.database
    assert isinstance(db, PostgresDatabase)  # open_url gave a postgresql URL
    source_tables = await _source_tables(src)
    order = copy_order(await _source_foreign_keys(src, list(source_tables)))
    target_columns: dict[str, dict[str, str]] = {}
    for row in await db.fetch_all(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'"
    ):
        target_columns.setdefault(str(row[0]), {})[str(row[1])] = str(row[2])
    for table in order:
        columns = target_columns.get(table)
        if columns is None:
            raise CopyError(f"table {table} exists in the source but not in the target")
        if set(columns) != set(source_tables[table]):
            raise CopyError(
                f"table {table} has different columns in the source and the target: "
                "are both at the same schema version?"
            )
    filled = [t for t in order if await db.fetch_val(f'SELECT EXISTS (SELECT 1 FROM "{t}")')]
    if filled and not force:
        raise CopyError(
            "the target already holds data (" + ", ".join(filled) + "): copy into an empty "
            "database, or pass --force to replace its contents"
        )
    identities = [
        (str(r[0]), str(r[1]))
        for r in await db.fetch_all(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND is_identity = 'YES'"
        )
        if str(r[0]) in source_tables
    ]
    async with db.acquire() as conn, conn.transaction():
        if filled:
            quoted = ", ".join(f'"{t}"' for t in order)
            await conn.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")
            say(f"emptied the target tables ({', '.join(filled)})")
        for table in order:
            names = source_tables[table]
            converters = [_converter(target_columns[table][c], table, c) for c in names]
            select = ", ".join(f'"{c}"' for c in names)
            copied = 0
            async with src.execute(f'SELECT {select} FROM "{table}"') as cur:
                while batch := await cur.fetchmany(batch_size):
                    records = [
                        tuple(f(v) for f, v in zip(converters, row, strict=True)) for row in batch
                    ]
                    await conn.copy_records_to_table(table, records=records, columns=names)
                    copied += len(records)
            say(f"{table}: {copied} rows")
        for table, column in identities:
            # Next generated id: one past the largest copied (1 on an empty table).
            await conn.execute(
                f'SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX("{column}"), 1), '
                f'MAX("{column}") IS NOT NULL) FROM "{table}"',
                f'"{table}"',
                column,
            )
    counts = []
    for table in order:
        counts.append(
            TableCount(
                table,
                await _row_count_sqlite(src, table),
                int(await db.fetch_val(f'SELECT COUNT(*) FROM "{table}"')),
            )
        )
    return CopyReport(tuple(counts))
