"""Storage tests run on both engines: ``backend_store`` is parametrised over SQLite and
PostgreSQL (a fresh database per test; skipped only when no server answers)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage import Store
from tests.bot.pgtest import fresh_database

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def backend_store(backend: str, tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated store on ``backend``, closed (and its PostgreSQL database dropped) after."""
    if backend == "sqlite":
        store = await Store.open(tmp_path / "db.sqlite3")
        try:
            yield store
        finally:
            await store.close()
        return
    async with fresh_database() as url:
        store = await Store.open_url(url)
        try:
            yield store
        finally:
            await store.close()
