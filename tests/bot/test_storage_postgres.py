"""The PostgreSQL side of the storage layer: its migrations (the same runner and guarantees as
SQLite), concurrent starts, transactions on both engines and the placeholder adaptation."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from bot.storage import MigrationError, SchemaTooNewError, Store
from bot.storage.migrations import (
    MIGRATIONS_DIR,
    POSTGRES_MIGRATIONS_DIR,
    load_migrations,
)
from bot.storage.postgres import _rowcount, to_dollar_params
from tests.bot.pgtest import fresh_database


def write(folder: Path, name: str, sql: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(sql)


async def tables(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
    finally:
        await conn.close()
    return {str(r[0]) for r in rows}


async def versions(url: str) -> list[int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT version FROM schema_migrations ORDER BY 1")
    finally:
        await conn.close()
    return [int(r[0]) for r in rows]


def test_every_sqlite_migration_has_a_postgresql_twin() -> None:
    sqlite = [(m.version, m.name) for m in load_migrations(MIGRATIONS_DIR)]
    postgres = [(m.version, m.name) for m in load_migrations(POSTGRES_MIGRATIONS_DIR)]
    assert sqlite == postgres


async def test_fresh_database_gets_every_migration_with_postgres_types() -> None:
    async with fresh_database() as url:
        store = await Store.open_url(url)
        try:
            assert store.dialect == "postgresql"
            assert await store.schema_version() == max(
                m.version for m in load_migrations(POSTGRES_MIGRATIONS_DIR)
            )
            types = {
                (str(r[0]), str(r[1])): str(r[2])
                for r in await store.database.fetch_all(
                    "SELECT table_name, column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = 'public'"
                )
            }
            assert types["servers", "guild_id"] == "bigint"
            assert types["status_samples", "at"] == "double precision"
            assert types["feed_events", "id"] == "bigint"
            # Same text timestamps as SQLite's strftime('%Y-%m-%dT%H:%M:%fZ').
            await store.state.set("k", "v")
            stamp = await store.database.fetch_val(
                "SELECT applied_at FROM schema_migrations WHERE version = 1"
            )
            assert len(stamp) == 24 and stamp.endswith("Z") and stamp[10] == "T"
        finally:
            await store.close()
        store = await Store.open_url(url)
        assert await store.migrate(load_migrations(POSTGRES_MIGRATIONS_DIR)) == []
        await store.close()
        assert {"schema_migrations", "servers", "feed_events"} <= await tables(url)


async def test_upgrade_applies_only_new_files_in_order(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    write(folder, "0001_one.sql", "CREATE TABLE a (x INTEGER);")
    async with fresh_database() as url:
        await (await Store.open_url(url, migrations_dir=folder)).close()
        write(folder, "0003_three.sql", "ALTER TABLE b ADD COLUMN z TEXT;")
        write(folder, "0002_two.sql", "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1);")
        store = await Store.open_url(url, migrations_dir=folder)
        try:
            names = [
                str(r[0])
                for r in await store.database.fetch_all(
                    "SELECT name FROM schema_migrations ORDER BY version"
                )
            ]
            assert names == ["one", "two", "three"]
            assert await store.database.fetch_val("SELECT COUNT(*) FROM a") == 1
        finally:
            await store.close()
        assert await versions(url) == [1, 2, 3]


async def test_failed_migration_leaves_database_unchanged(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    write(folder, "0001_one.sql", "CREATE TABLE a (x INTEGER);")
    async with fresh_database() as url:
        await (await Store.open_url(url, migrations_dir=folder)).close()
        before = await tables(url)
        write(
            folder,
            "0002_bad.sql",
            "CREATE TABLE b (y INTEGER);\nINSERT INTO a VALUES (1);\n"
            "INSERT INTO nowhere VALUES (1);",
        )
        with pytest.raises(MigrationError, match="0002_bad failed and was rolled back"):
            await Store.open_url(url, migrations_dir=folder)
        assert await tables(url) == before
        assert await versions(url) == [1]
        conn = await asyncpg.connect(url)
        try:
            assert await conn.fetchval("SELECT COUNT(*) FROM a") == 0
        finally:
            await conn.close()


async def test_newer_database_refuses_to_start(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    write(folder, "0001_one.sql", "CREATE TABLE a (x INTEGER);")
    write(folder, "0002_two.sql", "CREATE TABLE b (x INTEGER);")
    async with fresh_database() as url:
        await (await Store.open_url(url, migrations_dir=folder)).close()
        (folder / "0002_two.sql").unlink()
        too_new = "version 2 but this Outpost only knows up to 1"
        with pytest.raises(SchemaTooNewError, match=too_new):
            await Store.open_url(url, migrations_dir=folder)
        assert await versions(url) == [1, 2]


async def test_concurrent_starts_apply_each_migration_once(tmp_path: Path) -> None:
    # Without the advisory lock both would see an empty schema_migrations and the second
    # CREATE TABLE (or INSERT of the version) would fail.
    async with fresh_database() as url:
        stores = await asyncio.gather(*(Store.open_url(url) for _ in range(3)))
        try:
            numbers = [m.version for m in load_migrations(POSTGRES_MIGRATIONS_DIR)]
            assert [await s.schema_version() for s in stores] == [max(numbers)] * 3
        finally:
            for store in stores:
                await store.close()
        assert await versions(url) == numbers


async def test_transaction_commits_together_or_not_at_all(backend_store: Store) -> None:
    db = backend_store.database
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO app_state (key, value) VALUES (?, ?)", ("a", "1"))
        await tx.execute("INSERT INTO app_state (key, value) VALUES (?, ?)", ("b", "2"))
    with pytest.raises(RuntimeError, match="boom"):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO app_state (key, value) VALUES (?, ?)", ("c", "3"))
            raise RuntimeError("boom")
    rows = await db.fetch_all("SELECT key FROM app_state ORDER BY key")
    assert [r[0] for r in rows] == ["a", "b"]


async def test_other_writers_wait_for_an_open_transaction(backend_store: Store) -> None:
    # A write from another coroutine while a transaction is open must neither join it (and be
    # rolled back with it) nor break it.
    db = backend_store.database
    inside, release = asyncio.Event(), asyncio.Event()

    async def failing_transaction() -> None:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO app_state (key, value) VALUES ('tx', 'x')")
                inside.set()
                await release.wait()
                raise RuntimeError("roll back")

    task = asyncio.create_task(failing_transaction())
    await inside.wait()
    writer = asyncio.create_task(backend_store.state.set("other", "kept"))
    await asyncio.sleep(0)  # let the writer start (and block, on SQLite)
    release.set()
    await asyncio.gather(task, writer)
    assert await backend_store.state.get("other") == "kept"
    assert await backend_store.state.get("tx") is None


async def test_unique_violation_is_recognised(backend_store: Store) -> None:
    db = backend_store.database
    await db.execute("INSERT INTO app_state (key, value) VALUES (?, ?)", ("k", "1"))
    with pytest.raises(Exception) as info:
        await db.execute("INSERT INTO app_state (key, value) VALUES (?, ?)", ("k", "2"))
    assert db.is_unique_violation(info.value)
    assert not db.is_unique_violation(RuntimeError("UNIQUE"))


async def test_rowcounts_and_fetch_helpers(backend_store: Store) -> None:
    db = backend_store.database
    await db.execute_many(
        "INSERT INTO app_state (key, value) VALUES (?, ?)", [("a", "1"), ("b", "2"), ("c", "3")]
    )
    assert await db.execute("UPDATE app_state SET value = ? WHERE key <> ?", ("x", "a")) == 2
    assert await db.fetch_val("SELECT value FROM app_state WHERE key = ?", ("b",)) == "x"
    assert await db.fetch_val("SELECT value FROM app_state WHERE key = ?", ("zz",)) is None
    row = await db.fetch_one("SELECT key, value FROM app_state WHERE key = ?", ("a",))
    assert row is not None and (row[0], row["value"]) == ("a", "1")
    assert await db.execute("DELETE FROM app_state") == 3


def test_placeholders_become_numbered_outside_quotes_and_comments() -> None:
    assert to_dollar_params("SELECT ? , ?") == "SELECT $1 , $2"
    assert (
        to_dollar_params("SELECT '?', \"a?\", x LIKE ? ESCAPE '\\' -- why?\nAND y = ?")
        == "SELECT '?', \"a?\", x LIKE $1 ESCAPE '\\' -- why?\nAND y = $2"
    )
    assert to_dollar_params("SELECT 'it''s ?' , ?") == "SELECT 'it''s ?' , $1"
    # Cached: the same statement is adapted once.
    before = to_dollar_params.cache_info().hits
    to_dollar_params("SELECT ? , ?")
    assert to_dollar_params.cache_info().hits == before + 1


@pytest.mark.parametrize(
    ("status", "count"),
    [("UPDATE 3", 3), ("INSERT 0 1", 1), ("DELETE 0", 0), ("CREATE TABLE", 0), ("", 0)],
)
def test_rowcount_from_command_tag(status: str, count: int) -> None:
    assert _rowcount(status) == count
