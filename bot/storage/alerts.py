"""Up/down alert subscriptions (``alerts``), with the last state each one reported."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.guild_rows import GuildRows
from bot.storage.rows import RowReader


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    guild_id: int
    server_id: int
    channel_id: int
    role_id: int | None
    last_state: str | None  # 'up', 'down' or None
    down_since: float | None
    incident_message_id: int | None = None  # the "down" message to edit when it is back


_alert = RowReader(Alert)


class AlertRepository(GuildRows[Alert]):
    _TABLE = "alerts"
    _READ = _alert

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
        return await self._upsert(
            guild_id=guild_id,
            limit=limit,
            what="alerts",
            exists=("server_id = ? AND channel_id = ?", (server_id, channel_id)),
            write=(
                "INSERT INTO alerts (guild_id, server_id, channel_id, role_id, last_state, "
                "created_by) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (server_id, channel_id) "
                f"DO UPDATE SET role_id = excluded.role_id RETURNING {_alert.columns}",
                (guild_id, server_id, channel_id, role_id, last_state, created_by),
            ),
        )

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

    async def set_state(
        self,
        alert_id: int,
        state: str,
        down_since: float | None,
        incident_message_id: int | None = None,
    ) -> None:
        """The state reported last; ``incident_message_id``: the "down" message (None: none
        open, as after the edit that closed it)."""
        await self._db.execute(
            "UPDATE alerts SET last_state = ?, down_since = ?, incident_message_id = ? "
            "WHERE id = ?",
            (state, down_since, incident_message_id, alert_id),
        )
