"""Fixtures of the unit tests: ``store``, a migrated SQLite store; ``backend_store`` for the
storage tests that run on both engines, parametrised over SQLite and PostgreSQL (a fresh
database per test; skipped only when no server answers)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.storage import Store
from tests.bot.pgtest import fresh_database

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated SQLite store in ``tmp_path``, closed after the test."""
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """The root logger's level and handlers put back after the test (for code that configures
    logging for the process, such as the command-line ``main()``)."""
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    yield
    root.setLevel(saved[0])
    root.handlers[:] = saved[1]


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
