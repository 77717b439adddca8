"""Servers that speak other query protocols than A2S, end to end: the real bot polls them
through their adapters and ``/status`` shows them like any A2S server."""

from __future__ import annotations

from pathlib import Path

import discord

from tests.cogs.status_world import make_world, register
from tests.fakes.bedrock_server import FakeBedrockServer
from tests.fakes.discord import FakeDiscord, run_bot
from tests.fakes.minecraft_server import FakeMinecraftServer
from tests.fakes.quake3_server import FakeQuake3Server

GREEN = discord.Colour.green().value


async def test_minecraft_quake3_and_bedrock_servers_on_status(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    q3_players = [(12, 48, "^1No^7va"), (3, 20, "Sarge")]
    async with (
        FakeMinecraftServer() as minecraft,
        FakeQuake3Server(players=q3_players) as quake,
        FakeBedrockServer() as bedrock,
        run_bot(w.fake, w.bot()) as bot,
    ):
        await register(bot, w.guild_id, "Craft", minecraft.address, game="minecraft")
        await register(bot, w.guild_id, "Arena", quake.address, game="q3a")
        await register(bot, w.guild_id, "Pocket", bedrock.address, game="minecraft_bedrock")
        report = await bot.services.poller.run_round()
        assert (report.targets, report.answered) == (3, 3)
        embeds = {}
        for name in ("Craft", "Arena", "Pocket"):
            handle = await w.as_member("status", {"server": name})
            embeds[name] = handle.embeds[0]
    craft, arena = embeds["Craft"], embeds["Arena"]
    assert all(e["color"] == GREEN for e in embeds.values())
    text = str(craft)
    # The MOTD with its § codes stripped, the count and the sample's names.
    assert "A Minecraft Server here" in text and "§" not in text
    assert "2/20" in text and "Alex" in text and "Steve" in text
    arena_text = str(arena)
    assert "Fake Arena" in arena_text and "^" not in arena_text
    assert "q3dm17" in arena_text and "Nova" in arena_text and "2/16" in arena_text


async def test_a_silent_minecraft_server_goes_offline_like_any_other(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with FakeMinecraftServer(hostile="silent") as silent, run_bot(w.fake, w.bot()) as bot:
        bot.services.poller.query_timeout = 0.5
        await register(bot, w.guild_id, "Quiet", silent.address, game="minecraft")
        for _ in range(2):  # offline after two failed rounds (hysteresis)
            report = await bot.services.poller.run_round()
            assert report.answered == 0
        handle = await w.as_member("status", {"server": "Quiet"})
    assert handle.embeds[0]["color"] == discord.Colour.red().value
