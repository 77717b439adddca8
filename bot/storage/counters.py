"""Channel counters (``channel_counters``): a channel whose name shows a server's status, with
the name it shows and when it was last renamed."""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.guild_rows import GuildRows
from bot.storage.rows import RowReader


@dataclass(frozen=True, slots=True)
class Counter:
    id: int
    guild_id: int
    channel_id: int
    server_id: int
    format: str
    shown: str | None  # the name the channel was last given
    renamed_at: float | None


_counter = RowReader(Counter)


class CounterRepository(GuildRows[Counter]):
    _TABLE = "channel_counters"
    _READ = _counter

    async def upsert(
        self, guild_id: int, channel_id: int, server_id: int, fmt: str, created_by: int
    ) -> Counter:
        """The channel's counter, created or pointed at another server or format (the last
        rename is kept: the limit counts it still)."""
        return await _counter.returning(
            self._db,
            "INSERT INTO channel_counters (guild_id, channel_id, server_id, format, created_by) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (channel_id) DO UPDATE SET "
            "server_id = excluded.server_id, format = excluded.format "
            f"RETURNING {_counter.columns}",
            (guild_id, channel_id, server_id, fmt, created_by),
        )

    async def remove(self, guild_id: int, channel_id: int) -> bool:
        return (
            await self._db.execute(
                "DELETE FROM channel_counters WHERE guild_id = ? AND channel_id = ?",
                (guild_id, channel_id),
            )
            > 0
        )

    async def set_shown(self, counter_id: int, shown: str, renamed_at: float) -> None:
        await self._db.execute(
            "UPDATE channel_counters SET shown = ?, renamed_at = ? WHERE id = ?",
            (shown, renamed_at, counter_id),
        )
