"""Up/down alert subscriptions (``alerts``), with the last state each one reported."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.database import Database, Row
from bot.storage.quota import insert_within

_COLUMNS = "id, guild_id, server_id, channel_id, role_id, last_state, down_since"


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    guild_id: int
    server_id: int
    channel_id: int
    role_id: int | None
    last_state: str | None  # 'up', 'down' or None
    down_since: float | None


def _alert(row: Row) -> Alert:
    return Alert(
        id=int(row["id"]),
        guild_id=int(row["guild_id"]),
        server_id=int(row["server_id"]),
        channel_id=int(row["channel_id"]),
        role_id=None if row["role_id"] is None else int(row["role_id"]),
        last_state=None if row["last_state"] is None else str(row["last_state"]),
        down_since=None if row["down_since"] is None else float(row["down_since"]),
    )


class AlertRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def upsert(
        self,
        guild_id: int,
        server_id: int,
        channel_id: int,
        role_id: int | None,
        created_by: int,
        last_state: str | None,
        *,
        limit: int | None = None,
    ) -> Alert:
        """QuotaExceededError when a new alert would make more than ``limit`` in the guild."""
        row = await insert_within(
            self._db,
            guild_id=guild_id,
            limit=limit,
            what="alerts",
            table="alerts",
            exists=("server_id = ? AND channel_id = ?", (server_id, channel_id)),
            write=(
                "INSERT INTO alerts (guild_id, server_id, channel_id, role_id, last_state, "
                "created_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (server_id, channel_id) "
                f"DO UPDATE SET role_id = excluded.role_id RETURNING {_COLUMNS}",
                (guild_id, server_id, channel_id, role_id, last_state, created_by),
            ),
        )
        assert row is not None  # RETURNING always yields the row
        return _alert(row)

    async def for_guild(self, guild_id: int) -> list[Alert]:
        rows = await self._db.fetch_all(
            f"SELECT {_COLUMNS} FROM alerts WHERE guild_id = ? ORDER BY id", (guild_id,)
        )
        return [_alert(r) for r in rows]

    async def all(self) -> list[Alert]:
        rows = await self._db.fetch_all(f"SELECT {_COLUMNS} FROM alerts ORDER BY id")
        return [_alert(r) for r in rows]

    async def remove(self, guild_id: int, server_id: int, channel_id: int | None) -> int:
        """Delete the server's alerts (in one channel, or all); returns how many."""
        params: tuple[int, ...]
        if channel_id is None:
            sql = "DELETE FROM alerts WHERE guild_id = ? AND server_id = ?"
            params = (guild_id, server_id)
        else:
            sql = "DELETE FROM alerts WHERE guild_id = ? AND server_id = ? AND channel_id = ?"
            params = (guild_id, server_id, channel_id)
        return await self._db.execute(sql, params)

    async def set_state(self, alert_id: int, state: str, down_since: float | None) -> None:
        await self._db.execute(
            "UPDATE alerts SET last_state = ?, down_since = ? WHERE id = ?",
            (state, down_since, alert_id),
        )
