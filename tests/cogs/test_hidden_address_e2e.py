"""End to end: ``/status-connect show:False`` hides the server's address everywhere it was
shown (status embed, summary, board, alert, history title), not only the connect line; names
and A2S titles that carry the address are masked."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tests.cogs.feed_world import lines, make_feed_world, settle
from tests.cogs.status_world import make_world, register
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec
from tests.fakes.discord import FakeDiscord, run_bot

HOST = "127.0.0.1"


async def test_hidden_address_is_hidden_everywhere(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    alerts = w.fake.guild(w.guild_id).add_channel("alerts")
    boards = w.fake.guild(w.guild_id).add_channel("boards")
    async with FakeA2SServer() as server, run_bot(w.fake, w.bot()) as bot:
        port = server.address[1]
        server.info = InfoSpec(server_name=f"Join {HOST}:{port} now", map_name="de_dust2")
        bot.services.poller.query_timeout = 0.2
        bot.services.boards.pacer.gap = 0.0
        name = f"{HOST} box"  # admins name servers after their address too
        await register(bot, w.guild_id, name, server, poll=True)
        shown = await w.as_admin("status", {"server": name})
        assert HOST in json.dumps(shown.embeds)  # shown until hidden
        hide = await w.as_admin("status-connect", {"server": name, "show": False})
        assert "hidden" in str(hide.content)
        texts: list[str] = []
        status = await w.as_admin("status", {"server": name})
        texts.append(json.dumps(status.embeds))
        assert "dust2" in texts[-1] and "(address hidden)" in texts[-1]
        summary = await w.as_admin("status")
        texts.append(json.dumps(summary.embeds))
        board = await w.as_admin("board set", {"channel": boards})
        await board.wait_followup(timeout=10)
        await asyncio.wait_for(bot.services.boards.wait_idle(), 10)
        texts += [json.dumps(m["embeds"]) for m in w.fake.channel_messages(boards)]
        await w.as_admin("alert set", {"server": name, "channel": alerts})
        server.silent = True
        for _ in range(2):
            await bot.services.poller.run_round()
        await asyncio.wait_for(bot.services.alerts.wait_idle(), 10)  # sent from the alerts' queue
        texts += [m["content"] for m in w.fake.channel_messages(alerts)]
        assert len(texts) == 4 and "is down" in texts[-1]
        history = await w.as_admin("history", {"server": name})
        texts.append(json.dumps((await history.wait_followup(timeout=20))["embeds"]))
    for text in texts:
        assert HOST not in text, text


async def test_hidden_address_is_hidden_in_feed_lines(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    async with FakeA2SServer() as server, run_bot(w.fake, w.bot()) as bot:
        bot.services.poller.query_timeout = 0.2
        port = server.address[1]
        name = f"{HOST}:{port} main"
        await register(bot, w.status.guild_id, name, server)
        await bot.services.poller.run_round()
        await w.feed_set(name, "status")
        await w.as_admin("status-connect", {"server": name, "show": False})
        server.info = InfoSpec(map_name=f"{HOST}_arena")  # a map name carrying the host
        await bot.services.poller.run_round()
        await settle(bot)
        got = lines(w.fake.channel_messages(w.feed_channel))
        assert got and "map changed" in got[-1], got
        assert all(HOST not in line and "(address hidden)" in line for line in got), got
