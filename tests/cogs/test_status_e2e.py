"""``/status`` end to end: the real bot, the fake Discord, fake A2S servers on loopback."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import discord
import pytest

from bot.rendering.embeds import embed_problems
from tests.cogs.status_world import (
    StatusWorld,
    add_dayz,
    dayz_fakes,
    hold_charts,
    make_world,
    png_size,
    register,
)
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec, PlayerSpec
from tests.fakes.discord import FakeDiscord, InteractionHandle, run_bot

GREEN, ORANGE, GOLD, RED = (
    discord.Colour.green().value,
    discord.Colour.orange().value,
    discord.Colour.gold().value,
    discord.Colour.red().value,
)


def fields(embed: dict[str, object]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed.get("fields", [])}  # type: ignore[attr-defined]


async def with_chart(handle: InteractionHandle) -> dict[str, bytes]:
    """The answer's files, waiting (bounded) for a chart added by a later edit."""
    for _ in range(100):
        if handle.files:
            return handle.files
        await asyncio.sleep(0.05)
    return handle.files


async def status(w: StatusWorld, server: str | None = None) -> InteractionHandle:
    options = {} if server is None else {"server": server}
    return await w.as_member("status", options)


async def test_online_full_and_password_from_a_fresh_snapshot(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    players = [PlayerSpec("alice", 12, 754.0), PlayerSpec("**bob**", 3, 30.0)]
    async with (
        FakeA2SServer(
            info=InfoSpec(
                server_name="Fake CS2",
                map_name="de_inferno",
                player_count=2,
                max_players=20,
                bot_count=1,
            ),
            players=players,
        ) as online,
        FakeA2SServer(info=InfoSpec(player_count=16, max_players=16)) as full,
        FakeA2SServer(info=InfoSpec(password_protected=True, vac_enabled=False)) as locked,
        run_bot(w.fake, w.bot()) as bot,
    ):
        await register(bot, w.guild_id, "Main", online)
        await register(bot, w.guild_id, "Packed", full)
        await register(bot, w.guild_id, "Private", locked)
        await bot.services.poller.run_round()
        started = time.monotonic()
        handle = await status(w, "main")
        assert time.monotonic() - started < 3.0
        assert handle.response_type == 4  # answered at once from the snapshot
        embed = handle.embeds[0]
        f = fields(embed)
        assert embed["title"] == "Main" and embed["color"] == GREEN
        lines = embed["description"].split("\n")
        assert lines[1] == "🟢 **Online** · **2/20 (1 bot)** players"
        assert lines[2].startswith("🗺️ de\\_inferno · 📶 ") and "🔒" not in lines[2]
        assert lines[3] == "🎮 Counter-Strike 2 · 🛡️ VAC"
        assert f["Players (2)"] == "**alice** · 12m\n**\\*\\*bob\\*\\*** · 30s"
        host, port = online.address
        assert f"Join: `{host}:{port}`" in embed["description"]
        assert embed["footer"]["text"] == "Last checked" and embed["timestamp"]
        files = await with_chart(handle)
        assert png_size(files["players-24h.png"]) == (600, 200)
        assert handle.embeds[0]["image"]["url"].endswith("players-24h.png")

        packed = (await status(w, "Packed")).embeds[0]
        assert packed["color"] == ORANGE and "🟠 **Full** · **16/16" in packed["description"]
        private = (await status(w, "Private")).embeds[0]
        assert private["color"] == GOLD and "🔒 password" in private["description"]
        assert "VAC" not in private["description"]


async def test_offline_server_gets_an_offline_embed_with_last_seen(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with FakeA2SServer() as server, run_bot(w.fake, w.bot()) as bot:
        bot.services.poller.query_timeout = 0.3
        await register(bot, w.guild_id, "Main", server, poll=True)
        seen = bot.services.poller.last_report
        server.silent = True
        await bot.services.poller.run_round()
        await bot.services.poller.run_round()
        handle = await status(w, "Main")
        assert handle.response_type == 4
        embed = handle.embeds[0]
        assert embed["color"] == RED
        assert seen is not None
        # Since when, in each reader's own time zone, and how long ago.
        assert re.search(r"🔴 \*\*Offline\*\* since <t:(\d+):f> \(<t:\1:R>\)", embed["description"])
        assert "Players" not in str(fields(embed))


async def test_stale_snapshot_defers_then_queries_live(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    # Slow to answer: the bot must defer before its live query, or miss Discord's 3 s.
    async with (
        FakeA2SServer(delay=3.2) as slow,
        FakeA2SServer() as dead,
        run_bot(w.fake, w.bot()) as bot,
    ):
        dead.silent = True
        await register(bot, w.guild_id, "Slow", slow)
        await register(bot, w.guild_id, "Dead", dead)
        bot.services.poller.live_timeout = 6.0
        handle = await status(w, "Slow")  # never polled yet: no snapshot
        assert handle.response_type == 5
        followup = await handle.wait_followup(timeout=15)
        assert "🟢 **Online**" in followup["embeds"][0]["description"]
        bot.services.poller.live_timeout = 0.5
        gone = await status(w, "Dead")
        assert gone.response_type == 5
        embed = (await gone.wait_followup(timeout=10))["embeds"][0]
        assert embed["color"] == RED and "never seen online" in embed["description"]


async def test_255_players_with_64_character_names(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    players = [PlayerSpec(f"{i:03d}" + "_*" * 30 + "x", i, 60.0 * i) for i in range(255)]
    assert all(len(p.name) == 64 for p in players)  # type: ignore[arg-type]
    info = InfoSpec(server_name="N" * 63, player_count=255, max_players=255)
    async with (
        FakeA2SServer(info=info, players=players, split_size=1200) as server,
        run_bot(w.fake, w.bot()) as bot,
    ):
        await register(bot, w.guild_id, "M" * 64, server, poll=True)
        snap = bot.services.poller.snapshot((await bot.services.store.servers.all())[0])
        assert snap.info is not None and len(snap.info.player_list) == 255
        handle = await status(w, "M" * 64)
        embed = handle.embeds[0]
        values = "\n".join(fields(embed).values())
        assert "… and " in values and " more" in values
        rebuilt = discord.Embed.from_dict(embed)
        assert embed_problems(rebuilt) == [] and len(rebuilt) <= 6000
    # The fake Discord checked every limit too (the fixture fails the test on a violation).


async def test_summary_and_autocomplete_from_memory(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with (
        FakeA2SServer(info=InfoSpec(player_count=4, max_players=10)) as up,
        run_bot(w.fake, w.bot()) as bot,
    ):
        await register(bot, w.guild_id, "Up", up)
        await register(bot, w.guild_id, "Down", ("127.0.0.1", 9))
        for i in range(30):
            await register(bot, w.guild_id, f"Extra {i:02d}", ("127.0.0.1", 1000 + i))
        bot.services.poller.query_timeout = 0.2
        await bot.services.poller.run_round()
        await bot.services.poller.run_round()
        handle = await status(w)
        assert handle.response_type == 4
        embed = handle.embeds[0]
        assert fields(embed) == {"Online": "1/32", "Players": "4"}
        assert "🟢 **Up** · 4/10" in embed["description"]
        assert "🔴 **Down** · offline" in embed["description"]
        choices = await w.fake.autocomplete(
            w.guild_id, w.member, "status", {"server": ""}, focused="server"
        )
        assert len(choices) == 25
        up_only = await w.fake.autocomplete(
            w.guild_id, w.member, "status", {"server": "u"}, focused="server"
        )
        assert [c["value"] for c in up_only] == ["Up"]


async def test_unknown_server_and_hidden_connect_line(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with FakeA2SServer() as server, run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Main", server, poll=True)
        missing = await status(w, "Nope")
        assert missing.ephemeral
        assert missing.content == "No such server here."
        hide = await w.as_admin("status-connect", {"server": "Main", "show": False})
        assert hide.ephemeral and "hidden" in (hide.content or "")
        refused = await w.as_member("status-connect", {"server": "Main", "show": True}, bypass=True)
        assert "Manage Server" in (refused.content or "")
        embed = (await status(w, "Main")).embeds[0]
        host, port = server.address
        assert "Join:" not in embed["description"] and f"{host}:{port}" not in str(embed)


async def test_dayz_player_names_come_from_battleye(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with dayz_fakes("Survivor_1") as (a2s, be), run_bot(w.fake, w.bot()) as bot:
        await add_dayz(bot, w.guild_id, "Chernarus", a2s, be, w.admin)
        await bot.services.poller.run_round()
        embed = (await status(w, "Chernarus")).embeds[0]
        assert fields(embed)["Players (2)"] == "**Bambi**\n**Survivor\\_1**"
    assert "players" in be.received_commands


async def test_a_late_chart_is_added_by_editing_the_answer(
    fake_discord: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = hold_charts(monkeypatch)  # the chart is "slow" until the test has seen the answer
    w = make_world(fake_discord, tmp_path)
    async with FakeA2SServer() as server, run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Main", server, poll=True)
        handle = await status(w, "Main")
        assert handle.response_type == 4 and handle.files == {}
        assert "image" not in handle.embeds[0]
        release.set()
        files = await with_chart(handle)
        assert png_size(files["players-24h.png"]) == (600, 200)
        assert handle.embeds[0]["image"]["url"] == "attachment://players-24h.png"
