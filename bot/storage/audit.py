"""The audit log (``audit_log``) and the channel each guild mirrors it to (``audit_channels``)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from bot.storage.database import Database
from bot.storage.rows import RowReader
from bot.storage.sql import given_columns, insert_into, marks

# "unknown": left pending by a process that stopped before completing it (see mark_unknown).
OUTCOMES = ("pending", "ok", "denied", "error", "timeout", "unknown")
UNKNOWN_EXCERPT = "the bot stopped before this finished: it may or may not have run"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str  # ISO 8601, UTC
    guild_id: int
    user_id: int
    user_name: str
    allowed_by: str
    server_id: int | None
    server_name: str
    action: str
    arguments: str
    outcome: str
    excerpt: str
    latency_ms: float | None


@dataclass(frozen=True, slots=True)
class NewAuditEntry:
    guild_id: int
    user_id: int
    user_name: str
    action: str
    arguments: str = ""
    server_id: int | None = None
    server_name: str = ""
    allowed_by: str = ""


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """``/audit`` filters; ``None`` matches anything. ``action`` matches a prefix, ``actions``
    any of these exactly."""

    guild_id: int
    server_id: int | None = None
    user_id: int | None = None
    action: str | None = None
    actions: tuple[str, ...] | None = None
    since: str | None = None  # ISO 8601 UTC, inclusive


def iso_at(at: float) -> str:
    """Unix seconds as the ``at`` column's text (``2024-05-01T12:00:00.123Z``), which sorts
    as time does."""
    moment = datetime.datetime.fromtimestamp(at, datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


_entry = RowReader(AuditEntry)


def _where(f: AuditFilter) -> tuple[str, list[object]]:
    clauses: list[str] = ["guild_id = ?"]
    params: list[object] = [f.guild_id]
    given, values = given_columns(f, ("server_id", "user_id"))
    clauses += given
    params += values
    if f.action is not None:
        # Prefix match without LIKE wildcards from user text.
        clauses.append("substr(action, 1, ?) = ?")
        params.extend([len(f.action), f.action])
    if f.actions is not None:
        clauses.append(f"action IN ({marks(f.actions)})" if f.actions else "1 = 0")
        params.extend(f.actions)
    if f.since is not None:
        clauses.append("at >= ?")
        params.append(f.since)
    return " AND ".join(clauses), params


class AuditRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def begin(self, entry: NewAuditEntry) -> AuditEntry:
        insert, values = insert_into("audit_log", entry)
        return await _entry.returning(self._db, f"{insert} RETURNING {_entry.columns}", values)

    async def complete(
        self,
        entry_id: int,
        outcome: str,
        excerpt: str,
        latency_ms: float | None,
        allowed_by: str | None = None,
    ) -> AuditEntry | None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        return await _entry.fetch_one(
            self._db,
            "UPDATE audit_log SET outcome = ?, excerpt = ?, latency_ms = ?, "
            "allowed_by = COALESCE(?, allowed_by) WHERE id = ? "
            f"RETURNING {_entry.columns}",
            (outcome, excerpt, latency_ms, allowed_by, entry_id),
        )

    async def search(self, f: AuditFilter, *, limit: int, offset: int = 0) -> list[AuditEntry]:
        where, params = _where(f)
        return await _entry.fetch_all(
            self._db,
            f"SELECT {_entry.columns} FROM audit_log WHERE {where} "
            "ORDER BY id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )

    async def count(self, f: AuditFilter) -> int:
        where, params = _where(f)
        row = await self._db.fetch_one(f"SELECT COUNT(*) FROM audit_log WHERE {where}", params)
        return int(row[0]) if row is not None else 0

    async def mark_unknown(self, owns: Callable[[int], bool] | None = None) -> int:
        """Rows still ``pending`` (written before an action whose process then stopped) become
        ``unknown``: nobody knows whether the action ran. ``owns`` limits it to this process's
        guilds, so a starting shard never touches another process's rows in flight."""
        rows = await self._db.fetch_all(
            "SELECT DISTINCT guild_id FROM audit_log WHERE outcome = 'pending'"
        )
        changed = 0
        for row in rows:
            guild_id = int(row[0])
            if owns is not None and not owns(guild_id):
                continue
            changed += await self._db.execute(
                "UPDATE audit_log SET outcome = 'unknown', excerpt = CASE WHEN excerpt = '' "
                "THEN ? ELSE excerpt END WHERE guild_id = ? AND outcome = 'pending'",
                (UNKNOWN_EXCERPT, guild_id),
            )
        return changed

    async def prune(self, before: float) -> int:
        """Delete rows older than ``before`` (Unix seconds); returns how many."""
        return await self._db.execute("DELETE FROM audit_log WHERE at < ?", (iso_at(before),))

    async def set_channel(self, guild_id: int, channel_id: int | None) -> None:
        if channel_id is None:
            await self._db.execute("DELETE FROM audit_channels WHERE guild_id = ?", (guild_id,))
            return
        await self._db.execute(
            "INSERT INTO audit_channels (guild_id, channel_id) VALUES (?, ?) "
            "ON CONFLICT (guild_id) DO UPDATE SET channel_id = excluded.channel_id",
            (guild_id, channel_id),
        )

    async def channel(self, guild_id: int) -> int | None:
        row = await self._db.fetch_one(
            "SELECT channel_id FROM audit_channels WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None else int(row[0])
