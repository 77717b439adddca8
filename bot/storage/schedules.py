"""Schedules (``schedules``) and restart countdowns in progress (``countdowns``).

Both are claimed in the database: a due schedule runs only in the process whose
:meth:`ScheduleRepository.claim` moved its ``next_run`` on (the others see no change), and a
countdown's next step only where :meth:`CountdownRepository.claim_step` (or, for the shutdown,
:meth:`CountdownRepository.claim_shutdown`, which deletes the row) changed it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.storage.database import Database
from bot.storage.quota import insert_within
from bot.storage.rows import RowReader
from bot.storage.sql import insert_into

KINDS = ("message", "restart", "command")
MISSED_RULES = ("late", "skip")
MAX_OUTCOME = 300


@dataclass(frozen=True, slots=True)
class Schedule:
    id: int
    guild_id: int
    server_id: int
    kind: str  # one of KINDS
    timing: str  # normalised text of bot.services.schedules.timing
    zone: str
    anchor: float
    payload: str
    steps: str
    channel_id: int | None
    missed: str  # one of MISSED_RULES
    paused: bool
    next_run: float
    last_run: float | None
    last_outcome: str
    created_by: int
    created_by_name: str


@dataclass(frozen=True, slots=True)
class NewSchedule:
    guild_id: int
    server_id: int
    kind: str
    timing: str
    zone: str
    anchor: float
    payload: str
    steps: str
    channel_id: int | None
    missed: str
    next_run: float
    created_by: int
    created_by_name: str


@dataclass(frozen=True, slots=True)
class Countdown:
    id: int
    guild_id: int
    server_id: int
    schedule_id: int | None
    shutdown_at: float
    steps: str
    message: str
    channel_id: int | None
    missed: str
    next_at: float
    created_by: int
    created_by_name: str


_schedule = RowReader(Schedule)
_countdown = RowReader(Countdown)


class ScheduleRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, new: NewSchedule, *, limit: int | None = None) -> Schedule:
        """QuotaExceededError when it would make more than ``limit`` schedules in the guild."""
        insert, values = insert_into("schedules", new)
        return await insert_within(
            self._db,
            guild_id=new.guild_id,
            limit=limit,
            what="schedules",
            table="schedules",
            exists=None,
            write=(f"{insert} RETURNING {_schedule.columns}", values),
            read=_schedule,
        )

    async def get(self, guild_id: int, schedule_id: int) -> Schedule | None:
        return await _schedule.fetch_one(
            self._db,
            f"SELECT {_schedule.columns} FROM schedules WHERE guild_id = ? AND id = ?",
            (guild_id, schedule_id),
        )

    async def for_guild(self, guild_id: int) -> list[Schedule]:
        return await _schedule.fetch_all(
            self._db,
            f"SELECT {_schedule.columns} FROM schedules WHERE guild_id = ? ORDER BY id",
            (guild_id,),
        )

    async def due(self, now: float) -> list[Schedule]:
        """Active schedules whose run time has come, soonest first (every guild: the caller
        keeps its own)."""
        return await _schedule.fetch_all(
            self._db,
            f"SELECT {_schedule.columns} FROM schedules WHERE paused = 0 AND next_run <= ? "
            "ORDER BY next_run, id",
            (now,),
        )

    async def upcoming(self) -> list[tuple[int, float]]:
        """(guild id, next run) of every active schedule, for the runner's next wake-up."""
        rows = await self._db.fetch_all(
            "SELECT guild_id, next_run FROM schedules WHERE paused = 0 ORDER BY next_run"
        )
        return [(int(r["guild_id"]), float(r["next_run"])) for r in rows]

    async def claim(self, schedule_id: int, due: float, after: float) -> bool:
        """Move the run at ``due`` on to ``after``; True only for the one caller that did."""
        changed = await self._db.execute(
            "UPDATE schedules SET next_run = ?, last_run = ? "
            "WHERE id = ? AND next_run = ? AND paused = 0",
            (after, due, schedule_id, due),
        )
        return changed > 0

    async def set_outcome(
        self, schedule_id: int, outcome: str, *, ran_at: float | None = None
    ) -> None:
        """The last run's outcome (and, for a run outside the timetable, when it ran)."""
        if ran_at is None:
            await self._db.execute(
                "UPDATE schedules SET last_outcome = ? WHERE id = ?",
                (outcome[:MAX_OUTCOME], schedule_id),
            )
            return
        await self._db.execute(
            "UPDATE schedules SET last_outcome = ?, last_run = ? WHERE id = ?",
            (outcome[:MAX_OUTCOME], ran_at, schedule_id),
        )

    async def set_paused(
        self, guild_id: int, schedule_id: int, paused: bool, next_run: float | None = None
    ) -> bool:
        """Pause, or resume with the next run counted from now (nothing missed while paused
        runs late)."""
        if next_run is None:
            changed = await self._db.execute(
                "UPDATE schedules SET paused = ? WHERE guild_id = ? AND id = ?",
                (int(paused), guild_id, schedule_id),
            )
        else:
            changed = await self._db.execute(
                "UPDATE schedules SET paused = ?, next_run = ? WHERE guild_id = ? AND id = ?",
                (int(paused), next_run, guild_id, schedule_id),
            )
        return changed > 0

    async def remove(self, guild_id: int, schedule_id: int) -> bool:
        return (
            await self._db.execute(
                "DELETE FROM schedules WHERE guild_id = ? AND id = ?", (guild_id, schedule_id)
            )
            > 0
        )


class CountdownRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def start(
        self,
        *,
        guild_id: int,
        server_id: int,
        schedule_id: int | None,
        shutdown_at: float,
        steps: str,
        message: str,
        channel_id: int | None,
        missed: str,
        next_at: float,
        created_by: int,
        created_by_name: str,
    ) -> Countdown | None:
        """The new countdown, or None when the server has one running already."""
        return await _countdown.fetch_one(
            self._db,
            "INSERT INTO countdowns (guild_id, server_id, schedule_id, shutdown_at, steps, "
            "message, channel_id, missed, next_at, created_by, created_by_name) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            f"ON CONFLICT (server_id) DO NOTHING RETURNING {_countdown.columns}",
            (
                guild_id,
                server_id,
                schedule_id,
                shutdown_at,
                steps,
                message,
                channel_id,
                missed,
                next_at,
                created_by,
                created_by_name,
            ),
        )

    async def of_server(self, server_id: int) -> Countdown | None:
        return await _countdown.fetch_one(
            self._db,
            f"SELECT {_countdown.columns} FROM countdowns WHERE server_id = ?",
            (server_id,),
        )

    async def for_guild(self, guild_id: int) -> list[Countdown]:
        return await _countdown.fetch_all(
            self._db,
            f"SELECT {_countdown.columns} FROM countdowns WHERE guild_id = ? ORDER BY shutdown_at",
            (guild_id,),
        )

    async def due(self, now: float) -> list[Countdown]:
        return await _countdown.fetch_all(
            self._db,
            f"SELECT {_countdown.columns} FROM countdowns WHERE next_at <= ? ORDER BY next_at, id",
            (now,),
        )

    async def upcoming(self) -> list[tuple[int, float]]:
        rows = await self._db.fetch_all("SELECT guild_id, next_at FROM countdowns ORDER BY next_at")
        return [(int(r["guild_id"]), float(r["next_at"])) for r in rows]

    async def claim_step(self, countdown_id: int, due: float, after: float) -> bool:
        changed = await self._db.execute(
            "UPDATE countdowns SET next_at = ? WHERE id = ? AND next_at = ?",
            (after, countdown_id, due),
        )
        return changed > 0

    async def claim_shutdown(self, countdown_id: int, due: float) -> bool:
        """Delete the countdown whose shutdown is due: True for the one caller that did."""
        changed = await self._db.execute(
            "DELETE FROM countdowns WHERE id = ? AND next_at = ?", (countdown_id, due)
        )
        return changed > 0

    async def cancel(self, guild_id: int, server_id: int) -> Countdown | None:
        """The countdown removed (its shutdown then never runs), None when there was none."""
        return await _countdown.fetch_one(
            self._db,
            "DELETE FROM countdowns WHERE guild_id = ? AND server_id = ? "
            f"RETURNING {_countdown.columns}",
            (guild_id, server_id),
        )
