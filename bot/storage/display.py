"""Per-server display options (``server_display``): hiding the connect line, a join link."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.database import Database
from bot.storage.rows import RowReader

MAX_JOIN_URL = 512  # Discord's limit for a link button's url


@dataclass(frozen=True, slots=True)
class Display:
    """How one server is shown (the defaults: an absent row)."""

    hide_connect: bool = False
    join_url: str | None = None  # http(s) link shown as a "Join" button


_display = RowReader(Display)


class DisplayRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def hidden_connect(self) -> set[int]:
        """Ids of the servers whose connect line is hidden."""
        rows = await self._db.fetch_all(
            "SELECT server_id FROM server_display WHERE hide_connect = 1"
        )
        return {int(r[0]) for r in rows}

    async def all(self) -> dict[int, Display]:
        """Server id -> its options, for the servers that have a row."""
        rows = await self._db.fetch_all(
            "SELECT server_id, hide_connect, join_url FROM server_display"
        )
        return {int(r["server_id"]): _display(r) for r in rows}

    async def get(self, server_id: int) -> Display:
        """One server's options (the defaults when it has no row)."""
        row = await self._db.fetch_one(
            "SELECT hide_connect, join_url FROM server_display WHERE server_id = ?", (server_id,)
        )
        if row is None:
            return Display()
        return _display(row)

    async def set_hide_connect(self, server_id: int, hide: bool) -> None:
        await self._db.execute(
            "INSERT INTO server_display (server_id, hide_connect) VALUES (?, ?) "
            "ON CONFLICT (server_id) DO UPDATE SET hide_connect = excluded.hide_connect",
            (server_id, int(hide)),
        )

    async def set_join_url(self, server_id: int, url: str | None) -> None:
        """``url``: checked by the caller (bot.services.status.join_links); None clears it."""
        if url is not None and len(url) > MAX_JOIN_URL:
            raise ValueError("join url too long")
        await self._db.execute(
            "INSERT INTO server_display (server_id, join_url) VALUES (?, ?) "
            "ON CONFLICT (server_id) DO UPDATE SET join_url = excluded.join_url",
            (server_id, url),
        )
