"""``ALLOW_PRIVATE_ADDRESSES=false`` where traffic goes, end to end through the fake Discord: a
server stored before the setting was turned off is neither polled nor logged into (feed and
commands alike), and the member is told why."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage import NewServer
from tests.cogs.rcon_world import (
    PASSWORD,
    open_world,
    register,
)
from tests.fakes.a2s_server import FakeA2SServer
from tests.fakes.discord import FakeDiscord, run_bot

pytestmark = pytest.mark.usefixtures("no_rcon_cooldown")


async def test_a_stored_internal_server_gets_no_traffic_once_refused(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    async with (
        open_world(fake_discord, tmp_path, ALLOW_PRIVATE_ADDRESSES="false") as w,
        FakeA2SServer() as a2s,
    ):
        async with run_bot(w.fake, w.bot()) as bot:
            assert bot.allow_private_addresses is False
            # Saved while the setting was on (rows from an earlier run).
            await bot.services.store.servers.add(
                NewServer(
                    w.guild_id,
                    "Main",
                    "cs2",
                    "127.0.0.1",
                    27015,
                    a2s.address[1],
                    w.source.address[1],
                    bot.secret_box.encrypt(PASSWORD),
                    1,
                )
            )
            dayz = await register(bot, w.guild_id, "DayZ", "dayz", w.battleye.address[1])
            await bot.services.poller.run_round()
            snap = bot.services.poller.snapshot(await bot.services.registry.get(w.guild_id, "Main"))
            assert snap.error == "private address refused (ALLOW_PRIVATE_ADDRESSES is off)"
            # The feed holds the BattlEye connection of a server with a feed: never made here.
            await w.as_admin("feed set", {"server": "DayZ", "channel": w.channel_id})
            for server in ("Main", "DayZ"):
                text = await w.admin_reads("rcon say", {"server": server, "message": "hi"})
                assert "ALLOW_PRIVATE_ADDRESSES" in text, text
                assert PASSWORD not in text
            assert dayz.id in {s.id for s in await bot.services.store.servers.all()}
        assert a2s.requests == 0
        assert w.source.connections_made == 0 and w.source.auth_attempts == 0
        assert w.battleye.logins == 0 and w.battleye.refused_logins == 0
