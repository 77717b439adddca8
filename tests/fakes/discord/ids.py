"""Snowflake ids for the fake Discord.

Ids carry a real timestamp so that discord.py's ``created_at`` (and any "message older than one
hour" logic in the bot) sees sensible values.
"""

from __future__ import annotations

import itertools
import time

DISCORD_EPOCH_MS = 1_420_070_400_000


class SnowflakeFactory:
    """Monotonic, unique snowflakes: timestamp in the high bits, a counter in the low 22."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._last = 0

    def next(self) -> int:
        stamp = int(time.time() * 1000) - DISCORD_EPOCH_MS
        candidate = (stamp << 22) | (next(self._counter) & 0x3FFFFF)
        # Two ids in the same millisecond with a wrapped counter must still increase.
        self._last = max(candidate, self._last + 1)
        return self._last


def snowflake_time_ms(snowflake: int) -> int:
    """Unix time in milliseconds encoded in a snowflake."""
    return (snowflake >> 22) + DISCORD_EPOCH_MS


def guild_id_on_shard(shard_id: int, shard_count: int, index: int = 0) -> int:
    """A realistic guild id (18 digits) that Discord routes to ``shard_id`` of ``shard_count``
    by its formula ``(guild_id >> 22) % shard_count``; ``index`` tells several apart."""
    high = (1 << 36) + index * shard_count + shard_id
    high -= (1 << 36) % shard_count  # so that high % shard_count == shard_id
    return (high << 22) | (index & 0x3FFFFF)
