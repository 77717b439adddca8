"""``/uptime server [period]``: how much of the period a server answered, and its outages."""

from __future__ import annotations

import discord
from discord.ext import commands

from bot.i18n import t
from bot.rendering.text import clip, escape
from bot.services.status.poller import target_of
from bot.services.status.uptime import level, outage_lines, summary_line, uptime
from cogs._base import OutpostCog
from cogs._common import guild_id_of, guild_language
from cogs._status_ui import Interaction, period_command, public_name

PERIODS = {"24h": 86400.0, "7d": 7 * 86400.0, "30d": 30 * 86400.0}
COLOURS = {
    "ok": discord.Colour.green(),
    "warn": discord.Colour(0xF0B232),  # Discord's amber
    "fail": discord.Colour.red(),
}


class Uptime(OutpostCog):
    @period_command("uptime", "How much of a period a server was up", PERIODS, "7d")
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
        name = await public_name(self.bot, found, language)
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
