"""Which guilds this process serves: Discord's shard formula, in one place.

Discord routes a guild's gateway events to shard ``(guild_id >> 22) % shard_count``. A process
running shards ``shard_ids`` polls, holds RCON connections, updates boards and alerts and posts
feeds only for the guilds of those shards, so several processes sharing one database never do
the same work twice, and adding a process only needs its own ``SHARD_IDS``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

MAX_SHARD_COUNT = 4096


class HasGuild(Protocol):
    @property
    def guild_id(self) -> int: ...


G = TypeVar("G", bound=HasGuild)


class ShardSpecError(ValueError):
    """A ``SHARD_IDS`` text that does not name shards below the count."""


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's formula: the shard that receives a guild's events."""
    return (guild_id >> 22) % shard_count


def parse_shard_ids(text: str, shard_count: int) -> tuple[int, ...]:
    """``"0-3"``, ``"0,2"`` or ``"1, 4-5"`` -> sorted unique shard ids below ``shard_count``."""
    ids: set[int] = set()
    for part in text.split(","):
        part = part.strip()
        if not part:
            raise ShardSpecError("expected shard ids like 0-3 or 0,2 (an empty item)")
        low_text, sep, high_text = part.partition("-")
        try:
            low = int(low_text)
            high = int(high_text) if sep else low
        except ValueError:
            raise ShardSpecError(f"expected shard ids like 0-3 or 0,2, not {part!r}") from None
        if low < 0 or high < low:
            raise ShardSpecError(f"{part!r} is not a range from low to high")
        if high >= shard_count:
            raise ShardSpecError(
                f"shard {high} does not exist with SHARD_COUNT={shard_count} "
                f"(ids go from 0 to {shard_count - 1})"
            )
        ids.update(range(low, high + 1))
    return tuple(sorted(ids))


@dataclass(frozen=True, slots=True)
class ShardFilter:
    """The guilds one process owns. ``shard_count=None``: one process owns every guild."""

    shard_count: int | None = None
    shard_ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.shard_count is None:
            return
        if not 1 <= self.shard_count <= MAX_SHARD_COUNT:
            raise ShardSpecError(f"shard count must be from 1 to {MAX_SHARD_COUNT}")
        if not self.shard_ids or any(not 0 <= s < self.shard_count for s in self.shard_ids):
            raise ShardSpecError("every shard id must be below the shard count")

    @classmethod
    def everything(cls) -> ShardFilter:
        return cls()

    @property
    def sharded(self) -> bool:
        return self.shard_count is not None

    @property
    def syncs_commands(self) -> bool:
        """One process syncs application commands: the one running shard 0 (or the only one)."""
        return self.shard_count is None or 0 in self.shard_ids

    def owns(self, guild_id: int) -> bool:
        if self.shard_count is None:
            return True
        return shard_of(guild_id, self.shard_count) in self.shard_ids

    def keep(self, items: Iterable[G]) -> list[G]:
        """The items (servers, boards, alerts, feeds...) of the guilds this process owns."""
        return [item for item in items if self.owns(item.guild_id)]

    def describe(self) -> str:
        if self.shard_count is None:
            return "unsharded (every guild)"
        return f"shards {','.join(map(str, self.shard_ids))} of {self.shard_count}"
