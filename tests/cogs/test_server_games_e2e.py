"""End to end: ``/server add``'s game autocomplete reads the catalogue, aliases included."""

from __future__ import annotations

from pathlib import Path

import discord

from bot.app import OutpostBot
from tests.cogs.conftest import make_settings
from tests.fakes.discord import FakeDiscord, run_bot

MANAGE = discord.Permissions(manage_guild=True).value


async def test_game_autocomplete_finds_aliases(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    guild = fake_discord.add_guild("Alpha")
    admin = guild.add_member("alice", roles=[guild.add_role("Admins", permissions=MANAGE)])
    bot = OutpostBot(make_settings(fake_discord, tmp_path), guild_ready_timeout=0.05)
    async with run_bot(fake_discord, bot):

        async def choices(text: str) -> list[tuple[str, str]]:
            found = await fake_discord.autocomplete(
                guild.id, admin, "server add", {"game": text}, "game"
            )
            return [(c["name"], c["value"]) for c in found]

        assert await choices("pz") == [("Project Zomboid", "project_zomboid")]
        assert await choices("squad 44") == [("Post Scriptum", "post_scriptum")]
        assert ("Enshrouded", "enshrouded") in await choices("enshr")
        many = await choices("")
        assert len(many) == 25  # Discord's limit, out of 150 games
