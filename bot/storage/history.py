"""Player-count history: one sample per polled address per round (``status_samples``)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from bot.storage.chunks import insert_chunks
from bot.storage.database import Database
from bot.storage.rows import RowReader
from bot.storage.sql import marks

_CHUNK = 100  # rows per INSERT (8 parameters each, below even old SQLite's 999 limit)


@dataclass(frozen=True, slots=True)
class Sample:
    target: str  # "host:port", see bot.snapshots.Target.key
    at: float  # Unix time
    online: bool
    players: int
    max_players: int
    bots: int
    map: str
    ping_ms: float | None


_sample = RowReader(Sample)


def _sample_values(s: Sample) -> tuple[object, ...]:
    return (s.target, s.at, int(s.online), s.players, s.max_players, s.bots, s.map, s.ping_ms)


def offline_spans(samples: Sequence[Sample], gap: float) -> list[tuple[float, float]]:
    """Time ranges where the server was offline; a hole longer than ``gap`` (the bot was not
    polling) is not counted as offline."""
    spans: list[tuple[float, float]] = []
    start: float | None = None
    for prev, cur in itertools.pairwise(samples):
        if not prev.online and start is None:
            start = prev.at
        if start is not None and (cur.online or cur.at - prev.at > gap):
            spans.append((start, cur.at if cur.at - prev.at <= gap else prev.at))
            start = None
    if samples and not samples[-1].online:
        spans.append((start if start is not None else samples[-1].at, samples[-1].at))
    return spans


class HistoryRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_many(self, samples: Sequence[Sample]) -> None:
        """Insert one round's samples (a repeated time is ignored).

        One multi-row INSERT per chunk: a single statement is atomic by itself, whereas an
        explicit BEGIN/COMMIT on the connection every coroutine shares would sweep their
        writes into this transaction (or fail on theirs).
        """
        for _, values, params in insert_chunks(samples, _sample_values, _CHUNK):
            await self._db.execute(
                "INSERT INTO status_samples "
                f"(target, at, online, players, max_players, bots, map, ping_ms) VALUES {values} "
                "ON CONFLICT DO NOTHING",
                params,
            )

    async def online_counts(
        self, targets: Sequence[str], since: float
    ) -> dict[str, tuple[int, int]]:
        """target -> (online samples, samples) since ``since``, for the targets that have any
        (one grouped read over the primary key's ranges)."""
        if not targets:
            return {}
        rows = await self._db.fetch_all(
            "SELECT target, SUM(online), COUNT(*) FROM status_samples "
            f"WHERE target IN ({marks(targets)}) AND at >= ? GROUP BY target",
            (*targets, since),
        )
        return {str(r[0]): (int(r[1]), int(r[2])) for r in rows}

    async def between(self, target: str, start: float, end: float) -> list[Sample]:
        return await _sample.fetch_all(
            self._db,
            "SELECT target, at, online, players, max_players, bots, map, ping_ms "
            "FROM status_samples WHERE target = ? AND at >= ? AND at <= ? ORDER BY at",
            (target, start, end),
        )

    async def prune(self, before: float) -> int:
        """Delete samples older than ``before``; returns how many."""
        return await self._db.execute("DELETE FROM status_samples WHERE at < ?", (before,))

    async def count(self) -> int:
        row = await self._db.fetch_one("SELECT COUNT(*) FROM status_samples")
        return 0 if row is None else int(row[0])
