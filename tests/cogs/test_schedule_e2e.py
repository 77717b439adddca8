"""Schedules and restarts end to end through the fake Discord, a fake Minecraft console (Source
RCON) and a fake clock: ``/schedule add`` reaches the console at its (fake) time, ``/restart
start`` announces 15, 5 and 1 minutes and then stops the server in that order, ``/restart
cancel`` says so in game, and a restart of the bot on the same database neither loses nor
doubles a schedule or a countdown."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import OutpostBot, create_bot
from tests.cogs.conftest import make_settings
from tests.cogs.rcon_world import (
    ADMINISTRATOR,
    PASSWORD,
    RconWorld,
    audit_rows,
    message_text,
    register,
    world_fixture,
)
from tests.cogs.status_world import answered
from tests.fakes.clock import FakeClock
from tests.fakes.discord import FakeDiscord, run_bot
from tests.fakes.discord.ids import guild_id_on_shard
from tests.fakes.rcon_server import FakeRCONServer

T0 = 1_800_000_000.0  # 2027-01-15 08:00 UTC, 09:00 in Berlin


def craft_console(command: str) -> str:
    if command == "stop":
        return "Stopping the server"
    return ""


world = world_fixture(handler=craft_console)


def scheduled_bot(w: RconWorld, clock: FakeClock) -> OutpostBot:
    return OutpostBot(
        w.settings,
        guild_ready_timeout=0.05,
        autopoll=False,
        rcon_connect_timeout=1.0,
        schedule_clock=clock,
    )


async def minutes(bot: OutpostBot, clock: FakeClock, count: int) -> None:
    """Let ``count`` minutes pass, the scheduler doing what each minute brings."""
    for _ in range(count):
        clock.advance(60)
        await bot.services.schedules.settle()


def reply(handle: object) -> str:
    return message_text({"content": handle.content, "embeds": handle.embeds})  # type: ignore[attr-defined]


async def test_a_scheduled_message_reaches_the_console_at_its_time(world: RconWorld) -> None:
    w, clock = world, FakeClock(T0)
    async with run_bot(w.fake, scheduled_bot(w, clock)) as bot:
        await register(bot, w.guild_id, "Craft", "minecraft", w.source.address[1])
        zones = await w.fake.autocomplete(
            w.guild_id, w.admin, "schedule add", {"timezone": "europe/ber"}, "timezone"
        )
        assert [c["value"] for c in zones] == ["Europe/Berlin"]
        added = reply(
            await w.as_admin(
                "schedule add",
                {
                    "server": "Craft",
                    "kind": "message",
                    "when": "09:30",
                    "timezone": "Europe/Berlin",
                    "text": "Vote for us today!",
                },
            )
        )
        assert "Schedule added" in added and "`#1` **Craft** message" in added
        assert f"next <t:{int(T0 + 1800)}:R>" in added  # 09:30 Berlin = 08:30 UTC
        bad = reply(
            await w.as_admin(
                "schedule add", {"server": "Craft", "kind": "message", "when": "25:00", "text": "x"}
            )
        )
        assert "HH:MM" in bad
        picks = await w.fake.autocomplete(
            w.guild_id, w.admin, "schedule pause", {"schedule": "1"}, "schedule"
        )
        assert [(c["name"], c["value"]) for c in picks] == [("#1 Craft: message daily 09:30", 1)]
        await minutes(bot, clock, 29)
        assert w.source.received == []
        await minutes(bot, clock, 1)
        assert w.source.received == ["say Vote for us today!"]
        listing = (await w.as_admin("schedule list")).embeds[0]["description"]
        assert f"next <t:{int(T0 + 1800 + 86400)}:R>" in listing and "last <t:" in listing
        # Paused: tomorrow's run does not happen; run-now runs it once at once.
        await w.as_admin("schedule pause", {"schedule": 1})
        await minutes(bot, clock, 24 * 60)
        assert w.source.received == ["say Vote for us today!"]
        ran = await w.admin_reads("schedule run-now", {"schedule": 1})
        assert "ran: ok" in ran
        # A member without Manage Server cannot manage schedules.
        refused = await w.as_member("schedule list", bypass=True)
        assert "Manage Server" in (refused.content or "")
    assert w.source.received == ["say Vote for us today!"] * 2
    rows = [r for r in audit_rows(w.settings) if r["action"] == "rcon say"]
    assert [(r["user_name"], r["arguments"], r["outcome"]) for r in rows] == [
        ("alice", "schedule #1: say 'Vote for us today!'", "ok"),
        ("alice", "schedule #1: say 'Vote for us today!'", "ok"),
    ]


async def test_restart_countdown_in_order_and_cancel(world: RconWorld) -> None:
    w, clock = world, FakeClock(T0)
    async with run_bot(w.fake, scheduled_bot(w, clock)) as bot:
        await register(bot, w.guild_id, "Craft", "minecraft", w.source.address[1])
        denied = reply(
            await answered(
                await w.fake.slash(
                    w.guild_id, w.member, "restart start", {"server": "Craft", "in_minutes": 5}
                )
            )
        )
        assert "needs the **exec** permission" in denied
        started = reply(
            await w.as_admin(
                "restart start",
                {
                    "server": "Craft",
                    "in_minutes": 15,
                    "message": "new mods",
                    "channel": w.channel_id,
                },
            )
        )
        assert f"restarts <t:{int(T0 + 900)}:R>" in started and "15, 5, 1 minutes" in started
        await bot.services.schedules.settle()
        await minutes(bot, clock, 15)
        assert w.source.received == [
            "say Server restarts in 15 minutes: new mods",
            "say Server restarts in 5 minutes: new mods",
            "say Server restarts in 1 minute: new mods",
            "stop",
        ]
        notes = [m["content"] for m in w.fake.channel_messages(w.channel_id)]
        assert notes == ["🔁 **Craft** was shut down for its restart."]

        w.source.received.clear()
        await w.as_admin("restart start", {"server": "Craft", "in_minutes": 10})
        await bot.services.schedules.settle()
        twice = reply(await w.as_admin("restart start", {"server": "Craft", "in_minutes": 3}))
        assert "has a restart pending already" in twice
        cancelled = await w.admin_reads("restart cancel", {"server": "Craft"})
        assert "cancelled and told the players" in cancelled
        await minutes(bot, clock, 15)
        nothing = reply(await w.as_admin("restart cancel", {"server": "Craft"}))
        assert "no restart pending" in nothing
    assert w.source.received == [
        "say Server restarts in 10 minutes.",
        "say The server restart is cancelled.",
    ]
    exec_rows = [r for r in audit_rows(w.settings) if r["action"] == "rcon exec"]
    assert exec_rows[0]["outcome"] == "denied" and exec_rows[0]["user_name"] == "bob"
    assert [r["arguments"] for r in exec_rows if r["outcome"] == "ok"][-1] == (
        "restart #2 cancelled: say 'The server restart is cancelled.'"
    )


async def test_a_bot_restart_neither_loses_nor_doubles_a_schedule(world: RconWorld) -> None:
    w, clock = world, FakeClock(T0)
    async with run_bot(w.fake, scheduled_bot(w, clock)) as bot:
        await register(bot, w.guild_id, "Craft", "minecraft", w.source.address[1])
        await w.as_admin(
            "schedule add",
            {
                "server": "Craft",
                "kind": "message",
                "when": "every 10m",
                "text": "tick",
                "missed": "late",
            },
        )
        await w.as_admin(
            "schedule add",
            {
                "server": "Craft",
                "kind": "restart",
                "when": "08:30",
                "steps": "15,5,1",
                "text": "daily",
            },
        )
        await minutes(bot, clock, 10)
        assert w.source.received == ["say tick"]
        await minutes(bot, clock, 5)  # 08:15: the daily restart's countdown starts
        assert w.source.received[-1] == "say Server restarts in 15 minutes: daily"
        # Pausing the schedule leaves the countdown it started running, and says so.
        paused = reply(await w.as_admin("schedule pause", {"schedule": 2}))
        assert f"Its restart of **Craft** <t:{int(T0 + 1800)}:R> still runs" in paused
    # Down for 13 minutes (08:15 to 08:28): the 5-minute step is missed, a tick too.
    clock.advance(13 * 60)
    w.source.received.clear()
    async with run_bot(w.fake, scheduled_bot(w, clock)) as bot:
        await bot.services.poller.refresh_roster()
        await bot.services.schedules.settle()
        assert sorted(w.source.received) == ["say Server restarts in 2 minutes: daily", "say tick"]
        await minutes(bot, clock, 2)
        listing = (await w.as_admin("schedule list")).embeds[0]["description"]
    # 08:29 the last step; 08:30 the next tick and the shutdown, two runs due at once (sent
    # in either order).
    assert w.source.received[2] == "say Server restarts in 1 minute: daily"
    assert sorted(w.source.received[3:]) == ["say tick", "stop"]
    assert listing.count("`#") == 2 and "⏸️ paused" in listing
    assert "last <t:" in listing and ": restarted" in listing


async def test_two_shard_processes_on_one_database_run_each_schedule_once(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake, clock = fake_discord, FakeClock(T0)
    guilds = [fake.add_guild(f"g{s}", guild_id=guild_id_on_shard(s, 2)) for s in (0, 1)]
    admins = [
        g.add_member("alice", roles=[g.add_role("Admins", permissions=ADMINISTRATOR)])
        for g in guilds
    ]

    def shard(number: int) -> OutpostBot:
        settings = make_settings(fake, tmp_path, SHARD_COUNT="2", SHARD_IDS=str(number))
        return create_bot(settings, guild_ready_timeout=0.05, autopoll=False, schedule_clock=clock)

    zero, one = shard(0), shard(1)
    async with (
        FakeRCONServer(password=PASSWORD, handler=craft_console) as console,
        run_bot(fake, zero),
        run_bot(fake, one),
    ):
        await fake.wait_shards(2)
        for i, (guild, admin) in enumerate(zip(guilds, admins, strict=True)):
            await register(zero, guild.id, "Craft", "minecraft", console.address[1])
            await one.services.poller.refresh_roster()
            added = await answered(
                await fake.slash(
                    guild.id,
                    admin,
                    "schedule add",
                    {"server": "Craft", "kind": "message", "when": "every 10m", "text": f"g{i}"},
                )
            )
            assert "Schedule added" in (added.content or "")
        for _ in range(3):
            clock.advance(600)
            # Both processes look at the same rows at once; each runs only its own guild's.
            await asyncio.gather(zero.services.schedules.settle(), one.services.schedules.settle())
    assert sorted(console.received) == ["say g0"] * 3 + ["say g1"] * 3
