"""End to end: BattlEye lines reach the feed channel as the line says, whatever the client's
player cache holds (a slot reused unseen, a kick of a player never seen joining)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from tests.cogs.feed_world import make_feed_world, settle
from tests.cogs.test_feed_battleye_e2e import (
    LOGIN_WAIT,
    PASSWORD,
    bodies,
    logged_in,
    register_dayz,
    wait,
)
from tests.fakes.battleye_server import FakeBattlEyeServer
from tests.fakes.discord import FakeDiscord, run_bot
from tests.protocols.battleye.helpers import FAST


async def test_feed_lines_carry_the_name_from_the_line(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    async with FakeBattlEyeServer(PASSWORD) as game:
        async with run_bot(w.fake, w.bot(replace(FAST, fetch_players_on_login=True))) as bot:
            server = await register_dayz(bot, w.status.guild_id, game.address[1])
            login = logged_in(bot, server)
            await w.feed_set("Day")
            await wait(login)
            await game.push_messages(
                [
                    "Player #0 Alice (1.2.3.4:2304) connected",
                    # Alice left and Bq000 took slot 0 while the bot was not looking.
                    "Player #0 Bq000 disconnected",
                    # Never seen connecting, and written without the GUID part.
                    "Player #9 Ghost has been kicked by BattlEye: Admin Kick (afk)",
                ]
            )
            async with asyncio.timeout(LOGIN_WAIT):
                await game.wait_acked()
            await settle(bot)
            await w.fake.wait_until(lambda: len(bodies(w.fake, w.feed_channel)) >= 3)
            got = bodies(w.fake, w.feed_channel)
    assert got[:2] == ["➡️ **Alice** joined", "⬅️ **Bq000** left"]
    assert "**Ghost**" in got[2] and "Admin Kick (afk)" in got[2]
    assert len(got) == 3
