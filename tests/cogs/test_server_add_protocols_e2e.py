"""``/server add`` then ``/status`` for games that do not speak A2S, end to end through the fake
Discord: Minecraft found through its SRV record, FiveM over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import discord
import pytest

from bot.app import OutpostBot
from bot.config import Settings
from bot.protocols.minecraft import SrvResolver
from bot.protocols.minecraft import srv as minecraft_srv
from tests.cogs.conftest import make_settings
from tests.cogs.status_world import server_add
from tests.fakes.discord import FakeDiscord, InteractionHandle, run_bot
from tests.fakes.dns_server import FakeDNSServer
from tests.fakes.fivem_server import FakeFiveMServer
from tests.fakes.minecraft_server import FakeMinecraftServer
from tests.fakes.rcon_server import FakeRCONServer

MANAGE = discord.Permissions(manage_guild=True).value
PASSWORD = "Mc-rc0n-pass"


async def answered(handle: InteractionHandle) -> InteractionHandle:
    await handle.wait_response()
    return handle


async def _status_embed(fake: FakeDiscord, guild: int, member: int, name: str) -> dict[str, Any]:
    handle = await answered(await fake.slash(guild, member, "status", {"server": name}))
    return handle.embeds[0]


async def test_minecraft_added_through_its_srv_record_then_on_status(
    fake_discord: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    guild = fake_discord.add_guild("Alpha")
    admin = guild.add_member("alice", roles=[guild.add_role("Admins", permissions=MANAGE)])
    async with (
        FakeMinecraftServer() as minecraft,
        FakeRCONServer(password=PASSWORD, profile="minecraft") as rcon,
    ):
        records = {"_minecraft._tcp.play.example.test": [(0, 5, minecraft.address[1], "127.0.0.1")]}
        async with FakeDNSServer(records) as dns_server:
            # Every SRV lookup of the bot goes to the fake DNS server on loopback.
            resolver = SrvResolver([dns_server.host], port=dns_server.port)
            monkeypatch.setattr(minecraft_srv, "_default_resolver", resolver)
            bot_settings = make_settings(fake_discord, tmp_path)
            async with run_bot(fake_discord, _bot(bot_settings)) as bot:
                submitted = await server_add(
                    fake_discord,
                    guild.id,
                    admin,
                    "Craft",
                    "play.example.test",
                    "minecraft",
                    rcon.address[1],
                    PASSWORD,
                )
                followup = await submitted.wait_followup()
                description = followup["embeds"][0]["description"]
                stored = await bot.services.store.servers.get(guild.id, "craft")
                await bot.services.poller.run_round()
                embed = await _status_embed(fake_discord, guild.id, admin, "Craft")
    assert "(SRV)" in description and "Minecraft status ping answers" in description
    assert stored is not None
    assert (stored.host, stored.game_port, stored.query_port) == (
        "127.0.0.1",
        minecraft.address[1],
        minecraft.address[1],
    )
    assert ("_minecraft._tcp.play.example.test", "SRV") in dns_server.questions
    assert embed["color"] == discord.Colour.green().value
    assert "A Minecraft Server here" in str(embed) and "2/20" in str(embed)


async def test_fivem_added_then_on_status(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    guild = fake_discord.add_guild("Alpha")
    admin = guild.add_member("alice", roles=[guild.add_role("Admins", permissions=MANAGE)])
    async with FakeFiveMServer() as fivem:
        host, port = fivem.address
        async with run_bot(fake_discord, _bot(make_settings(fake_discord, tmp_path))) as bot:
            handle = await answered(
                await fake_discord.slash(
                    guild.id,
                    admin,
                    "server add",
                    {"name": "Los Santos", "address": f"{host}:{port}", "game": "fivem"},
                )
            )
            reply = handle.embeds[0] if handle.embeds else await handle.wait_followup()
            await bot.services.poller.run_round()
            embed = await _status_embed(fake_discord, guild.id, admin, "Los Santos")
    text = str(reply)
    assert "FiveM HTTP" in text and "answers on port" in text
    assert embed["color"] == discord.Colour.green().value
    assert "^" not in str(embed)


def _bot(settings: Settings) -> OutpostBot:
    return OutpostBot(settings, guild_ready_timeout=0.05)
