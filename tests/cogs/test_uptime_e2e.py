"""``/uptime`` end to end: outages from stored samples, in each reader's time zone."""

from __future__ import annotations

from pathlib import Path

from bot.services.status.poller import target_of
from bot.storage.history import Sample
from tests.cogs.status_world import answered, make_world, register
from tests.fakes.discord import FakeDiscord, run_bot


async def test_uptime_over_seven_days(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    w = make_world(fake_discord, tmp_path)
    async with run_bot(w.fake, w.bot()) as bot:
        server = await register(bot, w.guild_id, "Main", ("127.0.0.1", 27015))
        key = target_of(server).key
        now = bot.services.poller.clock()
        step = bot.services.poller.interval
        count = int(7 * 86400 / step)
        down = range(count - int(7200 / step), count - int(3600 / step))  # an hour, 2 h ago
        samples = [
            Sample(key, now - (count - i) * step, i not in down, 5, 10, 0, "m", None)
            for i in range(count)
        ]
        await bot.services.store.history.add_many(samples)
        handle = await answered(
            await w.fake.slash(w.guild_id, w.member, "uptime", {"server": "Main"})
        )
        assert handle.response_type == 5  # deferred before the read
        (embed,) = (await handle.wait_followup(timeout=15))["embeds"]
        assert embed["title"] == "Main: uptime, last 7d"
        assert embed["description"] == "🟢 **99.4 %** online · 1 outage, 1h 00m down in all"
        (field,) = embed["fields"]
        start = int(samples[down.start].at)
        assert field == {"name": "Outages", "value": f"<t:{start}:f> · 1h 00m", "inline": False}
        assert embed["color"] == 0x2ECC71  # green: 99 % or more
        empty = await answered(
            await w.fake.slash(w.guild_id, w.member, "uptime", {"server": "Main", "period": "24h"})
        )
        (day,) = (await empty.wait_followup(timeout=15))["embeds"]
        assert day["description"].startswith("🟠 **95.8 %** online · 1 outage")
