"""The scheduler: one loop per process that sleeps until the next due schedule or countdown
step (no polling; a change wakes it), claims each in the database and runs it.

Never twice: a process only looks at the guilds it owns (sharding), and runs a schedule only
when its claim (``next_run`` moved on from the value it read) changed the row, so two
processes, or a loop and a ``settle()`` in a test, that see the same due row run it once.
Survives restarts: everything is in the database, so a new process picks up where the last one
stopped. What came due while no process ran follows the schedule's rule: ``late`` runs it once
(a restart then gets its full countdown from now), ``skip`` records it as skipped. A countdown
cut by a restart resumes: the steps it missed become one announcement of the minutes left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from bot.i18n import ENGLISH, t
from bot.rendering.text import escape
from bot.services.errors import UserError
from bot.services.rcon.permissions import Action
from bot.services.schedules.console import ConsoleRuns, Owner
from bot.services.schedules.countdown import (
    after_step,
    announcement,
    cancelled,
    lead_seconds,
    minutes_left,
    parse_steps,
    step_times,
    steps_text,
)
from bot.services.schedules.outcomes import OK, shown, stored
from bot.services.schedules.timing import Timing, next_run, parse_when
from bot.services.tasks import TaskSet
from bot.sharding import ShardFilter
from bot.storage import Server, Store
from bot.storage.schedules import Countdown, Schedule

log = logging.getLogger(__name__)

GRACE = 120.0  # seconds late that still count as on time (a busy loop, a slow database)
MAX_SLEEP = 3600.0  # wake at least hourly anyway (a clock that jumped, rows edited by hand)
SETTLE_ROUNDS = 50


class Clock(Protocol):
    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class Notices(Protocol):
    async def post(self, channel_id: int, text: str) -> bool:
        """Post ``text`` (no mentions) in the channel; False when it could not."""
        ...


ServerOf = Callable[[int], Server | None]
LanguageOf = Callable[[int], str]


def _english(_guild_id: int) -> str:
    return ENGLISH


def owner_of(schedule: Schedule | Countdown) -> Owner:
    return Owner(schedule.guild_id, schedule.created_by, schedule.created_by_name)


def schedule_lead(schedule: Schedule) -> float:
    """A restart's countdown starts before the restart time: its run is claimed that early."""
    return lead_seconds(parse_steps(schedule.steps)) if schedule.kind == "restart" else 0.0


def trigger(timing: Timing, zone: str, anchor: float, lead: float, after: float) -> float:
    """The claim time of the first run whose restart (or send) time is after ``after + lead``
    (``lead``: how long before it its countdown starts)."""
    return next_run(timing, zone, anchor, after + lead) - lead


def trigger_after(schedule: Schedule, after: float) -> float:
    timing = parse_when(schedule.timing)
    return trigger(timing, schedule.zone, schedule.anchor, schedule_lead(schedule), after)


class ScheduleRunner:
    def __init__(
        self,
        store: Store,
        console: ConsoleRuns,
        server_of: ServerOf,
        notices: Notices,
        *,
        shards: ShardFilter | None = None,
        clock: Clock | None = None,
        grace: float = GRACE,
        language_of: LanguageOf = _english,
    ) -> None:
        self.store = store
        # Announcements in game and notices in channels are shared: the guild's language.
        self.language_of = language_of
        self.console = console
        self.server_of = server_of
        self.notices = notices
        self.shards = shards if shards is not None else ShardFilter.everything()
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.grace = grace
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._tasks: TaskSet[None] = TaskSet()

    # -- the loop ------------------------------------------------------------------------------

    def wake(self) -> None:
        """Something changed (a schedule added, a countdown started): look again now."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            self._wake.clear()
            await self.run_due()
            delay = await self._until_next()
            waker = asyncio.ensure_future(self._wake.wait())
            sleeper = asyncio.ensure_future(self.clock.sleep(delay))
            try:
                await asyncio.wait({waker, sleeper}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (waker, sleeper):
                    task.cancel()

    async def _until_next(self) -> float:
        times = [
            t
            for guild_id, t in [
                *await self.store.schedules.upcoming(),
                *await self.store.countdowns.upcoming(),
            ]
            if self.shards.owns(guild_id)
        ]
        if not times:
            return MAX_SLEEP
        return min(MAX_SLEEP, max(0.0, min(times) - self.clock.now()))

    async def run_due(self) -> int:
        """Claim and start everything due now; the number claimed (the runs go on in tasks,
        :meth:`wait_idle` waits for them)."""
        async with self._lock:
            now = self.clock.now()
            claimed = 0
            for schedule in self.shards.keep(await self.store.schedules.due(now)):
                try:
                    after = trigger_after(schedule, max(now, schedule.next_run))
                except UserError:
                    log.warning("schedule %d has an unreadable timing; paused", schedule.id)
                    await self.store.schedules.set_paused(schedule.guild_id, schedule.id, True)
                    continue
                if await self.store.schedules.claim(schedule.id, schedule.next_run, after):
                    claimed += 1
                    late = now - schedule.next_run > self.grace
                    self._spawn(self._run_schedule(schedule, now, late))
            for countdown in self.shards.keep(await self.store.countdowns.due(now)):
                if countdown.next_at >= countdown.shutdown_at:
                    won = await self.store.countdowns.claim_shutdown(
                        countdown.id, countdown.next_at
                    )
                    if won:
                        self._spawn(self._shutdown(countdown, now))
                else:
                    steps = parse_steps(countdown.steps)
                    after = after_step(countdown.shutdown_at, steps, now)
                    won = await self.store.countdowns.claim_step(
                        countdown.id, countdown.next_at, after
                    )
                    if won:
                        self._spawn(self._step(countdown, now))
                claimed += won
            return claimed

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self._tasks.start(self._guarded(work))

    async def _guarded(self, work: Coroutine[Any, Any, None]) -> None:
        # A run that fails (the database gone for a moment) is logged; the loop goes on, and
        # the claim already moved on: it is not retried, so it can never run twice.
        try:
            await work
        except Exception:
            log.exception("a scheduled run failed")

    async def wait_idle(self) -> None:
        await self._tasks.wait_idle()

    async def settle(self) -> None:
        """Run what is due, and what that made due (a countdown's first step), until nothing
        is (tests, after moving the clock)."""
        for _ in range(SETTLE_ROUNDS):
            await self.wait_idle()
            if not await self.run_due():
                await self.wait_idle()
                return
        raise RuntimeError("the scheduler did not settle")

    async def close(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await self._tasks.close()

    # -- one run -------------------------------------------------------------------------------

    async def _run_schedule(self, schedule: Schedule, now: float, late: bool) -> None:
        if late and schedule.missed == "skip":
            outcome = stored("missed", when=f"<t:{int(schedule.next_run)}:f>")
        else:
            # On time, a restart keeps its planned time; late, it gets its full countdown.
            start = now if late else schedule.next_run
            outcome = await self.execute(schedule, owner_of(schedule), start)
        await self._report(schedule, outcome)

    async def execute(self, schedule: Schedule, owner: Owner, start: float) -> str:
        """Run ``schedule`` as ``owner``: its outcome. A restart starts its countdown at
        ``start``."""
        server = self.server_of(schedule.server_id)
        if server is None:
            return stored("server_gone")
        label = f"schedule #{schedule.id}"
        if schedule.kind == "message":
            return await self.console.say(owner, server, Action.SAY, label, schedule.payload)
        if schedule.kind == "command":
            return await self.console.command(owner, server, label, schedule.payload)
        allowed = await self.console.may(owner, server, Action.EXEC, f"{label}: restart")
        if allowed != OK:
            return allowed
        steps = parse_steps(schedule.steps)
        started = await self._begin(
            server,
            owner,
            schedule.id,
            start + lead_seconds(steps),
            steps,
            schedule.payload,
            schedule.channel_id,
            schedule.missed,
        )
        return stored("countdown_started" if started else "countdown_running")

    async def _report(self, schedule: Schedule, outcome: str) -> None:
        await self.store.schedules.set_outcome(schedule.id, outcome)
        if outcome in (OK, stored("countdown_started")) or schedule.channel_id is None:
            return
        server = self.server_of(schedule.server_id)
        name = escape(server.name) if server is not None else "?"
        language = self.language_of(schedule.guild_id)
        await self.notices.post(
            schedule.channel_id,
            t(
                language,
                "schedules.failed_notice",
                id=str(schedule.id),
                server=name,
                outcome=shown(outcome, language),
            ),
        )

    # -- countdowns ----------------------------------------------------------------------------

    async def _begin(
        self,
        server: Server,
        owner: Owner,
        schedule_id: int | None,
        shutdown_at: float,
        steps: tuple[int, ...],
        message: str,
        channel_id: int | None,
        missed: str,
    ) -> Countdown | None:
        times = step_times(shutdown_at, steps)
        countdown = await self.store.countdowns.start(
            guild_id=server.guild_id,
            server_id=server.id,
            schedule_id=schedule_id,
            shutdown_at=shutdown_at,
            steps=steps_text(steps),
            message=message,
            channel_id=channel_id,
            missed=missed,
            next_at=times[0] if times else shutdown_at,
            created_by=owner.user_id,
            created_by_name=owner.name,
        )
        if countdown is not None:
            self.wake()
        return countdown

    def _label(self, countdown: Countdown) -> str:
        if countdown.schedule_id is not None:
            return f"schedule #{countdown.schedule_id}: restart"
        return f"restart #{countdown.id}"

    async def _step(self, countdown: Countdown, now: float) -> None:
        server = self.server_of(countdown.server_id)
        if server is None:
            return
        if now - countdown.next_at > self.grace:
            minutes = minutes_left(countdown.shutdown_at, now)  # resumed: what is left now
        else:
            minutes = round((countdown.shutdown_at - countdown.next_at) / 60.0)
        text = announcement(minutes, countdown.message, self.language_of(countdown.guild_id))
        outcome = await self.console.say(
            owner_of(countdown), server, Action.EXEC, self._label(countdown), text
        )
        if outcome != OK:
            log.info("countdown %d: announcement not sent (%s)", countdown.id, outcome)

    async def _shutdown(self, countdown: Countdown, now: float) -> None:
        server = self.server_of(countdown.server_id)
        if server is None:
            return
        if now - countdown.shutdown_at > self.grace and countdown.missed == "skip":
            outcome = stored("restart_missed", when=f"<t:{int(countdown.shutdown_at)}:f>")
        else:
            outcome = await self.console.shutdown(
                owner_of(countdown), server, self._label(countdown)
            )
        if countdown.schedule_id is not None:
            await self.store.schedules.set_outcome(
                countdown.schedule_id, stored("restarted") if outcome == OK else outcome
            )
        if countdown.channel_id is not None:
            name = escape(server.name)
            language = self.language_of(countdown.guild_id)
            text = (
                t(language, "restarts.shut_down", server=name)
                if outcome == OK
                else t(
                    language,
                    "restarts.failed_notice",
                    server=name,
                    outcome=shown(outcome, language),
                )
            )
            await self.notices.post(countdown.channel_id, text)

    async def start_restart(
        self,
        owner: Owner,
        server: Server,
        minutes: int,
        message: str,
        steps: tuple[int, ...],
        channel_id: int | None,
    ) -> Countdown:
        """A one-off restart in ``minutes``, announced at each step up to then (and at the
        start); a UserError when one is running already. A restart missed while the bot was
        down runs late: it was asked for."""
        chosen = tuple(sorted({minutes, *(s for s in steps if s < minutes)}, reverse=True))
        countdown = await self._begin(
            server,
            owner,
            None,
            self.clock.now() + minutes * 60.0,
            chosen,
            message,
            channel_id,
            "late",
        )
        if countdown is None:
            raise UserError(key="restarts.already_pending", server=escape(server.name))
        return countdown

    async def cancel_restart(self, owner: Owner, server: Server) -> tuple[Countdown, str]:
        """Stop the server's pending restart (its shutdown never runs) and say so in game."""
        countdown = await self.store.countdowns.cancel(server.guild_id, server.id)
        if countdown is None:
            raise UserError(key="restarts.none_pending", server=escape(server.name))
        outcome = await self.console.say(
            owner,
            server,
            Action.EXEC,
            f"{self._label(countdown)} cancelled",
            cancelled(self.language_of(server.guild_id)),
        )
        if countdown.schedule_id is not None:
            await self.store.schedules.set_outcome(
                countdown.schedule_id, stored("cancelled_by", who=owner.name)
            )
        return countdown, outcome

    async def resume(self, guild_id: int, schedule: Schedule) -> float:
        """Active again, from now on: what fell due while paused does not run."""
        after = trigger_after(schedule, self.clock.now())
        await self.store.schedules.set_paused(guild_id, schedule.id, False, after)
        self.wake()
        return after
