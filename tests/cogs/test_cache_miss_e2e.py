"""A channel missing from discord.py's cache (a guild not delivered yet, a thread the cache
does not hold) is fetched: boards keep running and alerts keep their state."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import OutpostBot
from tests.cogs.status_world import make_world, register
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec
from tests.fakes.discord import FakeDiscord, run_bot


def forget_channel(bot: OutpostBot, guild_id: int, channel_id: int) -> None:
    guild = bot.get_guild(guild_id)
    assert guild is not None
    channel = guild.get_channel(channel_id)
    assert channel is not None
    guild._remove_channel(channel)
    assert bot.get_channel(channel_id) is None


async def test_a_board_whose_channel_is_not_cached_is_edited_not_paused(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with (
        FakeA2SServer(info=InfoSpec(player_count=1)) as server,
        run_bot(w.fake, w.bot()) as bot,
    ):
        bot.services.boards.pacer.gap = 0.0
        await register(bot, w.guild_id, "Main", server, poll=True)
        handle = await w.as_admin("board set", {"channel": w.channel_id, "servers": "main"})
        await handle.wait_followup(timeout=10)
        (message,) = w.fake.channel_messages(w.channel_id)
        forget_channel(bot, w.guild_id, w.channel_id)
        server.info.player_count = 7
        await bot.services.poller.run_round()
        await asyncio.wait_for(bot.services.boards.wait_idle(), 10)
        (board,) = await bot.services.store.boards.for_guild(w.guild_id)
        assert board.paused is None
        (edited,) = w.fake.channel_messages(w.channel_id)
        assert edited["id"] == message["id"] and edited["edited_timestamp"] is not None


async def test_an_alert_whose_channel_is_not_cached_is_still_sent(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    alerts_channel = w.fake.guild(w.guild_id).add_channel("alerts")
    async with FakeA2SServer() as server, run_bot(w.fake, w.bot()) as bot:
        bot.services.poller.query_timeout = 0.2
        await register(bot, w.guild_id, "Main", server, poll=True)
        await w.as_admin("alert set", {"server": "Main", "channel": alerts_channel})
        await bot.services.poller.run_round()  # the first observation is remembered silently
        forget_channel(bot, w.guild_id, alerts_channel)
        server.silent = True
        await bot.services.poller.run_round()
        await bot.services.poller.run_round()  # down after the second failure
        await asyncio.wait_for(bot.services.alerts.wait_idle(), 10)  # sent from the alerts' queue
        (message,) = w.fake.channel_messages(alerts_channel)
        assert "🔴 **Main** is down" in message["content"]
        (alert,) = await bot.services.store.alerts.all()
        assert alert.last_state == "down"
