"""Per-server display options (``server_display``): e.g. hiding the connect line."""

from __future__ import annotations

from bot.storage.database import Database


class DisplayRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def hidden_connect(self) -> set[int]:
        """Ids of the servers whose connect line is hidden."""
        rows = await self._db.fetch_all(
            "SELECT server_id FROM server_display WHERE hide_connect = 1"
        )
        return {int(r[0]) for r in rows}

    async def set_hide_connect(self, server_id: int, hide: bool) -> None:
        await self._db.execute(
            "INSERT INTO server_display (server_id, hide_connect) VALUES (?, ?) "
            "ON CONFLICT (server_id) DO UPDATE SET hide_connect = excluded.hide_connect",
            (server_id, int(hide)),
        )
