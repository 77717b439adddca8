"""Channel counters end to end under constant change: the fake Discord fails the test on a
third rename within ten minutes, so this proves the budget holds; changes coalesce into the
latest value, and a restart does not spend a rename early."""

from __future__ import annotations

import itertools
from pathlib import Path

from tests.cogs.status_world import make_world, register
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec
from tests.fakes.discord import FakeDiscord, run_bot

MANAGE_CHANNELS = 1 << 4


async def test_renames_stay_within_two_per_ten_minutes(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    guild = w.fake.guild(w.guild_id)
    voice = guild.add_channel("status", type=2)
    guild.set_bot_permissions(guild.permissions(w.fake.bot_user_id) | MANAGE_CHANNELS)
    clock = [1_900_000_000.0]
    w.fake.rename_clock = lambda: clock[0]
    async with FakeA2SServer(info=InfoSpec(player_count=1, max_players=60)) as server:
        async with run_bot(w.fake, w.bot()) as bot:
            await register(bot, w.guild_id, "DayZ", server)
            bot.services.counters.clock = lambda: clock[0]
            set_up = await w.as_admin("counter set", {"channel": voice, "server": "DayZ"})
            assert "will show **🔴 DayZ: -/-**" in (set_up.content or "")  # not polled yet
            names = []
            # 40 rounds a minute apart, the count changing every round.
            for minute in range(40):
                server.info.player_count = minute % 50 + 1
                clock[0] += 60
                await bot.services.poller.run_round()
                await bot.services.counters.wait_idle()
                names.append(guild.channel(voice).name)
            shown = ["status", *names]  # the channel's name before, then after each round
            changed = [i for i in range(1, len(shown)) if shown[i] != shown[i - 1]]
            assert bot.services.counters.sent == len(changed) == 7  # about every 5 min
            assert all(b - a >= 5 for a, b in itertools.pairwise(changed))  # minutes apart
            assert not w.fake.violations  # never a third rename in ten minutes
            # What the channel shows is the value true at its last rename, not a stale one.
            assert guild.channel(voice).name.startswith("🟢 DayZ: ")
        # A restart right after a rename waits out the gap, as stored.
        async with run_bot(w.fake, w.bot()) as bot:
            bot.services.counters.clock = lambda: clock[0]
            before = guild.channel(voice).name
            server.info.player_count = 59
            clock[0] += 10
            await bot.services.poller.run_round()
            await bot.services.counters.wait_idle()
            assert guild.channel(voice).name == before  # 10 s after the last rename: not yet
            clock[0] += 300
            await bot.services.poller.run_round()
            await bot.services.counters.wait_idle()
            assert guild.channel(voice).name == "🟢 DayZ: 59/60"
