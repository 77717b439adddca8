"""The base classes of Outpost's cogs: each gets the bot and its services (built before any cog
loads, see bot.wiring), so ``setup()`` only adds the cog."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import OutpostBot
from bot.wiring import Services
from cogs._common import require_manage


class _OutpostParts:
    """Not a cog itself: what the two bases below share (a plain class first in their MRO)."""

    def __init__(self, bot: commands.Bot) -> None:
        if not isinstance(bot, OutpostBot):
            name = type(self).__name__
            raise TypeError(f"the {name} cog needs Outpost's bot (bot.app.OutpostBot)")
        self.bot: OutpostBot = bot
        self.services: Services = bot.services


class OutpostCog(_OutpostParts, commands.Cog):
    """A cog of top-level commands."""


class OutpostGroupCog(_OutpostParts, commands.GroupCog):
    """A cog whose commands form one group (``/board set``, ``/board list``…)."""


# Discord reads these two off the group's class, and a subclass inherits them: every managed
# group is guild-only and, by default, shown to Manage Server only (a hint admins can change).
@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class ManagedGroupCog(OutpostGroupCog):
    """A group for members with Manage Server only, checked again at every call."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        require_manage(interaction)
        return True
