"""Shared by the status, board, history and alert cogs: guild checks, autocomplete, views."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.app import OutpostBot
from bot.rendering.views import ServerView
from bot.storage import Server

Interaction = discord.Interaction[OutpostBot]


async def server_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """The guild's server names from the poller's memory (no database, no network): Discord
    gives autocomplete 3 s and users type fast."""
    if interaction.guild_id is None:
        return []
    names = interaction.client.services.poller.names(interaction.guild_id, current, limit=25)
    return [app_commands.Choice(name=n, value=n) for n in names]


async def views_of(bot: OutpostBot, servers: list[Server]) -> list[ServerView]:
    display = await bot.services.store.display.all()
    poller = bot.services.poller
    return [ServerView.of(s, poller.snapshot(s), display.get(s.id)) for s in servers]
