"""Background services survive a failure at start: the feed restarts with backoff, delivers,
and its state shows in the metrics and in `python -m bot check`."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.app import OutpostBot
from bot.cli.check import run_checks
from bot.metrics import PrometheusMetrics
from bot.services.supervisor import STOPPED
from tests.cogs.conftest import make_settings
from tests.cogs.feed_world import lines, make_feed_world, player, settle, submit_joins
from tests.cogs.status_world import register
from tests.cogs.test_metrics_e2e import scrape, value
from tests.fakes.a2s_server import FakeA2SServer
from tests.fakes.discord import FakeDiscord, run_bot


class LockedAtStart(OutpostBot):
    """The database is locked for the feed's first read (another process migrating, say)."""

    async def setup_hook(self) -> None:
        await super().setup_hook()
        self.supervisor.backoff_initial = 0.05  # the default backoff starts at 1 s
        feeds = self.services.store.feeds
        real = feeds.all
        failed = False

        async def first_read_fails() -> Any:
            nonlocal failed
            if not failed:
                failed = True
                raise sqlite3.OperationalError("database is locked")
            return await real()

        setattr(feeds, "all", first_read_fails)  # noqa: B010 - replaces a bound method


async def test_a_failure_at_start_never_kills_the_feed(
    fake_discord: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    metrics = PrometheusMetrics()
    metrics.serve("127.0.0.1", 0)
    settings = make_settings(w.fake, tmp_path, FEED_BATCH_SECONDS="0.1")
    bot = LockedAtStart(settings, guild_ready_timeout=0.05, autopoll=False, metrics=metrics)
    async with FakeA2SServer() as server:
        async with run_bot(w.fake, bot):
            main = await register(bot, w.status.guild_id, "Main", server)
            await w.feed_set("Main")
            submit_joins(bot, main.id, ["a", "b"])
            await settle(bot)
            got = [player(line) for line in lines(w.fake.channel_messages(w.feed_channel))]
            assert got == ["a", "b"]
            state = bot.supervisor.services["feed"]
            assert (state.state, state.restarts, state.last_error) == (
                "running",
                1,
                "OperationalError",
            )
            samples = await scrape(metrics.port)
            assert value(samples, "outpost_service_up", service="feed") == 1.0
            assert value(samples, "outpost_service_up", service="boards") == 1.0
            assert value(samples, "outpost_service_restarts_total", service="feed") == 1.0
        assert bot.supervisor.services["feed"].state == STOPPED
        capsys.readouterr()
        await run_checks(settings)
    out = capsys.readouterr().out
    assert "background services (as the bot last reported them):" in out
    assert "feed: stopped since" in out and "(1 restart(s), last error OperationalError)" in out
