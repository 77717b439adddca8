"""The base classes of Outpost's cogs: each gets the bot and its services (built before any cog
loads, see bot.wiring), so ``setup()`` only adds the cog."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import OutpostBot
from bot.errors import user_language
from bot.i18n import t
from bot.services.audit import AuditTicket, about
from bot.storage import Server
from bot.wiring import Services
from cogs._common import guild_id_of, require_manage
from cogs._lists import list_embed
from cogs._rcon_ui import actor_of

Row = TypeVar("Row")


class _OutpostParts:
    """Not a cog itself: what the two bases below share (a plain class first in their MRO)."""

    def __init__(self, bot: commands.Bot) -> None:
        if not isinstance(bot, OutpostBot):
            name = type(self).__name__
            raise TypeError(f"the {name} cog needs Outpost's bot (bot.app.OutpostBot)")
        self.bot: OutpostBot = bot
        self.services: Services = bot.services

    def audited(
        self,
        interaction: discord.Interaction[Any],
        action: str,
        arguments: str = "",
        server: Server | None = None,
    ) -> AbstractAsyncContextManager[AuditTicket]:
        """The audit row around a change the invoking member makes, about ``server`` when one
        is given (else a guild-wide change)."""
        actor = actor_of(interaction)
        if server is None:
            return self.services.audit.track(actor, action, arguments)
        return self.services.audit.track(actor, action, arguments, **about(server))

    async def server_names(self, guild_id: int) -> dict[int, str]:
        """The guild's server names by id, for the lists that name each row's server."""
        return {s.id: s.name for s in await self.services.registry.servers_of(guild_id)}

    async def send_list(
        self,
        interaction: discord.Interaction[Any],
        rows_of: Callable[[int], Awaitable[Sequence[Row]]],
        line: Callable[[Row, Mapping[int, str], str], str],
        title: str,
        empty: str,
        footer: str | None = None,
    ) -> None:
        """A ``… list`` answer, ephemeral and in the member's language: the guild's rows, each
        as ``line`` writes it (from the row, the guild's server names by id and the language).
        ``title``, ``empty`` and ``footer`` are catalogue keys."""
        guild_id = guild_id_of(interaction)
        language = user_language(interaction)
        names = await self.server_names(guild_id)
        lines = [line(row, names, language) for row in await rows_of(guild_id)]
        embed = list_embed(t(language, title), lines, t(language, empty), language)
        if footer is not None:
            embed.set_footer(text=t(language, footer))
        await interaction.response.send_message(embed=embed, ephemeral=True)


class OutpostCog(_OutpostParts, commands.Cog):
    """A cog of top-level commands."""


class OutpostGroupCog(_OutpostParts, commands.GroupCog):
    """A cog whose commands form one group (``/board set``, ``/board list``…)."""


# Discord reads these two off the group's class, and a subclass inherits them: every managed
# group is guild-only and, by default, shown to Manage Server only (a hint admins can change).
# Subclasses share the one contexts object guild_only() stores here: a context decorator on one
# managed group would change them all, so such a group derives from OutpostGroupCog instead.
@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class ManagedGroupCog(OutpostGroupCog):
    """A group for members with Manage Server only, checked again at every call."""

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        require_manage(interaction)
        return True
