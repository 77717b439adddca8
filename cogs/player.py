"""``/player lookup``: when a player was last seen, on which server and for how long."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.rendering.text import clip, escape, sanitize
from bot.services.errors import UserError
from bot.services.feed import ids as player_ids
from bot.services.feed.lookup import describe, history_lines, id_lines, summarise
from cogs._base import ManagedGroupCog
from cogs._common import guild_id_of
from cogs._status_ui import Interaction


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Players(
    ManagedGroupCog, group_name="player", group_description="Players seen on your servers"
):
    async def _name_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not interaction.permissions.manage_guild:
            return []
        ids = [s.id for s in self.services.poller.servers_of(interaction.guild_id)]
        names = await self.services.store.sessions.names_like(ids, current, 25)
        # Names come from game servers: shown without controls or bidi overrides.
        return [
            app_commands.Choice(name=sanitize(n)[:100] or "?", value=n[:100]) for n in names if n
        ]

    @app_commands.command(name="lookup", description="When a player was last seen, and where")
    @app_commands.describe(name="Player name (any case), SteamID64, EOS id or BattlEye GUID")
    @app_commands.autocomplete(name=_name_choices)
    async def lookup(self, interaction: Interaction, name: app_commands.Range[str, 1, 100]) -> None:
        guild_id = guild_id_of(interaction)
        servers = await self.services.registry.servers_of(guild_id)
        names = {s.id: s.name for s in servers}
        sessions = await self.services.store.sessions.lookup(
            list(names), name, ids=player_ids.typed(name)
        )
        now = self.services.poller.clock()
        seen = summarise(sessions, names, now)
        if seen is None:
            raise UserError("No player by that name seen on this server's games.")
        embed = discord.Embed(
            title=clip(f"Player {escape(seen.name)}", 256),
            description=describe(seen),
            colour=discord.Colour.blurple(),
        )
        embed.add_field(
            name="Latest sessions",
            value=clip("\n".join(history_lines(sessions, names, now)), 1024),
            inline=False,
        )
        known = id_lines(sessions)
        if known:
            embed.add_field(name="Identifiers", value=clip("\n".join(known), 1024), inline=False)
        if any(s.source == "a2s" for s in sessions):
            embed.set_footer(text="≈ from A2S player lists: times are approximate")
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Players(bot))
