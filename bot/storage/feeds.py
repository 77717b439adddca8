"""Feed and watch subscriptions (``feeds``, ``watches``) with their delivery cursors.

A cursor (``delivered_through``) is the id of the last stored event the subscription has
delivered or reported as dropped; it only moves forward.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.database import Row
from bot.storage.guild_rows import CursorRows
from bot.storage.rows import RowReader

# New subscriptions start after the newest stored event: they never replay older history.
_NEWEST_EVENT = "(SELECT COALESCE(MAX(id), 0) FROM feed_events)"


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    guild_id: int
    server_id: int
    channel_id: int
    kinds: frozenset[str]  # categories, see bot.services.feed.model.CATEGORIES
    delivered_through: int


@dataclass(frozen=True, slots=True)
class Watch:
    id: int
    guild_id: int
    server_id: int
    pattern: str  # as typed (name or GUID)
    pattern_key: str
    channel_id: int
    role_id: int | None
    delivered_through: int


def _kinds(row: Row) -> frozenset[str]:
    """The ``kinds`` column: categories joined by commas (see FeedRepository.upsert)."""
    return frozenset(k for k in str(row["kinds"]).split(",") if k)


_feed = RowReader(Feed, derived={"kinds": _kinds})
_watch = RowReader(Watch)


class FeedRepository(CursorRows[Feed]):
    _TABLE = "feeds"
    _READ = _feed

    async def upsert(
        self,
        guild_id: int,
        server_id: int,
        channel_id: int,
        kinds: frozenset[str],
        created_by: int,
        *,
        limit: int | None = None,
    ) -> Feed:
        """Create the server's feed in the channel, or replace its categories.
        QuotaExceededError when a new feed would make more than ``limit`` in the guild."""
        return await self._upsert(
            guild_id=guild_id,
            limit=limit,
            what="feeds",
            exists=("server_id = ? AND channel_id = ?", (server_id, channel_id)),
            write=(
                "INSERT INTO feeds (guild_id, server_id, channel_id, kinds, delivered_through, "
                f"created_by) VALUES (?, ?, ?, ?, {_NEWEST_EVENT}, ?) "
                "ON CONFLICT (server_id, channel_id) DO UPDATE SET kinds = excluded.kinds "
                f"RETURNING {_feed.columns}",
                (guild_id, server_id, channel_id, ",".join(sorted(kinds)), created_by),
            ),
        )

    async def remove(self, guild_id: int, server_id: int, channel_id: int | None) -> list[Feed]:
        """Delete the server's feeds (in one channel, or all); returns the removed ones."""
        params: tuple[int, ...]
        where = "guild_id = ? AND server_id = ?"
        params = (guild_id, server_id)
        if channel_id is not None:
            where += " AND channel_id = ?"
            params = (*params, channel_id)
        return await _feed.fetch_all(
            self._db, f"DELETE FROM feeds WHERE {where} RETURNING {_feed.columns}", params
        )


class WatchRepository(CursorRows[Watch]):
    _TABLE = "watches"
    _READ = _watch

    async def upsert(
        self,
        guild_id: int,
        server_id: int,
        pattern: str,
        pattern_key: str,
        channel_id: int,
        role_id: int | None,
        created_by: int,
        *,
        limit: int | None = None,
    ) -> Watch:
        """QuotaExceededError when a new watch would make more than ``limit`` in the guild."""
        return await self._upsert(
            guild_id=guild_id,
            limit=limit,
            what="watches",
            exists=("server_id = ? AND pattern_key = ?", (server_id, pattern_key)),
            write=(
                "INSERT INTO watches (guild_id, server_id, pattern, pattern_key, channel_id, "
                "role_id, delivered_through, created_by) "
                f"VALUES (?, ?, ?, ?, ?, ?, {_NEWEST_EVENT}, ?) "
                "ON CONFLICT (server_id, pattern_key) DO UPDATE SET pattern = excluded.pattern, "
                "channel_id = excluded.channel_id, role_id = excluded.role_id "
                f"RETURNING {_watch.columns}",
                (guild_id, server_id, pattern, pattern_key, channel_id, role_id, created_by),
            ),
        )

    async def remove(self, guild_id: int, server_id: int, pattern_key: str) -> Watch | None:
        return await _watch.fetch_one(
            self._db,
            "DELETE FROM watches WHERE guild_id = ? AND server_id = ? AND pattern_key = ? "
            f"RETURNING {_watch.columns}",
            (guild_id, server_id, pattern_key),
        )
