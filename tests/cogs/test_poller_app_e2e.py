"""The poller wired into the application: it starts after ready, and presence is optional."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import OutpostBot
from tests.cogs.conftest import make_settings
from tests.cogs.status_world import make_world, register
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec
from tests.fakes.discord import FakeDiscord, run_bot
from tests.fakes.waiting import eventually, round_heard


async def test_poll_loop_runs_after_ready_and_sets_presence(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    settings = make_settings(w.fake, tmp_path, PRESENCE="on")
    async with FakeA2SServer(info=InfoSpec(player_count=6, max_players=10)) as server:
        async with run_bot(w.fake, OutpostBot(w.settings, autopoll=False)) as bot:
            await register(bot, w.guild_id, "Main", server)
        bot = OutpostBot(settings, guild_ready_timeout=0.05)
        async with run_bot(w.fake, bot):
            report = await asyncio.wait_for(round_heard(bot.services.poller, 1), 10)
            assert report.targets == 1 and report.answered == 1
            # The round may have ended before round_heard listened: presence may still be busy.
            await eventually(lambda: bot.guilds[0].me.activity is not None)
            assert bot.guilds[0].me.activity.name == "6 players on 1 server"
        assert bot.services.store.closed


async def test_presence_is_off_by_default(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    w = make_world(fake_discord, tmp_path)
    async with FakeA2SServer() as server:
        async with run_bot(w.fake, w.bot()) as bot:
            await register(bot, w.guild_id, "Main", server, poll=True)
            assert bot.guilds[0].me.activity is None
