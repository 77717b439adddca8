"""``/history`` end to end: a chart from generated samples, decoded; min, max and average."""

from __future__ import annotations

import time
from pathlib import Path

from bot.services.status.poller import target_of
from bot.storage.history import Sample
from tests.cogs.status_world import make_world, png_size, register
from tests.fakes.discord import FakeDiscord, run_bot


async def test_history_chart_from_generated_samples(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with run_bot(w.fake, w.bot()) as bot:
        server = await register(bot, w.guild_id, "Main", ("127.0.0.1", 27015))
        key = target_of(server).key
        now = time.time()
        # 7 days, one sample every 5 minutes; offline for 2 h two days ago; 4..24 players.
        samples = []
        for i in range(7 * 288):
            at = now - 7 * 86400 + i * 300
            offline = now - 2 * 86400 <= at < now - 2 * 86400 + 7200
            samples.append(
                Sample(
                    key,
                    at,
                    not offline,
                    0 if offline else 4 + i % 21,
                    32,
                    0,
                    "de_dust2",
                    None if offline else 20.0,
                )
            )
        await bot.services.store.history.add_many(samples)
        handle = await w.as_member("history", {"server": "Main", "period": "7d"})
        assert handle.response_type == 5  # deferred: rendering is not rushed
        followup = await handle.wait_followup(timeout=15)
        embed = followup["embeds"][0]
        assert embed["title"] == "Main: players, last 7d"
        online = [s.players for s in samples if s.online and s.at >= now - 7 * 86400]
        assert embed["description"] == (
            f"👥 min **4** · max **24** · average **{sum(online) / len(online):.1f}** · "
            "🟢 online **99%** of the time"
        )
        assert "fields" not in embed or not embed["fields"]
        (attachment,) = followup["attachments"]
        assert attachment["filename"] == "history.png"
        assert png_size(attachment["data"]) == (800, 320)
        assert embed["image"]["url"] == "attachment://history.png"

        short = await w.as_member("history", {"server": "Main", "period": "6h"})
        six = (await short.wait_followup(timeout=15))["embeds"][0]
        assert six["title"] == "Main: players, last 6h"

        other = await register(bot, w.guild_id, "Empty", ("127.0.0.1", 27016))
        assert other.name == "Empty"
        empty = await w.as_member("history", {"server": "Empty"})
        body = (await empty.wait_followup(timeout=15))["embeds"][0]
        assert body["description"].startswith("No history yet")
