from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from bot.storage import DuplicateServerError, NewServer, ServerChanges, Store

G1, G2 = 111111111111111111, 222222222222222222


def new(name: str = "Main", guild_id: int = G1, **kw: object) -> NewServer:
    values: dict[str, object] = {
        "guild_id": guild_id,
        "name": name,
        "game": "cs2",
        "host": "127.0.0.1",
        "game_port": 27015,
        "query_port": 27015,
        "rcon_port": 27015,
        "rcon_password": "gAAAA-token",
        "created_by": 42,
    }
    values.update(kw)
    return NewServer(**values)  # type: ignore[arg-type]


@pytest.fixture
async def store(backend_store: Store) -> AsyncIterator[Store]:
    # Parametrised over SQLite and PostgreSQL (tests/bot/conftest.py).
    yield backend_store


async def test_add_get_roundtrip(store: Store) -> None:
    added = await store.servers.add(new("  Main  "))
    assert added.name == "Main"
    assert added.id > 0 and added.created_at.endswith("Z")
    got = await store.servers.get(G1, "main")  # lookups ignore case
    assert got == added
    assert "gAAAA-token" not in repr(got)
    assert got is not None and got.has_rcon_password
    assert got.address == "127.0.0.1:27015"


async def test_names_unique_per_guild_only(store: Store) -> None:
    await store.servers.add(new("Main"))
    with pytest.raises(DuplicateServerError, match="already exists"):
        await store.servers.add(new("MAIN"))
    other = await store.servers.add(new("Main", guild_id=G2))
    assert other.guild_id == G2


async def test_guild_isolation(store: Store) -> None:
    await store.servers.add(new("Alpha"))
    await store.servers.add(new("Beta", guild_id=G2))
    assert [s.name for s in await store.servers.for_guild(G1)] == ["Alpha"]
    assert await store.servers.get(G2, "Alpha") is None
    assert await store.servers.search_names(G2, "a") == ["Beta"]
    assert await store.servers.update(G2, "Alpha", ServerChanges(host="x")) is None
    assert await store.servers.remove(G2, "Alpha") is False
    assert await store.servers.get(G1, "Alpha") is not None
    assert await store.servers.count(G1) == 1
    assert [s.name for s in await store.servers.all()] == ["Alpha", "Beta"]


async def test_search_names_prefix_first_and_like_escaped(store: Store) -> None:
    for name in ("Zeta EU", "EU One", "Other", "100% fun"):
        await store.servers.add(new(name))
    assert await store.servers.search_names(G1, "eu") == ["EU One", "Zeta EU"]
    assert await store.servers.search_names(G1, "%") == ["100% fun"]
    assert await store.servers.search_names(G1, "") == ["100% fun", "EU One", "Other", "Zeta EU"]
    assert len(await store.servers.search_names(G1, "", limit=2)) == 2


async def test_update_and_clear_rcon(store: Store) -> None:
    await store.servers.add(new("Main"))
    renamed = await store.servers.update(
        G1, "main", ServerChanges(name="Prime", query_port=27016, rcon_password="new-token")
    )
    assert renamed is not None
    assert (renamed.name, renamed.query_port, renamed.rcon_password) == (
        "Prime",
        27016,
        "new-token",
    )
    assert await store.servers.get(G1, "Main") is None
    changes = ServerChanges(game="valheim", clear_rcon=True)
    cleared = await store.servers.update(G1, "prime", changes)
    assert cleared is not None
    assert cleared.rcon_port is None and cleared.rcon_password is None
    unchanged = await store.servers.update(G1, "prime", ServerChanges())
    assert unchanged == cleared


async def test_rename_onto_existing_name_refused(store: Store) -> None:
    await store.servers.add(new("A"))
    await store.servers.add(new("B"))
    with pytest.raises(DuplicateServerError):
        await store.servers.update(G1, "A", ServerChanges(name="b"))


async def test_remove(store: Store) -> None:
    await store.servers.add(new("A"))
    assert await store.servers.remove(G1, "a") is True
    assert await store.servers.get(G1, "A") is None


async def test_constraints_and_integer_ids(store: Store, tmp_path: Path) -> None:
    if store.dialect == "sqlite":
        with pytest.raises(sqlite3.IntegrityError):
            await store.servers.add(new("Bad", game_port=70000))
        await store.servers.add(new("Snow", guild_id=2**63 - 1))
        with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
            row = conn.execute("SELECT typeof(guild_id), guild_id FROM servers").fetchone()
        assert row == ("integer", 2**63 - 1)
        return
    with pytest.raises(asyncpg.CheckViolationError):
        await store.servers.add(new("Bad", game_port=70000))
    await store.servers.add(new("Snow", guild_id=2**63 - 1))
    row = await store.database.fetch_one(
        "SELECT pg_typeof(guild_id)::text AS type, guild_id FROM servers"
    )
    assert row is not None and (row["type"], row["guild_id"]) == ("bigint", 2**63 - 1)


async def test_app_state(store: Store) -> None:
    assert await store.state.get("k") is None
    await store.state.set("k", "v1")
    await store.state.set("k", "v2")
    assert await store.state.get("k") == "v2"
    await store.state.delete("k")
    assert await store.state.get("k") is None


async def test_close_is_idempotent(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite3")
    await store.close()
    await store.close()
    assert store.closed
    with pytest.raises(RuntimeError, match="closed"):
        _ = store.connection
