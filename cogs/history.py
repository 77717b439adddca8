"""``/history server [period]``: a chart of players over time, with min, max and average."""

from __future__ import annotations

import io
import time

import discord
from discord.ext import commands

from bot.i18n import number, t
from bot.i18n.formatting import percent
from bot.rendering.charts import render_history_async, stats
from bot.rendering.text import clip, escape
from bot.services.status.poller import target_of
from cogs._base import OutpostCog
from cogs._common import guild_id_of, guild_language
from cogs._status_ui import Interaction, period_command, public_name

PERIODS = {"6h": 6 * 3600.0, "24h": 86400.0, "7d": 7 * 86400.0, "30d": 30 * 86400.0}
FILENAME = "history.png"


class History(OutpostCog):
    @period_command("history", "Chart a server's player count over time", PERIODS, "24h")
    async def history(self, interaction: Interaction, server: str, period: str = "24h") -> None:
        found = await self.services.registry.get(guild_id_of(interaction), server)
        span = PERIODS.get(period, PERIODS["24h"])
        # Rendering takes a moment on a busy machine: take the 15 min window first.
        await interaction.response.defer(thinking=True)
        end = time.time()
        samples = await self.services.store.history.between(target_of(found).key, end - span, end)
        # A hidden address (/status-connect show:False) stays hidden in titles and the chart.
        # A public answer: in the guild's language, the chart's labels too.
        language = guild_language(interaction)
        shown = await public_name(self.bot, found, language)
        title = clip(escape(shown), 200)
        embed = discord.Embed(
            title=t(language, "history.title", name=title, period=period),
            colour=discord.Colour.blurple(),
        )
        summary = stats(samples)
        if not samples:
            embed.description = t(language, "history.empty")
            await interaction.followup.send(embed=embed)
            return
        # One line, not four inline fields (a fourth would wrap alone onto a second row).
        average = "-" if summary.average is None else number(language, summary.average, decimals=1)
        uptime = "-" if summary.uptime is None else percent(language, summary.uptime)
        embed.description = t(
            language,
            "history.summary",
            min=_num(summary.minimum),
            max=_num(summary.maximum),
            average=average,
            uptime=uptime,
        )
        embed.set_footer(text=t(language, "history.footer", count=summary.samples))
        png = await render_history_async(
            samples,
            end - span,
            end,
            title=shown,
            gap=3 * self.services.poller.interval,
            language=language,
        )
        embed.set_image(url=f"attachment://{FILENAME}")
        await interaction.followup.send(embed=embed, file=discord.File(io.BytesIO(png), FILENAME))


def _num(value: int | None) -> str:
    return "-" if value is None else str(value)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(History(bot))
