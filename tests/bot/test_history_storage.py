"""History samples on the shared connection: concurrent writers never interfere."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.storage import Store
from bot.storage.history import Sample


@pytest.fixture
async def store(backend_store: Store) -> AsyncIterator[Store]:
    # Parametrised over SQLite and PostgreSQL (tests/bot/conftest.py).
    yield backend_store


def round_of(target_count: int, at: float) -> list[Sample]:
    return [
        Sample(f"127.0.0.1:{20000 + i}", at, True, i % 32, 32, 0, "de_dust2", 12.5)
        for i in range(target_count)
    ]


async def test_concurrent_rounds_and_other_writes_all_land(store: Store) -> None:
    # Two rounds larger than one INSERT chunk, written at once, with a state write between:
    # an explicit BEGIN/COMMIT on the shared connection would fail or swallow the others.
    await asyncio.gather(
        store.history.add_many(round_of(250, 1000.0)),
        store.history.add_many(round_of(250, 1060.0)),
        store.state.set("marker", "kept"),
    )
    assert await store.history.count() == 500
    assert await store.state.get("marker") == "kept"
    samples = await store.history.between("127.0.0.1:20007", 0, 2000)
    assert [(s.at, s.players, s.ping_ms) for s in samples] == [(1000.0, 7, 12.5), (1060.0, 7, 12.5)]


async def test_a_repeated_time_is_ignored(store: Store) -> None:
    await store.history.add_many(round_of(3, 1000.0))
    await store.history.add_many(round_of(3, 1000.0))
    assert await store.history.count() == 3
