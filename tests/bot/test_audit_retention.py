"""Audit retention and crash recovery: rows past ``AUDIT_RETENTION_DAYS`` are pruned by the
poller's hourly prune (like the history), and rows a stopped process left ``pending`` are
marked ``unknown`` at start (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.services.status.poller import Poller
from bot.snapshots import ServerInfo, Target
from bot.storage import Store
from bot.storage.audit import AuditFilter, iso_at

G1 = 111111111111111111
DAY = 86400.0
NOW = 1_800_000_000.0


class Answering:
    async def fetch(self, target: Target, context: object, timeout: float) -> ServerInfo:
        return ServerInfo("srv", "map", 1, 10, 0, False, True, "1", "game", 12.0)


@pytest.fixture
async def store(backend_store: Store) -> AsyncIterator[Store]:
    yield backend_store


async def _row(store: Store, at: float, action: str, outcome: str = "ok") -> None:
    await store.database.execute(
        "INSERT INTO audit_log (at, guild_id, user_id, user_name, action, outcome) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (iso_at(at), G1, 1, "alice", action, outcome),
    )


async def _actions(store: Store) -> list[str]:
    entries = await store.audit.search(AuditFilter(G1), limit=100)
    return sorted(e.action for e in entries)


async def test_poller_prunes_audit_rows_past_the_retention(store: Store) -> None:
    clock = [NOW]
    await _row(store, NOW - 400 * DAY, "ancient")
    await _row(store, NOW - 366 * DAY, "old")
    await _row(store, NOW - 364 * DAY, "kept")
    await _row(store, NOW - 60, "recent")
    poller = Poller(
        store, Answering(), interval=60, audit_retention_days=365, clock=lambda: clock[0]
    )  # type: ignore[arg-type]
    await poller.run_round()
    assert await _actions(store) == ["kept", "recent"]
    # Hourly, like the history: two days later "kept" is past the retention too.
    clock[0] += 2 * DAY
    await poller.run_round()
    assert await _actions(store) == ["recent"]


async def test_poller_without_audit_retention_keeps_everything(store: Store) -> None:
    await _row(store, NOW - 4000 * DAY, "ancient")
    poller = Poller(store, Answering(), interval=60, clock=lambda: NOW)  # type: ignore[arg-type]
    await poller.run_round()
    assert await _actions(store) == ["ancient"]


async def test_pending_rows_become_unknown_for_the_guilds_of_this_process(store: Store) -> None:
    other = G1 + 1
    await _row(store, NOW, "rcon kick", outcome="pending")
    await _row(store, NOW, "rcon ban", outcome="ok")
    await store.database.execute(
        "INSERT INTO audit_log (guild_id, user_id, user_name, action) VALUES (?, ?, ?, ?)",
        (other, 1, "bob", "rcon say"),
    )
    assert await store.audit.mark_unknown(lambda guild_id: guild_id == G1) == 1
    mine = {e.action: e for e in await store.audit.search(AuditFilter(G1), limit=10)}
    assert mine["rcon kick"].outcome == "unknown" and "stopped" in mine["rcon kick"].excerpt
    assert mine["rcon ban"].outcome == "ok"
    # Another process's guild (its row may be in flight) is left alone ...
    (theirs,) = await store.audit.search(AuditFilter(other), limit=10)
    assert theirs.outcome == "pending"
    # ... until a process owning it starts.
    assert await store.audit.mark_unknown() == 1
    (theirs,) = await store.audit.search(AuditFilter(other), limit=10)
    assert theirs.outcome == "unknown"
