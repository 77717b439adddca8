"""Per-guild quotas, enforced where the row is written (SQLite and PostgreSQL): a new row past
the limit is refused, an update of an existing row never is, and racing writers cannot both
pass the count."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import DEFAULT_QUOTAS, ConfigError, Quotas, load_settings
from bot.crypto import SecretBox, generate_key
from bot.logsetup import secrets
from bot.services.errors import UserError
from bot.services.servers.registry import ServerRegistry
from bot.storage import NewServer, Store
from bot.storage.errors import QuotaExceededError
from tests.bot.stubs import StubLogin, StubQuery

G1, G2, USER = 111111111111111111, 222222222222222222, 42


@pytest.fixture
async def store(backend_store: Store) -> AsyncIterator[Store]:
    yield backend_store
    secrets.clear()


async def _servers(store: Store, guild_id: int, count: int) -> list[int]:
    ids = []
    for i in range(count):
        server = await store.servers.add(
            NewServer(guild_id, f"S{i}", "cs2", "127.0.0.1", 27015 + i, 27015 + i, None, None, 1)
        )
        ids.append(server.id)
    return ids


async def test_two_server_adds_racing_at_the_quota_save_only_one(store: Store) -> None:
    registry = ServerRegistry(
        store, SecretBox(generate_key()), StubQuery(), StubLogin(), max_servers=3
    )
    for name in ("A", "B"):
        await registry.add(await registry.prepare_add(G1, name, "h.example", "other"), None, 1)
    # Both pass the early check (the password modal is shown for each) ...
    first = await registry.prepare_add(G1, "C", "h.example", "other")
    second = await registry.prepare_add(G1, "D", "h.example", "other")
    results = await asyncio.gather(
        registry.add(first, None, USER),
        registry.add(second, None, USER),
        return_exceptions=True,
    )
    # ... but only one is saved, and the other is refused in words a member can act on.
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1 and isinstance(refused[0], UserError)
    assert "already has 3 servers" in str(refused[0])
    assert await store.servers.count(G1) == 3
    with pytest.raises(UserError, match="already has 3 servers"):
        await registry.prepare_add(G1, "E", "h.example", "other")
    # Another guild has its own count.
    await registry.add(await registry.prepare_add(G2, "A", "h.example", "other"), None, 1)


async def test_server_quota_at_save_many_racers(store: Store) -> None:
    new = [
        NewServer(G1, f"R{i}", "cs2", "127.0.0.1", 27015, 27015, None, None, 1) for i in range(8)
    ]
    results = await asyncio.gather(
        *(store.servers.add(s, limit=5) for s in new), return_exceptions=True
    )
    assert sum(isinstance(r, QuotaExceededError) for r in results) == 3
    assert await store.servers.count(G1) == 5


async def test_board_quota_counts_new_boards_only(store: Store) -> None:
    ids = await _servers(store, G1, 2)
    await store.boards.upsert(G1, 1, ids, USER, limit=2)
    await store.boards.upsert(G1, 2, ids, USER, limit=2)
    with pytest.raises(QuotaExceededError, match="already has 2 status boards"):
        await store.boards.upsert(G1, 3, ids, USER, limit=2)
    # Changing an existing board is never refused.
    changed = await store.boards.upsert(G1, 2, ids[:1], USER, limit=2)
    assert changed.server_ids == (ids[0],)
    await store.boards.upsert(G2, 3, [], USER, limit=2)
    assert len(await store.boards.for_guild(G1)) == 2


async def test_alert_feed_and_watch_quotas(store: Store) -> None:
    ids = await _servers(store, G1, 2)
    await store.alerts.upsert(G1, ids[0], 1, None, USER, None, limit=1)
    await store.alerts.upsert(G1, ids[0], 1, 7, USER, None, limit=1)  # an update
    with pytest.raises(QuotaExceededError, match="1 alerts"):
        await store.alerts.upsert(G1, ids[1], 1, None, USER, None, limit=1)
    await store.feeds.upsert(G1, ids[0], 1, frozenset({"joins"}), USER, limit=1)
    await store.feeds.upsert(G1, ids[0], 1, frozenset({"chat"}), USER, limit=1)
    with pytest.raises(QuotaExceededError, match="1 feeds"):
        await store.feeds.upsert(G1, ids[0], 2, frozenset({"joins"}), USER, limit=1)
    await store.watches.upsert(G1, ids[0], "Ann", "ann", 1, None, USER, limit=1)
    await store.watches.upsert(G1, ids[0], "ANN", "ann", 2, None, USER, limit=1)
    with pytest.raises(QuotaExceededError, match="1 watches"):
        await store.watches.upsert(G1, ids[0], "Bob", "bob", 1, None, USER, limit=1)
    assert len(await store.alerts.for_guild(G1)) == 1
    assert len(await store.feeds.for_guild(G1)) == 1
    assert [w.pattern for w in await store.watches.for_guild(G1)] == ["ANN"]


def test_quota_settings(tmp_path: Path) -> None:
    base = {"DISCORD_TOKEN": "x" * 30, "OUTPOST_SECRET_KEY": generate_key()}
    env = tmp_path / ".env"
    settings = load_settings(env, environ=base)
    assert settings.quotas == Quotas() and settings.quotas.servers == DEFAULT_QUOTAS["servers"]
    assert settings.audit_retention_days == 365
    custom = load_settings(
        env,
        environ={
            **base,
            "MAX_BOARDS_PER_GUILD": "3",
            "MAX_WATCHES_PER_GUILD": "7",
            "AUDIT_RETENTION_DAYS": "30",
        },
    )
    assert (custom.quotas.boards, custom.quotas.watches) == (3, 7)
    assert custom.audit_retention_days == 30
    for name, value in (("MAX_FEEDS_PER_GUILD", "0"), ("AUDIT_RETENTION_DAYS", "soon")):
        with pytest.raises(ConfigError, match=name):
            load_settings(env, environ={**base, name: value})


def test_env_example_documents_quotas_and_audit_retention(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    example = (root / ".env.example").read_text()
    readme = (root / "README.md").read_text()
    names = [f"MAX_{kind.upper()}_PER_GUILD" for kind in DEFAULT_QUOTAS]
    for name in (*names, "AUDIT_RETENTION_DAYS"):
        assert f"\n{name}=" in example and f"`{name}`" in readme, name
    env = tmp_path / ".env"
    env.write_text(example.replace("OUTPOST_SECRET_KEY=", f"OUTPOST_SECRET_KEY={generate_key()}"))
    settings = load_settings(env, environ={"DISCORD_TOKEN": "x" * 30}, require_token=False)
    assert settings.quotas == Quotas() and settings.audit_retention_days == 365
