"""The queries that run before an interaction's first answer use an index: ``/player lookup``,
its autocomplete and ``/audit view`` (page and count, with each filter). The SQL checked is the
SQL the repositories send, captured, then explained on both engines (PostgreSQL with sequential
scans priced out, as on an empty test table it would rightly prefer them)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

import pytest

from bot.storage import NewServer, Store
from bot.storage.audit import AuditFilter
from bot.storage.database import Database, Row

Params = tuple[Any, ...] | list[Any]


class Recording:
    """A database that records the read queries it forwards."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.queries: list[tuple[str, Params]] = []

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        self.queries.append((sql, params))
        return await self._db.fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        self.queries.append((sql, params))
        return await self._db.fetch_one(sql, params)


@pytest.fixture
async def store(backend_store: Store) -> AsyncIterator[Store]:
    """Parametrised over SQLite and PostgreSQL (tests/bot/conftest.py), with many guilds'
    rows and fresh statistics, so each planner has a real choice to make."""
    db = backend_store.database
    servers = []
    for n in range(20):
        server = await backend_store.servers.add(
            NewServer(
                n % 10,
                f"s{n}",
                "cs2",
                "127.0.0.1",
                27015 + n,
                27015 + n,
                None,
                None,
                1,
            )
        )
        servers.append(server.id)
    await db.execute_many(
        "INSERT INTO audit_log (guild_id, user_id, user_name, server_id, action, at) "
        "VALUES (?, ?, 'x', ?, 'rcon say', ?)",
        [
            (i % 100, i % 300, servers[i % 20], f"2026-11-{1 + i % 28:02d}T00:00:00")
            for i in range(3000)
        ],
    )
    await db.execute_many(
        "INSERT INTO player_sessions (server_id, player, player_key, guid, source, joined_at) "
        "VALUES (?, ?, ?, ?, 'a2s', ?)",
        [
            (
                servers[i % 20],
                f"P{i % 700}",
                f"p{i % 700}",
                f"{i % 900:032x}" if i % 3 else None,
                float(i),
            )
            for i in range(3000)
        ],
    )
    await db.execute("ANALYZE")
    yield backend_store


async def plans(store: Store, queries: Iterable[tuple[str, Params]]) -> list[str]:
    found = []
    for sql, params in queries:
        if store.dialect == "sqlite":
            rows = await store.database.fetch_all("EXPLAIN QUERY PLAN " + sql, params)
            found.append(" | ".join(str(r[3]) for r in rows))
            continue
        async with store.database.transaction() as tx:
            await tx.execute("SET LOCAL enable_seqscan = off")
            rows = await tx.fetch_all("EXPLAIN " + sql, params)
        found.append(" | ".join(str(r[0]) for r in rows))
    return found


def uses(plan: str, index: str, table: str) -> bool:
    """``index`` (a name, or a prefix ending in ``*``) is used and ``table`` is never scanned."""
    words = plan.replace("|", " ").split()
    # SQLite: "SEARCH t USING [COVERING] INDEX name"; PostgreSQL: "Index [Only] Scan using name"
    # or "Bitmap Index Scan on name".
    if index.endswith("*"):
        found = any(w.startswith(index[:-1]) for w in words)
    else:
        found = index in words
    return found and f"SCAN {table}" not in plan and "Seq Scan" not in plan


async def test_player_lookup_and_autocomplete_use_indexes(store: Store) -> None:
    recording = Recording(store.database)
    store.sessions._db = recording  # type: ignore[assignment]
    await store.sessions.lookup([1, 2, 3], "Ghost")
    await store.sessions.names_like([1, 2, 3], "gho", 25)
    lookup, names = await plans(store, recording.queries)
    assert uses(lookup, "player_sessions_key", "player_sessions"), lookup
    assert uses(lookup, "player_sessions_guid_lower", "player_sessions"), lookup
    assert uses(names, "player_sessions_server_key", "player_sessions"), names


@pytest.mark.parametrize(
    ("f", "index"),
    [
        # Any index led by the guild: the planner picks the one that also gives the order.
        (AuditFilter(guild_id=1), "audit_log_guild*"),
        (AuditFilter(guild_id=1, user_id=5), "audit_log_guild_user"),
        (AuditFilter(guild_id=1, server_id=3), "audit_log_guild_server"),
        (AuditFilter(guild_id=1, since="2026-12-01T00:00:00"), "audit_log_guild*"),
    ],
)
async def test_audit_view_uses_an_index_per_filter(
    store: Store, f: AuditFilter, index: str
) -> None:
    recording = Recording(store.database)
    store.audit._db = recording  # type: ignore[assignment]
    await store.audit.count(f)
    await store.audit.search(f, limit=10, offset=0)
    for plan in await plans(store, recording.queries):
        assert uses(plan, index, "audit_log"), plan
