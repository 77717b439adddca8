from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage import MigrationError, SchemaTooNewError, Store
from bot.storage.migrations import MIGRATIONS_DIR, Migration, load_migrations, pending_migrations


def write(folder: Path, name: str, sql: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(sql)


def tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def versions(path: Path) -> list[int]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY 1")]


async def test_fresh_database_gets_every_migration(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "outpost.sqlite3"
    store = await Store.open(db)
    try:
        # Numbers may have gaps (parallel branches take reserved numbers): the newest counts.
        newest = max(m.version for m in load_migrations(MIGRATIONS_DIR))
        assert await store.schema_version() == newest
        async with store.connection.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"  # type: ignore[index]
        async with store.connection.execute("PRAGMA foreign_keys") as cur:
            assert (await cur.fetchone())[0] == 1  # type: ignore[index]
        async with store.connection.execute("PRAGMA busy_timeout") as cur:
            assert (await cur.fetchone())[0] == 5000  # type: ignore[index]
    finally:
        await store.close()
    assert {"schema_migrations", "servers", "app_state"} <= tables(db)
    # Re-opening applies nothing new.
    store = await Store.open(db)
    assert await store.migrate(load_migrations(MIGRATIONS_DIR)) == []
    await store.close()


async def test_upgrade_applies_only_new_files_in_order(tmp_path: Path) -> None:
    folder, db = tmp_path / "m", tmp_path / "db.sqlite3"
    write(folder, "0001_one.sql", "CREATE TABLE a (x INTEGER);")
    store = await Store.open(db, migrations_dir=folder)
    await store.close()
    write(folder, "0003_three.sql", "ALTER TABLE b ADD COLUMN z TEXT;")
    write(folder, "0002_two.sql", "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1);")
    write(folder, "notes.txt", "ignored")
    store = await Store.open(db, migrations_dir=folder)
    await store.close()
    assert versions(db) == [1, 2, 3]
    with sqlite3.connect(db) as conn:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(b)")]
        names = [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY version")]
    assert cols == ["y", "z"]
    assert names == ["one", "two", "three"]


async def test_failed_migration_leaves_database_unchanged(tmp_path: Path) -> None:
    folder, db = tmp_path / "m", tmp_path / "db.sqlite3"
    write(folder, "0001_one.sql", "CREATE TABLE a (x INTEGER);")
    store = await Store.open(db, migrations_dir=folder)
    await store.close()
    before = tables(db)
    # The first statements succeed, the last fails: all of it must be rolled back.
    write(
        folder,
        "0002_bad.sql",
        "CREATE TABLE b (y INTEGER);\nINSERT INTO a VALUES (1);\nINSERT INTO nowhere VALUES (1);",
    )
    with pytest.raises(MigrationError, match="0002_bad failed and was rolled back"):
        await Store.open(db, migrations_dir=folder)
    assert tables(db) == before
    assert versions(db) == [1]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM a").fetchone() == (0,)


async def test_newer_database_refuses_to_start(tmp_path: Path) -> None:
    folder, db = tmp_path / "m", tmp_path / "db.sqlite3"
    write(folder, "0001_one.sql", "CREATE TABLE a (x INTEGER);")
    write(folder, "0002_two.sql", "CREATE TABLE b (x INTEGER);")
    store = await Store.open(db, migrations_dir=folder)
    await store.close()
    (folder / "0002_two.sql").unlink()
    with pytest.raises(SchemaTooNewError, match="version 2 but this Outpost only knows up to 1"):
        await Store.open(db, migrations_dir=folder)
    assert versions(db) == [1, 2]


def test_pending_rejects_unknown_old_version() -> None:
    available = [Migration(1, "a"), Migration(3, "c")]
    assert pending_migrations(available, [1]) == [Migration(3, "c")]
    with pytest.raises(MigrationError, match="does not have"):
        pending_migrations(available, [1, 2])


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"0001_a.sql": "", "0001_b.sql": ""}, "share number 0001"),
        ({"0000_a.sql": ""}, "start at 0001"),
        ({"0001_a.sql": "BEGIN;\nCREATE TABLE t (x);\nCOMMIT;"}, "remove BEGIN/COMMIT"),
    ],
)
def test_malformed_folders(tmp_path: Path, files: dict[str, str], message: str) -> None:
    for name, sql in files.items():
        write(tmp_path, name, sql)
    with pytest.raises(MigrationError, match=message):
        load_migrations(tmp_path)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match="not found"):
        load_migrations(tmp_path / "nope")
