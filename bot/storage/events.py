"""Stored feed events (``feed_events``) and player sessions (``player_sessions``)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

import aiosqlite

from bot.storage.models import name_key

_EVENT_COLUMNS = "id, server_id, at, kind, player, guid, text, source"
_SESSION_COLUMNS = "id, server_id, player, guid, source, joined_at, left_at"
_CHUNK = 100  # rows per INSERT (7 parameters each, far below SQLite's limit)


@dataclass(frozen=True, slots=True)
class Event:
    """One server event. ``id`` is 0 until stored; ids grow in arrival order."""

    server_id: int
    at: float
    kind: str
    player: str = ""
    guid: str | None = None
    text: str = ""
    source: str = "battleye"
    id: int = 0


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    server_id: int
    player: str
    guid: str | None
    source: str
    joined_at: float
    left_at: float | None  # None: still connected


def _event(row: sqlite3.Row) -> Event:
    return Event(
        id=int(row["id"]), server_id=int(row["server_id"]), at=float(row["at"]),
        kind=str(row["kind"]), player=str(row["player"]),
        guid=None if row["guid"] is None else str(row["guid"]), text=str(row["text"]),
        source=str(row["source"]),
    )


def _session(row: sqlite3.Row) -> Session:
    return Session(
        id=int(row["id"]), server_id=int(row["server_id"]), player=str(row["player"]),
        guid=None if row["guid"] is None else str(row["guid"]), source=str(row["source"]),
        joined_at=float(row["joined_at"]),
        left_at=None if row["left_at"] is None else float(row["left_at"]),
    )


class EventRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def add_many(self, events: Sequence[Event]) -> list[Event]:
        """Store ``events``; returns them with their ids, in order.

        One multi-row ``INSERT … RETURNING`` per chunk: a single statement is atomic without
        an explicit transaction, which on the shared connection could swallow (or be broken
        by) another coroutine's writes.
        """
        stored: list[Event] = []
        for start in range(0, len(events), _CHUNK):
            chunk = events[start : start + _CHUNK]
            values = ", ".join("(?, ?, ?, ?, ?, ?, ?)" for _ in chunk)
            params = [
                v for e in chunk
                for v in (e.server_id, e.at, e.kind, e.player, e.guid, e.text, e.source)
            ]
            async with self._conn.execute(
                "INSERT INTO feed_events (server_id, at, kind, player, guid, text, source) "
                f"VALUES {values} RETURNING id",
                params,
            ) as cur:
                rows = await cur.fetchall()
            # RETURNING order is unspecified; ids of one statement grow in VALUES order.
            ids = sorted(int(r[0]) for r in rows)
            stored += [replace(e, id=i) for e, i in zip(chunk, ids, strict=True)]
        return stored

    async def after(
        self, server_id: int, after_id: int, since: float, kinds: Collection[str],
        limit: int = 10_000,
    ) -> list[Event]:
        """The server's events of ``kinds`` with an id above ``after_id`` and not older than
        ``since``, oldest first."""
        if not kinds:
            return []
        marks = ", ".join("?" for _ in kinds)
        async with self._conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM feed_events WHERE server_id = ? AND id > ? "
            f"AND at >= ? AND kind IN ({marks}) ORDER BY id LIMIT ?",
            (server_id, after_id, since, *kinds, limit),
        ) as cur:
            rows = await cur.fetchall()
        return [_event(r) for r in rows]

    async def recent(self, server_id: int, limit: int = 100) -> list[Event]:
        """The server's newest events, oldest first."""
        async with self._conn.execute(
            f"SELECT {_EVENT_COLUMNS} FROM (SELECT {_EVENT_COLUMNS} FROM feed_events "
            "WHERE server_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
            (server_id, limit),
        ) as cur:
            rows = await cur.fetchall()
        return [_event(r) for r in rows]

    async def set_join_guid(self, server_id: int, player: str, guid: str) -> None:
        """Record the GUID on the player's latest join (BattlEye sends it just after)."""
        await self._conn.execute(
            "UPDATE feed_events SET guid = ? WHERE id = (SELECT MAX(id) FROM feed_events "
            "WHERE server_id = ? AND kind = 'join' AND player = ?)",
            (guid, server_id, player),
        )

    async def prune(self, before: float) -> int:
        async with self._conn.execute("DELETE FROM feed_events WHERE at < ?", (before,)) as cur:
            return int(cur.rowcount)


class SessionRepository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def open(
        self, server_id: int, player: str, guid: str | None, source: str, at: float
    ) -> None:
        await self._conn.execute(
            "INSERT INTO player_sessions (server_id, player, player_key, guid, source, "
            "joined_at) VALUES (?, ?, ?, ?, ?, ?)",
            (server_id, player, name_key(player), guid, source, at),
        )

    async def close(self, server_id: int, player: str, at: float) -> bool:
        """End the player's most recent open session on the server; False when none is open."""
        async with self._conn.execute(
            "UPDATE player_sessions SET left_at = MAX(?, joined_at) WHERE id = (SELECT MAX(id) "
            "FROM player_sessions WHERE server_id = ? AND player_key = ? AND left_at IS NULL)",
            (at, server_id, name_key(player)),
        ) as cur:
            return int(cur.rowcount) > 0

    async def close_all(self, server_id: int, at: float, source: str | None = None) -> int:
        """End every open session of the server (it went down); returns how many."""
        sql = (
            "UPDATE player_sessions SET left_at = MAX(?, joined_at) "
            "WHERE server_id = ? AND left_at IS NULL"
        )
        params: tuple[object, ...] = (at, server_id)
        if source is not None:
            sql += " AND source = ?"
            params = (*params, source)
        async with self._conn.execute(sql, params) as cur:
            return int(cur.rowcount)

    async def set_guid(self, server_id: int, player: str, guid: str) -> None:
        await self._conn.execute(
            "UPDATE player_sessions SET guid = ? WHERE id = (SELECT MAX(id) FROM "
            "player_sessions WHERE server_id = ? AND player_key = ? AND left_at IS NULL)",
            (guid, server_id, name_key(player)),
        )

    async def open_names(self, server_id: int, source: str) -> list[str]:
        """Names of the open sessions (one entry per session: names can repeat)."""
        async with self._conn.execute(
            "SELECT player FROM player_sessions WHERE server_id = ? AND source = ? "
            "AND left_at IS NULL ORDER BY id",
            (server_id, source),
        ) as cur:
            rows = await cur.fetchall()
        return [str(r[0]) for r in rows]

    async def reconcile(
        self, server_id: int, players: Collection[str], source: str, at: float
    ) -> tuple[int, int]:
        """Make the open sessions match the players connected now (after a reconnect, when
        joins and leaves may have been missed): end the others, open the missing ones.
        Returns (ended, opened)."""
        async with self._conn.execute(
            "SELECT id, player_key FROM player_sessions WHERE server_id = ? AND left_at IS NULL "
            "ORDER BY id",
            (server_id,),
        ) as cur:
            rows = await cur.fetchall()
        wanted = Counter(name_key(p) for p in players)
        kept: Counter[str] = Counter()
        ended = []
        for row in rows:
            key = str(row[1])
            if kept[key] < wanted[key]:
                kept[key] += 1
            else:
                ended.append(int(row[0]))
        await self._conn.executemany(
            "UPDATE player_sessions SET left_at = MAX(?, joined_at) WHERE id = ?",
            [(at, session_id) for session_id in ended],
        )
        opened = 0
        for player in players:
            key = name_key(player)
            if kept[key] < wanted[key]:
                kept[key] += 1
                opened += 1
                await self.open(server_id, player, None, source, at)
        return len(ended), opened

    async def lookup(
        self, server_ids: Collection[int], name_or_guid: str, limit: int = 50
    ) -> list[Session]:
        """Sessions of a player (exact name, case-insensitive, or GUID) on these servers,
        newest first."""
        if not server_ids:
            return []
        marks = ", ".join("?" for _ in server_ids)
        key = name_key(name_or_guid)
        async with self._conn.execute(
            f"SELECT {_SESSION_COLUMNS} FROM player_sessions WHERE server_id IN ({marks}) "
            "AND (player_key = ? OR lower(guid) = ?) ORDER BY joined_at DESC, id DESC LIMIT ?",
            (*server_ids, key, key, limit),
        ) as cur:
            rows = await cur.fetchall()
        return [_session(r) for r in rows]

    async def names_like(self, server_ids: Collection[int], text: str, limit: int) -> list[str]:
        """Distinct player names containing ``text`` (autocomplete), most recent first."""
        if not server_ids:
            return []
        marks = ", ".join("?" for _ in server_ids)
        pattern = "%" + name_key(text).replace("\\", "\\\\").replace("%", "\\%").replace(
            "_", "\\_") + "%"
        async with self._conn.execute(
            f"SELECT player FROM player_sessions WHERE server_id IN ({marks}) "
            "AND player_key LIKE ? ESCAPE '\\' GROUP BY player_key "
            "ORDER BY MAX(joined_at) DESC LIMIT ?",
            (*server_ids, pattern, limit),
        ) as cur:
            rows = await cur.fetchall()
        return [str(r[0]) for r in rows]

    async def prune(self, before: float) -> int:
        """Delete sessions that ended before ``before``."""
        async with self._conn.execute(
            "DELETE FROM player_sessions WHERE left_at IS NOT NULL AND left_at < ?", (before,)
        ) as cur:
            return int(cur.rowcount)
