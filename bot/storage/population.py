"""Population pings (``population_pings``): a role mentioned when a server's player count
crosses a threshold, with whether it may fire again (``armed``) and when it last did."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.guild_rows import GuildRows
from bot.storage.rows import RowReader


@dataclass(frozen=True, slots=True)
class PopulationPing:
    id: int
    guild_id: int
    server_id: int
    channel_id: int
    role_id: int
    direction: str  # "above" or "below"
    threshold: int
    cooldown: float  # seconds between two pings at the least
    armed: bool | None  # None: the server's count not seen yet
    last_fired: float | None


_ping = RowReader(PopulationPing)


class PopulationPingRepository(GuildRows[PopulationPing]):
    _TABLE = "population_pings"
    _READ = _ping

    async def add(
        self,
        guild_id: int,
        server_id: int,
        channel_id: int,
        role_id: int,
        direction: str,
        threshold: int,
        created_by: int,
        *,
        cooldown: float = 3600.0,
    ) -> PopulationPing:
        """Create the ping, or replace its role and cooldown (the same server, channel,
        direction and threshold); it waits for a round before it can fire."""
        return await _ping.returning(
            self._db,
            "INSERT INTO population_pings (guild_id, server_id, channel_id, role_id, direction, "
            "threshold, cooldown, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (server_id, channel_id, direction, threshold) DO UPDATE SET "
            f"role_id = excluded.role_id, cooldown = excluded.cooldown RETURNING {_ping.columns}",
            (guild_id, server_id, channel_id, role_id, direction, threshold, cooldown, created_by),
        )

    async def count(self, guild_id: int) -> int:
        value = await self._db.fetch_val(
            "SELECT COUNT(*) FROM population_pings WHERE guild_id = ?", (guild_id,)
        )
        return int(value or 0)

    async def remove(self, guild_id: int, ping_id: int) -> bool:
        return (
            await self._db.execute(
                "DELETE FROM population_pings WHERE guild_id = ? AND id = ?", (guild_id, ping_id)
            )
            > 0
        )

    async def set_state(self, ping_id: int, armed: bool, last_fired: float | None) -> None:
        await self._db.execute(
            "UPDATE population_pings SET armed = ?, last_fired = ? WHERE id = ?",
            (int(armed), last_fired, ping_id),
        )
