"""``/uptime server [period]``: how much of the period a server answered, and its outages."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n import t
from bot.rendering.text import clip, escape, mask_address
from bot.services.status.poller import target_of
from bot.services.status.uptime import level, outage_lines, summary_line, uptime
from cogs._base import OutpostCog
from cogs._common import guild_id_of, guild_language
from cogs._status_ui import Interaction, server_choices

PERIODS = {"24h": 86400.0, "7d": 7 * 86400.0, "30d": 30 * 86400.0}
COLOURS = {
    "ok": discord.Colour.green(),
    "warn": discord.Colour(0xF0B232),  # Discord's amber
    "fail": discord.Colour.red(),
}


class Uptime(OutpostCog):
    @app_commands.command(name="uptime", description="How much of a period a server was up")
    @app_commands.guild_only()
    @app_commands.describe(server="The server", period="How far back (default 7d)")
    @app_commands.autocomplete(server=server_choices)
    @app_commands.choices(period=[app_commands.Choice(name=p, value=p) for p in PERIODS])
    @app_commands.checks.cooldown(3, 30.0, key=lambda i: (i.guild_id, i.user.id))
    async def uptime(self, interaction: Interaction, server: str, period: str = "7d") -> None:
        found = await self.services.registry.get(guild_id_of(interaction), server)
        span = PERIODS.get(period, PERIODS["7d"])
        # A month of samples is a large read: take the 15 min window first.
        await interaction.response.defer(thinking=True)
        poller = self.services.poller
        now = poller.clock()
        samples = await self.services.store.history.between(target_of(found).key, now - span, now)
        report = uptime(samples, gap=3 * poller.interval, now=now)
        # A public answer: in the guild's language.
        language = guild_language(interaction)
        name = found.name
        if found.id in await self.services.store.display.hidden_connect():
            name = mask_address(name, found.host, language)
        colour = COLOURS.get(level(report) or "", discord.Colour.light_grey())
        embed = discord.Embed(
            title=clip(t(language, "uptime.title", name=escape(name), period=period), 256),
            description=summary_line(report, language),
            colour=colour,
        )
        lines = outage_lines(report, language)
        if lines:
            field = t(language, "uptime.outages_field")
            embed.add_field(name=field, value=clip("\n".join(lines), 1024), inline=False)
        footer = t(language, "uptime.footer", count=report.samples, interval=poller.interval)
        embed.set_footer(text=footer)
        await interaction.followup.send(embed=embed)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Uptime(bot))
