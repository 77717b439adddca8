"""A hostile A2S server end to end: huge strings are clipped before anything stores or shows
them, and the bot resolves the host name through its own resolver."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.servers import resolver as resolver_module
from bot.snapshots import MAX_MAP, MAX_PLAYER_NAME, MAX_SERVER_NAME, Target
from tests.cogs.status_world import make_world, register
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec, PlayerSpec
from tests.fakes.discord import FakeDiscord, run_bot


async def test_huge_strings_from_a_named_host_are_clipped_everywhere(
    fake_discord: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_up: list[str] = []

    async def lookup(host: str) -> str:  # no real DNS in tests
        looked_up.append(host)
        return "127.0.0.1"

    monkeypatch.setattr(resolver_module, "system_lookup", lookup)
    w = make_world(fake_discord, tmp_path)
    info = InfoSpec(
        server_name="Evil" * 2000, map_name="M" * 100_000, player_count=255, max_players=255
    )
    players = [PlayerSpec(f"{i:03d}" + "n" * 897, i, 5.0) for i in range(255)]
    async with (
        FakeA2SServer(info=info, players=players, split_size=1248) as server,
        run_bot(w.fake, w.bot()) as bot,
    ):
        port = server.address[1]
        await register(bot, w.guild_id, "evil", ("evil.example", port))
        for _ in range(2):
            report = await bot.services.poller.run_round()
            assert report.answered == 1
        assert looked_up == ["evil.example"]  # once, then from the cache
        (registered,) = await bot.services.store.servers.all()
        snap = bot.services.poller.snapshot(registered)
        assert snap.info is not None
        assert len(snap.info.name) <= MAX_SERVER_NAME and len(snap.info.map) <= MAX_MAP
        assert all(len(p.name) <= MAX_PLAYER_NAME for p in snap.info.player_list)
        samples = await bot.services.store.history.between(
            Target.of("evil.example", port).key, 0, float("inf")
        )
        assert len(samples) == 2 and all(len(s.map) <= MAX_MAP for s in samples)
        handle = await w.as_member("status", {"server": "evil"})
        embed = handle.embeds[0]
        text = str(embed)
        assert "M" * (MAX_MAP + 1) not in text and "n" * MAX_PLAYER_NAME not in text
