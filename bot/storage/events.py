"""Stored feed events (``feed_events``) and player sessions (``player_sessions``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from bot.storage.chunks import insert_chunks
from bot.storage.database import Database, Row
from bot.storage.models import name_key
from bot.storage.rows import RowReader
from bot.storage.sql import escape_like, marks

_IDS = "steam_id, eos_id, mc_uuid"
_EVENT_COLUMNS = f"id, server_id, at, kind, player, guid, text, source, {_IDS}"
_SESSION_COLUMNS = f"id, server_id, player, guid, source, joined_at, left_at, {_IDS}"
_CHUNK = 100  # rows per INSERT (10 parameters each, far below SQLite's limit)
# A session never ends before it began. Written with CASE (two parameters, both ``at``): the
# two-argument MAX() is SQLite's, GREATEST() PostgreSQL's.
_LEFT_AT = "CASE WHEN ? > joined_at THEN ? ELSE joined_at END"


@dataclass(frozen=True, slots=True)
class PlayerIds:
    """A player's stable ids besides the BattlEye GUID, validated before they get here
    (:mod:`bot.services.feed.ids`)."""

    steam_id: str | None = None  # SteamID64, 17 digits
    eos_id: str | None = None  # Epic Online Services product user id, 32 lower-case hex
    mc_uuid: str | None = None  # Minecraft UUID, dashed lower-case

    def __bool__(self) -> bool:
        return any((self.steam_id, self.eos_id, self.mc_uuid))

    def values(self) -> tuple[str | None, str | None, str | None]:
        return (self.steam_id, self.eos_id, self.mc_uuid)


NO_IDS = PlayerIds()


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
    ids: PlayerIds = NO_IDS


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    server_id: int
    player: str
    guid: str | None
    source: str
    joined_at: float
    left_at: float | None  # None: still connected
    ids: PlayerIds = NO_IDS


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _ids(row: Row) -> PlayerIds:
    return PlayerIds(
        _text_or_none(row["steam_id"]), _text_or_none(row["eos_id"]), _text_or_none(row["mc_uuid"])
    )


# The player's ids are three columns of their own, read into one PlayerIds.
_event = RowReader(Event, derived={"ids": _ids}, columns=_EVENT_COLUMNS)
_session = RowReader(Session, derived={"ids": _ids}, columns=_SESSION_COLUMNS)


def _event_values(e: Event) -> tuple[object, ...]:
    return (e.server_id, e.at, e.kind, e.player, e.guid, e.text, e.source, *e.ids.values())


class EventRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_many(self, events: Sequence[Event]) -> list[Event]:
        """Store ``events``; returns them with their ids, in order.

        One multi-row ``INSERT … RETURNING`` per chunk: a single statement is atomic without
        an explicit transaction, which on the shared connection could swallow (or be broken
        by) another coroutine's writes.
        """
        stored: list[Event] = []
        for chunk, values, params in insert_chunks(events, _event_values, _CHUNK):
            rows = await self._db.fetch_all(
                "INSERT INTO feed_events (server_id, at, kind, player, guid, text, source, "
                f"{_IDS}) VALUES {values} RETURNING id",
                params,
            )
            # RETURNING order is unspecified; ids of one statement grow in VALUES order.
            ids = sorted(int(r[0]) for r in rows)
            stored += [replace(e, id=i) for e, i in zip(chunk, ids, strict=True)]
        return stored

    async def after(
        self,
        server_id: int,
        after_id: int,
        since: float,
        kinds: Collection[str],
        limit: int = 10_000,
    ) -> list[Event]:
        """The server's events of ``kinds`` with an id above ``after_id`` and not older than
        ``since``, oldest first."""
        if not kinds:
            return []
        return await _event.fetch_all(
            self._db,
            f"SELECT {_EVENT_COLUMNS} FROM feed_events WHERE server_id = ? AND id > ? "
            f"AND at >= ? AND kind IN ({marks(kinds)}) ORDER BY id LIMIT ?",
            (server_id, after_id, since, *kinds, limit),
        )

    async def recent(self, server_id: int, limit: int = 100) -> list[Event]:
        """The server's newest events, oldest first."""
        return await _event.fetch_all(
            self._db,
            f"SELECT {_EVENT_COLUMNS} FROM (SELECT {_EVENT_COLUMNS} FROM feed_events "
            "WHERE server_id = ? ORDER BY id DESC LIMIT ?) AS newest ORDER BY id",
            (server_id, limit),
        )

    async def sanctions(
        self,
        server_ids: Collection[int],
        names: Collection[str],
        guids: Collection[str],
        limit: int = 10,
    ) -> list[Event]:
        """Kick and ban events on ``server_ids`` naming one of ``names`` (case-folded) or
        ``guids``, newest first."""
        if not server_ids or not (names or guids):
            return []
        terms: list[str] = []
        params: list[object] = []
        if names:
            terms.append(f"lower(player) IN ({marks(names)})")
            params += list(names)
        if guids:
            terms.append(f"lower(guid) IN ({marks(guids)})")
            params += list(guids)
        return await _event.fetch_all(
            self._db,
            f"SELECT {_EVENT_COLUMNS} FROM feed_events WHERE server_id IN ({marks(server_ids)}) "
            f"AND kind IN ('kick', 'ban') AND ({' OR '.join(terms)}) ORDER BY at DESC, id DESC "
            "LIMIT ?",
            (*server_ids, *params, limit),
        )

    async def set_join_guid(self, server_id: int, player: str, guid: str) -> None:
        """Record the GUID on the player's latest join (BattlEye sends it just after)."""
        await self._db.execute(
            "UPDATE feed_events SET guid = ? WHERE id = (SELECT MAX(id) FROM feed_events "
            "WHERE server_id = ? AND kind = 'join' AND player = ?)",
            (guid, server_id, player),
        )

    async def prune(self, before: float) -> int:
        return await self._db.execute("DELETE FROM feed_events WHERE at < ?", (before,))


class SessionRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def open(
        self,
        server_id: int,
        player: str,
        guid: str | None,
        source: str,
        at: float,
        ids: PlayerIds = NO_IDS,
    ) -> None:
        await self._db.execute(
            "INSERT INTO player_sessions (server_id, player, player_key, guid, source, "
            f"joined_at, {_IDS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (server_id, player, name_key(player), guid, source, at, *ids.values()),
        )

    async def add_ids(self, server_id: int, player: str, ids: PlayerIds) -> None:
        """Fill the ids the player's open session lacks (a session opened from a player list
        after a login has none; the player's next chat line or leave names them)."""
        if not ids:
            return
        await self._db.execute(
            "UPDATE player_sessions SET steam_id = COALESCE(steam_id, ?), "
            "eos_id = COALESCE(eos_id, ?), mc_uuid = COALESCE(mc_uuid, ?) "
            "WHERE id = (SELECT MAX(id) FROM player_sessions WHERE server_id = ? "
            "AND player_key = ? AND left_at IS NULL) "
            "AND (steam_id IS NULL OR eos_id IS NULL OR mc_uuid IS NULL)",
            (*ids.values(), server_id, name_key(player)),
        )

    async def close(self, server_id: int, player: str, at: float) -> bool:
        """End the player's most recent open session on the server; False when none is open."""
        return (
            await self._db.execute(
                f"UPDATE player_sessions SET left_at = {_LEFT_AT} WHERE id = (SELECT MAX(id) "
                "FROM player_sessions WHERE server_id = ? AND player_key = ? AND left_at IS NULL)",
                (at, at, server_id, name_key(player)),
            )
            > 0
        )

    async def close_all(self, server_id: int, at: float, source: str | None = None) -> int:
        """End every open session of the server (it went down); returns how many."""
        sql = (
            f"UPDATE player_sessions SET left_at = {_LEFT_AT} "
            "WHERE server_id = ? AND left_at IS NULL"
        )
        params: tuple[object, ...] = (at, at, server_id)
        if source is not None:
            sql += " AND source = ?"
            params = (*params, source)
        return await self._db.execute(sql, params)

    async def set_guid(self, server_id: int, player: str, guid: str) -> None:
        await self._db.execute(
            "UPDATE player_sessions SET guid = ? WHERE id = (SELECT MAX(id) FROM "
            "player_sessions WHERE server_id = ? AND player_key = ? AND left_at IS NULL)",
            (guid, server_id, name_key(player)),
        )

    async def open_names(self, server_id: int, source: str) -> list[str]:
        """Names of the open sessions (one entry per session: names can repeat)."""
        rows = await self._db.fetch_all(
            "SELECT player FROM player_sessions WHERE server_id = ? AND source = ? "
            "AND left_at IS NULL ORDER BY id",
            (server_id, source),
        )
        return [str(r[0]) for r in rows]

    async def reconcile(
        self, server_id: int, players: Collection[str], source: str, at: float
    ) -> tuple[int, int]:
        """Make the open sessions match the players connected now (after a reconnect, when
        joins and leaves may have been missed): end the others, open the missing ones.
        Returns (ended, opened)."""
        rows = await self._db.fetch_all(
            "SELECT id, player_key FROM player_sessions WHERE server_id = ? AND left_at IS NULL "
            "ORDER BY id",
            (server_id,),
        )
        wanted = Counter(name_key(p) for p in players)
        kept: Counter[str] = Counter()
        ended = []
        for row in rows:
            key = str(row[1])
            if kept[key] < wanted[key]:
                kept[key] += 1
            else:
                ended.append(int(row[0]))
        await self._db.execute_many(
            f"UPDATE player_sessions SET left_at = {_LEFT_AT} WHERE id = ?",
            [(at, at, session_id) for session_id in ended],
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
        self,
        server_ids: Collection[int],
        name_or_guid: str,
        limit: int = 50,
        ids: PlayerIds = NO_IDS,
    ) -> list[Session]:
        """Sessions of a player (exact name, case-insensitive, or GUID, or one of ``ids``: what
        the typed text can be) on these servers, newest first."""
        if not server_ids:
            return []
        key = name_key(name_or_guid)
        terms = ["player_key = ?", "lower(guid) = ?"]
        params: list[object] = [key, key]
        for column, value in zip(("steam_id", "eos_id", "mc_uuid"), ids.values(), strict=True):
            if value is not None:
                terms.append(f"{column} = ?")
                params.append(value)
        return await _session.fetch_all(
            self._db,
            # "+server_id": not an index key here, so the planner looks the player up by name,
            # GUID and ids (an index search each) rather than reading every session of the guild.
            f"SELECT {_SESSION_COLUMNS} FROM player_sessions "
            f"WHERE +server_id IN ({marks(server_ids)}) AND ({' OR '.join(terms)}) "
            "ORDER BY joined_at DESC, id DESC LIMIT ?",
            (*server_ids, *params, limit),
        )

    async def of_player(self, player_id: int, limit: int = 200) -> list[Session]:
        """The sessions of one player record, newest first."""
        return await _session.fetch_all(
            self._db,
            f"SELECT {_SESSION_COLUMNS} FROM player_sessions WHERE player_id = ? "
            "ORDER BY joined_at DESC, id DESC LIMIT ?",
            (player_id, limit),
        )

    async def names_like(self, server_ids: Collection[int], text: str, limit: int) -> list[str]:
        """Distinct player names containing ``text`` (autocomplete), most recent first."""
        if not server_ids:
            return []
        pattern = "%" + escape_like(name_key(text)) + "%"
        rows = await self._db.fetch_all(
            # One row per name key, the spelling of its latest session (a window function:
            # SQLite's bare columns beside MAX() are not SQL PostgreSQL accepts).
            "SELECT player FROM (SELECT player, joined_at, ROW_NUMBER() OVER (PARTITION BY "
            "player_key ORDER BY joined_at DESC, id DESC) AS recency FROM player_sessions "
            f"WHERE server_id IN ({marks(server_ids)}) AND player_key LIKE ? ESCAPE '\\') "
            "AS latest WHERE recency = 1 ORDER BY joined_at DESC LIMIT ?",
            (*server_ids, pattern, limit),
        )
        return [str(r[0]) for r in rows]

    async def prune(self, before: float) -> int:
        """Delete sessions that ended before ``before``."""
        return await self._db.execute(
            "DELETE FROM player_sessions WHERE left_at IS NOT NULL AND left_at < ?", (before,)
        )
