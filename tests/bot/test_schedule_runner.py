"""The scheduler driven by a fake clock (no waiting): a due schedule runs once and is audited as
its creator's; two runners on one database (two shard processes) run it once; a revoked grant
stops it (audited as denied); missed runs follow ``late``/``skip``; a countdown announces its
steps in order, resumes after a restart of the bot, and a cancelled one never shuts down."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from bot.services.audit import AuditLog
from bot.services.errors import UserError
from bot.services.rcon.commands import RconCommands
from bot.services.rcon.permissions import Caller, NotPermitted, PermissionService
from bot.services.schedules.console import ConsoleRuns, Owner
from bot.services.schedules.manage import ScheduleRequest, add_schedule
from bot.services.schedules.runner import MAX_SLEEP, ScheduleRunner
from bot.sharding import ShardFilter, shard_of
from bot.storage import NewServer, Server, Store
from bot.storage.audit import AuditFilter
from bot.storage.errors import QuotaExceededError
from tests.fakes.clock import FakeClock

GUILD, ADMIN, MOD, MODS = 10, 20, 30, 40
T0 = 1_800_000_000.0  # 2027-01-15 08:00 UTC


@dataclass
class Console:
    """Stands in for the RCON pool: records every line, in order, across runners."""

    received: list[str] = field(default_factory=list)

    async def execute(self, server: Server, command: str) -> str:
        self.received.append(command)
        return ""

    def password_for(self, server: Server) -> None:
        return None


@dataclass
class Members:
    admins: set[int] = field(default_factory=lambda: {ADMIN})
    roles: dict[int, tuple[int, ...]] = field(default_factory=lambda: {MOD: (MODS,)})

    async def caller(self, guild_id: int, user_id: int) -> Caller | None:
        if user_id not in self.admins and user_id not in self.roles:
            return None
        return Caller(guild_id, user_id, user_id in self.admins, self.roles.get(user_id, ()))


@dataclass
class Notices:
    posted: list[tuple[int, str]] = field(default_factory=list)

    async def post(self, channel_id: int, text: str) -> bool:
        self.posted.append((channel_id, text))
        return True


@dataclass
class Rig:
    store: Store
    clock: FakeClock
    console: Console
    members: Members
    notices: Notices
    server: Server

    def runner(self, shards: ShardFilter | None = None) -> ScheduleRunner:
        """A runner as a bot process builds it (a second call: a second process, or the bot
        started again)."""
        rcon = RconCommands(self.console, PermissionService(self.store), AuditLog(self.store))  # type: ignore[arg-type]
        servers = {self.server.id: self.server}
        return ScheduleRunner(
            self.store,
            ConsoleRuns(rcon, self.members),
            servers.get,
            self.notices,
            shards=shards,
            clock=self.clock,
        )

    async def add(self, runner: ScheduleRunner, user: int = ADMIN, **request: object) -> int:
        owner = Owner(GUILD, user, "alice" if user == ADMIN else "mallory")
        caller = await self.members.caller(GUILD, user)
        assert caller is not None
        made = await add_schedule(
            runner,
            caller,
            owner,
            self.server,
            ScheduleRequest(**request),
            limit=25,  # type: ignore[arg-type]
        )
        return made.id


async def rig(store: Store) -> Rig:
    server = await store.servers.add(
        NewServer(GUILD, "Craft", "minecraft", "127.0.0.1", 25565, 25565, 25575, None, 1)
    )
    return Rig(store, FakeClock(T0), Console(), Members(), Notices(), server)


async def audit(store: Store) -> list[tuple[str, str, str, str]]:
    rows = await store.audit.search(AuditFilter(GUILD, action="rcon"), limit=100)
    return sorted(((r.user_name, r.action, r.arguments, r.outcome) for r in rows), key=str)


async def test_a_due_message_runs_once_as_its_creator(backend_store: Store) -> None:
    r = await rig(backend_store)
    runner = r.runner()
    sid = await r.add(runner, kind="message", when="every 30m", payload="Vote for us!")
    await runner.settle()
    assert r.console.received == []  # not due yet
    r.clock.advance(30 * 60)
    await runner.settle()
    await runner.settle()
    assert r.console.received == ["say Vote for us!"]
    assert await audit(r.store) == [
        ("alice", "rcon say", f"schedule #{sid}: say 'Vote for us!'", "ok")
    ]
    (schedule,) = await r.store.schedules.for_guild(GUILD)
    assert schedule.last_outcome == "ok" and schedule.next_run == T0 + 3600


async def test_two_processes_on_one_database_run_it_once(backend_store: Store) -> None:
    r = await rig(backend_store)
    first, second = r.runner(), r.runner()
    await r.add(first, kind="message", when="every 10m", payload="hello")
    for _ in range(3):
        r.clock.advance(600)
        await asyncio.gather(first.run_due(), second.run_due(), first.run_due())
        await asyncio.gather(first.wait_idle(), second.wait_idle())
    assert r.console.received == ["say hello"] * 3


async def test_a_revoked_grant_stops_the_schedule(backend_store: Store) -> None:
    r = await rig(backend_store)
    runner = r.runner()
    await r.store.grants.add(GUILD, MODS, "say", None, ADMIN)
    sid = await r.add(
        runner, user=MOD, kind="message", when="every 10m", payload="hi", channel_id=5
    )
    await r.store.grants.remove(GUILD, MODS, "say", None)
    r.clock.advance(600)
    await runner.settle()
    assert r.console.received == []
    rows = await audit(r.store)
    assert rows == [("mallory", "rcon say", f"schedule #{sid}: say 'hi'", "denied")]
    (schedule,) = await r.store.schedules.for_guild(GUILD)
    assert schedule.last_outcome == "denied: mallory lacks the say permission"
    assert r.notices.posted == [
        (5, f"⚠️ Schedule `#{sid}` on **Craft**: denied: mallory lacks the say permission")
    ]


async def test_missed_runs_late_once_or_skip(backend_store: Store) -> None:
    r = await rig(backend_store)
    runner = r.runner()
    late = await r.add(runner, kind="message", when="every 10m", payload="late", missed="late")
    skip = await r.add(runner, kind="message", when="every 10m", payload="skip", missed="skip")
    await runner.close()
    r.clock.advance(3 * 3600 + 60)  # the bot was down for three hours: 18 runs missed
    again = r.runner()
    await again.settle()
    assert r.console.received == ["say late"]  # once, not 18 times; the skipped one not at all
    by_id = {s.id: s for s in await r.store.schedules.for_guild(GUILD)}
    assert by_id[late].last_outcome == "ok"
    assert by_id[skip].last_outcome.startswith("skipped: missed <t:")
    # Both continue on their grid from now on.
    assert by_id[late].next_run == by_id[skip].next_run == T0 + 19 * 600
    r.clock.advance(540)
    await again.settle()
    assert sorted(r.console.received) == ["say late", "say late", "say skip"]


async def test_restart_countdown_in_order_then_shutdown(backend_store: Store) -> None:
    r = await rig(backend_store)
    runner = r.runner()
    await r.add(runner, kind="restart", when="09:00", zone="UTC", payload="update", steps="15,5,1")
    for _ in range(60):  # 08:01 … 09:00, a minute at a time
        r.clock.advance(60)
        await runner.settle()
    assert r.console.received == [
        "say Server restarts in 15 minutes: update",
        "say Server restarts in 5 minutes: update",
        "say Server restarts in 1 minute: update",
        "stop",
    ]
    (schedule,) = await r.store.schedules.for_guild(GUILD)
    assert schedule.last_outcome == "restarted"
    assert await r.store.countdowns.for_guild(GUILD) == []
    assert schedule.next_run == T0 + 86400 + 3600 - 900  # tomorrow's countdown start


async def test_a_countdown_resumes_after_a_bot_restart(backend_store: Store) -> None:
    r = await rig(backend_store)
    runner = r.runner()
    owner = Owner(GUILD, ADMIN, "alice")
    await runner.start_restart(owner, r.server, 15, "", (10, 5, 1), None)
    await runner.settle()
    assert r.console.received == ["say Server restarts in 15 minutes."]
    await runner.close()
    r.clock.advance(12 * 60)  # down through the 10 and 5 minute steps
    again = r.runner()
    await again.settle()
    # The missed steps become one announcement of what is left; then the rest as planned.
    assert r.console.received[1:] == ["say Server restarts in 3 minutes."]
    r.clock.advance(2 * 60)
    await again.settle()
    r.clock.advance(60)
    await again.settle()
    assert r.console.received[2:] == ["say Server restarts in 1 minute.", "stop"]


async def test_a_cancelled_countdown_never_shuts_down(backend_store: Store) -> None:
    r = await rig(backend_store)
    runner = r.runner()
    owner = Owner(GUILD, ADMIN, "alice")
    await runner.start_restart(owner, r.server, 5, "", (1,), None)
    await runner.settle()
    _, said = await runner.cancel_restart(owner, r.server)
    r.clock.advance(600)
    await runner.settle()
    assert said == "ok"
    assert r.console.received == [
        "say Server restarts in 5 minutes.",
        "say The server restart is cancelled.",
    ]


async def test_the_loop_sleeps_until_the_next_run(backend_store: Store) -> None:
    r = await rig(backend_store)
    runner = r.runner()
    loop = asyncio.create_task(runner.run())
    try:
        await r.add(runner, kind="command", when="every 20m", payload="save-all")
        # Bounded waits for the database thread; the clock itself never moves by itself.
        for _ in range(300):
            await asyncio.sleep(0.01)
            if r.clock.wakes == [T0 + 20 * 60]:
                break
        assert r.clock.wakes == [T0 + 20 * 60] and r.console.received == []
        r.clock.advance(20 * 60)
        for _ in range(300):
            await asyncio.sleep(0.01)
            if r.console.received and r.clock.wakes:
                break
        assert r.console.received == ["save-all"]
        assert r.clock.wakes == [T0 + 40 * 60]  # asleep until the next one, not polling
    finally:
        loop.cancel()
        await runner.close()


async def test_nothing_scheduled_sleeps_the_longest(backend_store: Store) -> None:
    r = await rig(backend_store)
    runner = r.runner()
    loop = asyncio.create_task(runner.run())
    try:
        for _ in range(300):
            await asyncio.sleep(0.01)
            if r.clock.wakes:
                break
        assert r.clock.wakes == [T0 + MAX_SLEEP]
    finally:
        loop.cancel()
        await runner.close()


async def test_only_the_process_owning_the_guild_runs_it(backend_store: Store) -> None:
    r = await rig(backend_store)
    mine = shard_of(GUILD, 2)
    owner, other = r.runner(ShardFilter(2, (mine,))), r.runner(ShardFilter(2, (1 - mine,)))
    await r.add(owner, kind="message", when="every 10m", payload="hi")
    r.clock.advance(600)
    assert await other.run_due() == 0
    await other.settle()
    assert r.console.received == []
    await owner.settle()
    assert r.console.received == ["say hi"]


async def test_a_restart_missed_while_down_is_skipped_by_its_rule(backend_store: Store) -> None:
    r = await rig(backend_store)
    runner = r.runner()
    sid = await r.add(runner, kind="restart", when="08:20", steps="5", payload="", missed="skip")
    r.clock.advance(15 * 60)  # 08:15: the countdown starts
    await runner.settle()
    await runner.close()
    r.clock.advance(30 * 60)  # down past the restart at 08:20
    again = r.runner()
    await again.settle()
    assert r.console.received == ["say Server restarts in 5 minutes."]  # no late "stop"
    schedule = await r.store.schedules.get(GUILD, sid)
    assert schedule is not None and schedule.last_outcome.startswith("skipped: the restart at")
    assert await r.store.countdowns.for_guild(GUILD) == []


async def test_requests_are_checked_before_anything_is_stored(backend_store: Store) -> None:
    r = await rig(backend_store)
    runner = r.runner()
    for bad in (
        {"kind": "message", "when": "every 10m", "payload": ""},
        {"kind": "message", "when": "every 10m", "payload": "two\nlines"},
        {"kind": "command", "when": "04:00", "zone": "Mars/Base", "payload": "save-all"},
        {"kind": "restart", "when": "every 10m", "steps": "15,5"},  # countdown > interval
        {"kind": "restart", "when": "04:00", "steps": "0"},
    ):
        with pytest.raises(UserError):
            await r.add(runner, **bad)
    # The say grant is no exec grant: a command schedule is refused (and audited).
    await r.store.grants.add(GUILD, MODS, "say", None, ADMIN)
    with pytest.raises(NotPermitted):
        await r.add(runner, user=MOD, kind="command", when="04:00", payload="save-all")
    assert await r.store.schedules.for_guild(GUILD) == []
    await r.add(runner, kind="message", when="04:00", payload="one")
    owner = Owner(GUILD, ADMIN, "alice")
    caller = Caller(GUILD, ADMIN, True, ())
    request = ScheduleRequest(kind="message", when="05:00", payload="two")
    with pytest.raises(QuotaExceededError):
        await add_schedule(runner, caller, owner, r.server, request, limit=1)


async def test_a_restart_without_countdown_only_stops(backend_store: Store) -> None:
    r = await rig(backend_store)
    runner = r.runner()
    await r.add(runner, kind="restart", when="every 1h", steps="none", channel_id=7)
    r.clock.advance(3600)
    await runner.settle()
    assert r.console.received == ["stop"]
    assert r.notices.posted == [(7, "🔁 **Craft** was shut down for its restart.")]
