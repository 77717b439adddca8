"""Shared by the status, board, history and alert cogs: guild checks, autocomplete, views, and
the options of the commands that read a period of a server's history."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from typing import Any

import discord
from discord import app_commands

from bot.app import OutpostBot
from bot.rendering.text import mask_address
from bot.rendering.views import ServerView
from bot.storage import Server
from cogs._rcon_ui import user_key

Interaction = discord.Interaction[OutpostBot]
Callback = Callable[..., Coroutine[Any, Any, None]]


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


async def public_name(bot: OutpostBot, server: Server, language: str) -> str:
    """The server's name as a public answer shows it: a hidden address (``/status-connect
    show:False``) stays hidden there too."""
    if server.id in await bot.services.store.display.hidden_connect():
        return mask_address(server.name, server.host, language)
    return server.name


def period_command(
    name: str, description: str, periods: Mapping[str, float], default: str
) -> Callable[[Callback], app_commands.Command[Any, ..., None]]:
    """A guild command on one server over one of ``periods`` (``/history``, ``/uptime``); three
    calls in 30 s per member, as each reads up to a month of samples."""
    choices = [app_commands.Choice(name=p, value=p) for p in periods]

    def wrap(callback: Callback) -> app_commands.Command[Any, ..., None]:
        callback = app_commands.checks.cooldown(3, 30.0, key=user_key)(callback)
        callback = app_commands.choices(period=choices)(callback)
        callback = app_commands.autocomplete(server=server_choices)(callback)
        callback = app_commands.describe(
            server="The server", period=f"How far back (default {default})"
        )(callback)
        callback = app_commands.guild_only()(callback)
        return app_commands.command(name=name, description=description)(callback)

    return wrap
