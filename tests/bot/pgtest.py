"""A throw-away PostgreSQL database per test, on the server at 127.0.0.1:5432.

Other test runs and helpers share that server, so each test creates its own database
``outpost_test_<random>`` (connected through the ``test`` database) and drops it afterwards.
When no server answers, the tests that need one skip with :data:`SKIP_REASON`.
"""

from __future__ import annotations

import functools
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

HOST, PORT = "127.0.0.1", 5432
ADMIN_URL = f"postgresql://postgres@{HOST}:{PORT}/test"
SKIP_REASON = f"PostgreSQL not reachable on {HOST}:{PORT}"


@functools.cache
def postgres_reachable() -> bool:
    try:
        with socket.create_connection((HOST, PORT), timeout=1.0):
            return True
    except OSError:
        return False


def require_postgres() -> None:
    if not postgres_reachable():
        pytest.skip(SKIP_REASON)


def url_of(database: str) -> str:
    return f"postgresql://postgres@{HOST}:{PORT}/{database}"


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """The URL of a new empty database, dropped (with its connections) at the end."""
    require_postgres()
    name = f"outpost_test_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    try:
        yield url_of(name)
    finally:
        admin = await asyncpg.connect(ADMIN_URL)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await admin.close()
