"""Opening the one long-lived aiosqlite connection with the settings Outpost relies on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiosqlite

BUSY_TIMEOUT_MS = 5000


async def connect(path: Path | str) -> aiosqlite.Connection:
    """Open (creating the folder if needed) and configure a connection.

    Autocommit mode (``isolation_level=None``): single statements commit on their own and
    multi-statement work opens its transaction explicitly, so nothing is left pending.
    """
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        # WAL persists in the file and lets readers (backups, the sqlite3 CLI) run beside us.
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA synchronous=NORMAL")
        # Per connection, off by default in SQLite.
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS:d}")
    except BaseException:
        await conn.close()
        raise
    return conn
