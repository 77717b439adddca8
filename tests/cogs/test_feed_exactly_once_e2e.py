"""The feed's promise end to end through the fake Discord: every line once, in order, through
failing cursor writes, sends cut off by a restart, store errors, shutdowns, long backlogs,
cache misses and lost permissions; A2S-derived joins start from a baseline."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.app import OutpostBot
from bot.services.feed import model as m
from bot.services.feed.render import dropped_line
from bot.storage import Server
from bot.storage.events import Event
from tests.cogs.feed_world import (
    SETTLE,
    FeedWorld,
    bodies,
    lines,
    make_feed_world,
    player,
    settle,
    submit_joins,
)
from tests.cogs.status_world import register
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec, PlayerSpec
from tests.fakes.discord import FakeDiscord, run_bot
from tests.fakes.discord.permissions import MANAGE_THREADS, SEND_MESSAGES


def names(messages: list[dict[str, Any]]) -> list[str]:
    return [player(line) for line in lines(messages)]


async def eventually(predicate: Callable[[], bool]) -> None:
    """Until ``predicate()`` holds (checked every few milliseconds, bounded by SETTLE)."""
    async with asyncio.timeout(SETTLE):
        while not predicate():  # noqa: ASYNC110 - plain values, no event to wait on
            await asyncio.sleep(0.01)


def locked() -> sqlite3.OperationalError:
    return sqlite3.OperationalError("database is locked")


class LockedFor:
    """``owner.name`` (a store method) raising "database is locked" for its next ``times``
    calls, then doing its real work again; ``left`` counts the failures still to come."""

    def __init__(
        self, monkeypatch: pytest.MonkeyPatch, owner: object, name: str, times: int = 2
    ) -> None:
        self.left = times
        real = getattr(owner, name)

        async def flaky(*args: Any) -> Any:
            if self.left:
                self.left -= 1
                raise locked()
            return await real(*args)

        monkeypatch.setattr(owner, name, flaky)


async def set_feed(w: Any, events: str = "joins, leaves") -> None:
    await w.feed_set("Main", events)


@asynccontextmanager
async def main_fed(w: FeedWorld) -> AsyncIterator[tuple[OutpostBot, Server]]:
    """The bot running with Main (on a fake A2S server) and its feed of joins and leaves set:
    the bot and Main, to hand the feed events of."""
    async with FakeA2SServer() as server, run_bot(w.fake, w.bot()) as bot:
        main = await register(bot, w.status.guild_id, "Main", server)
        await set_feed(w)
        yield bot, main


async def test_a_cursor_write_failing_after_the_send_is_retried_alone(
    fake_discord: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    async with main_fed(w) as (bot, main):
        failures = LockedFor(monkeypatch, bot.services.store.feeds, "advance")
        submit_joins(bot, main.id, ["a", "b", "c"])
        await settle(bot)
        assert failures.left == 0
        assert names(w.fake.channel_messages(w.feed_channel)) == ["a", "b", "c"]
        (feed,) = await bot.services.store.feeds.all()
        assert feed.delivered_through == max(
            e.id for e in await bot.services.store.events.recent(main.id)
        )


async def test_a_send_cut_off_by_a_restart_is_not_posted_twice(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    async with FakeA2SServer() as server:
        async with run_bot(w.fake, w.bot()) as bot:
            main = await register(bot, w.status.guild_id, "Main", server)
            await set_feed(w)
            # Discord creates the message, the answer comes after the bot stopped waiting.
            w.fake.stall_posts(w.feed_channel, 4.0)
            submit_joins(bot, main.id, ["a", "b"])
            await eventually(lambda: len(w.fake.channel_messages(w.feed_channel)) == 1)
        async with run_bot(w.fake, w.bot()) as bot:
            await settle(bot)
            submit_joins(bot, main.id, ["c"])
            await settle(bot)
        messages = w.fake.channel_messages(w.feed_channel)
        assert [names([m]) for m in messages] == [["a", "b"], ["c"]]
        assert not w.fake.violations


async def test_a_store_error_keeps_the_events_in_order(
    fake_discord: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    async with main_fed(w) as (bot, main):
        failures = LockedFor(monkeypatch, bot.services.store.events, "add_many")
        submit_joins(bot, main.id, ["a", "b"])
        await asyncio.sleep(0)
        submit_joins(bot, main.id, ["c"])
        await settle(bot)
        assert failures.left == 0
        assert names(w.fake.channel_messages(w.feed_channel)) == ["a", "b", "c"]


async def test_shutdown_stores_what_the_inbox_holds(
    fake_discord: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    async with FakeA2SServer() as server:
        async with run_bot(w.fake, w.bot()) as bot:
            main = await register(bot, w.status.guild_id, "Main", server)
            await set_feed(w)
            real = bot.services.store.events.add_many
            failing = True
            attempts = 0

            async def add_many(events: Any) -> list[Event]:
                nonlocal attempts
                attempts += 1
                if failing:
                    raise locked()
                return await real(events)

            monkeypatch.setattr(bot.services.store.events, "add_many", add_many)
            submit_joins(bot, main.id, ["a", "b", "c"])
            await eventually(lambda: attempts >= 2)
            failing = False  # the database is back just as the bot stops
        assert w.fake.channel_messages(w.feed_channel) == []
        async with run_bot(w.fake, w.bot()) as bot:
            await settle(bot)
        assert names(w.fake.channel_messages(w.feed_channel)) == ["a", "b", "c"]


async def test_replay_pages_through_more_than_10000_pending_events(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    total = 10_050
    async with FakeA2SServer() as server:
        async with run_bot(w.fake, w.bot()) as bot:
            main = await register(bot, w.status.guild_id, "Main", server)
            await set_feed(w)
            # Stored but never routed: what a long Discord outage leaves behind.
            now = time.time()
            await bot.services.store.events.add_many(
                [Event(main.id, now, m.JOIN, f"p{n:05d}") for n in range(total)]
            )
        async with run_bot(w.fake, w.bot(FEED_QUEUE_LIMIT="10")) as bot:
            await settle(bot)
            (feed,) = await bot.services.store.feeds.all()
            newest = max(e.id for e in await bot.services.store.events.recent(main.id, 1))
            assert feed.delivered_through == newest
        (message,) = w.fake.channel_messages(w.feed_channel)
        got = lines([message])
        assert got[0] == dropped_line(total - 10)
        assert [player(line) for line in got[1:]] == [f"p{n:05d}" for n in range(total - 10, total)]


async def test_a_channel_missing_from_the_cache_is_fetched(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    async with main_fed(w) as (bot, main):
        # What a guild not delivered yet, or a thread the cache does not hold, looks like.
        guild = bot.get_guild(w.status.guild_id)
        assert guild is not None
        channel = guild.get_channel(w.feed_channel)
        assert channel is not None
        guild._remove_channel(channel)
        assert bot.get_channel(w.feed_channel) is None
        submit_joins(bot, main.id, ["a", "b"])
        await settle(bot)
        assert names(w.fake.channel_messages(w.feed_channel)) == ["a", "b"]


async def test_lost_permissions_hold_the_lines_and_feed_list_says_why(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    guild = w.fake.guild(w.status.guild_id)
    async with main_fed(w) as (bot, main):
        guild.deny_bot(w.feed_channel, SEND_MESSAGES)
        submit_joins(bot, main.id, ["a", "b"])
        await eventually(lambda: bot.services.feed.channel_problem(w.feed_channel) is not None)
        (feed,) = await bot.services.store.feeds.all()
        assert feed.delivered_through < min(
            e.id for e in await bot.services.store.events.recent(main.id)
        )
        listing = await w.as_admin("feed list")
        assert "missing permissions" in listing.embeds[0]["description"]
        guild.set_channel_permission(w.feed_channel, w.fake.bot_user_id)  # given back
        await settle(bot)
        assert names(w.fake.channel_messages(w.feed_channel)) == ["a", "b"]
        listing = await w.as_admin("feed list")
        assert "missing permissions" not in listing.embeds[0]["description"]


async def test_the_first_answer_after_feed_set_is_a_baseline(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    players = [PlayerSpec("alice"), PlayerSpec("bob")]
    a2s = FakeA2SServer(info=InfoSpec(player_count=2), players=players)
    async with a2s as server, run_bot(w.fake, w.bot()) as bot:
        bot.services.poller.query_timeout = 0.2
        await register(bot, w.status.guild_id, "Main", server)
        await set_feed(w)
        await bot.services.poller.run_round()
        await settle(bot)
        assert w.fake.channel_messages(w.feed_channel) == []
        server.players = [PlayerSpec("alice")]
        await bot.services.poller.run_round()
        await settle(bot)
        got = bodies(w.fake.channel_messages(w.feed_channel))
        assert got == ["⬅️ **bob** left ≈"]


async def test_the_first_answer_after_a_restart_is_a_baseline(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    a2s = FakeA2SServer(info=InfoSpec(player_count=1), players=[PlayerSpec("alice")])
    async with a2s as server:
        async with run_bot(w.fake, w.bot()) as bot:
            bot.services.poller.query_timeout = 0.2
            main = await register(bot, w.status.guild_id, "Main", server)
            await bot.services.poller.run_round()
            await set_feed(w)
            await settle(bot)
        # Players arrive while the bot is down: nobody saw them join.
        server.players = [PlayerSpec("alice"), PlayerSpec("bob"), PlayerSpec("carol")]
        server.info = InfoSpec(player_count=3)
        async with run_bot(w.fake, w.bot()) as bot:
            bot.services.poller.query_timeout = 0.2
            await bot.services.poller.run_round()
            await settle(bot)
            assert w.fake.channel_messages(w.feed_channel) == []
            open_names = await bot.services.store.sessions.open_names(main.id, m.SOURCE_A2S)
            assert sorted(open_names) == ["alice", "bob", "carol"]
            server.players = [PlayerSpec("alice")]
            server.info = InfoSpec(player_count=1)
            await bot.services.poller.run_round()
            await settle(bot)
        got = bodies(w.fake.channel_messages(w.feed_channel))
        assert got == ["⬅️ **bob** left ≈", "⬅️ **carol** left ≈"]


async def test_a_feed_into_an_archived_thread_reopens_it_or_says_why(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    guild = w.fake.guild(w.status.guild_id)
    thread = guild.add_thread(w.feed_channel, "server log")
    async with FakeA2SServer() as server, run_bot(w.fake, w.bot()) as bot:
        main = await register(bot, w.status.guild_id, "Main", server)
        await w.as_admin("feed set", {"server": "Main", "channel": thread, "events": "joins"})
        # Discord archives idle threads (and drops them from the client's cache).
        guild.set_thread_archived(thread, True)
        await eventually(lambda: bot.get_channel(thread) is None)
        submit_joins(bot, main.id, ["a"])
        await settle(bot)
        assert names(w.fake.channel_messages(thread)) == ["a"]
        assert not guild.channel(thread).archived
        # Locked by a moderator: reopening needs Manage Threads, which the bot lacks.
        guild.set_thread_archived(thread, True, locked=True)
        await eventually(lambda: bot.get_channel(thread) is None)
        submit_joins(bot, main.id, ["b"])
        await eventually(lambda: bot.services.feed.channel_problem(thread) is not None)
        listing = await w.as_admin("feed list")
        assert "archived and locked: I need Manage Threads" in listing.embeds[0]["description"]
        guild.set_bot_permissions(guild.bot_permissions() | MANAGE_THREADS)
        await settle(bot)
        assert names(w.fake.channel_messages(thread)) == ["a", "b"]
        assert bot.services.feed.channel_problem(thread) is None
        assert not w.fake.violations
