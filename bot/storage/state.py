"""Small key/value facts about the installation (``app_state`` table)."""

from __future__ import annotations

from bot.storage.database import Database


class AppStateRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> str | None:
        row = await self._db.fetch_one("SELECT value FROM app_state WHERE key = ?", (key,))
        return None if row is None else str(row[0])

    async def set(self, key: str, value: str) -> None:
        await self._db.execute(
            "INSERT INTO app_state (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def delete(self, key: str) -> None:
        await self._db.execute("DELETE FROM app_state WHERE key = ?", (key,))

    async def with_prefix(self, prefix: str) -> dict[str, str]:
        """Every key starting with ``prefix`` (no LIKE wildcards in it), with its value."""
        rows = await self._db.fetch_all(
            "SELECT key, value FROM app_state WHERE substr(key, 1, ?) = ? ORDER BY key",
            (len(prefix), prefix),
        )
        return {str(r[0]): str(r[1]) for r in rows}
