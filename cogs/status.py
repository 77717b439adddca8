"""``/status [server]``: one server in detail, or a summary of the guild's servers.

Discord gives an interaction 3 s. A fresh snapshot from the poller answers at once; a stale one
(or none yet) defers first, then queries live within a bound far below the 15 min a deferred
interaction lives. The 24 h chart is rendered in a thread: when it is not ready within
``CHART_WAIT`` the embed goes out without it and the chart is added by editing the answer.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time

import discord
from discord import app_commands
from discord.ext import commands
from discord.utils import MISSING

from bot.errors import user_language
from bot.i18n import t
from bot.rendering.charts import render_history_async
from bot.rendering.embeds import CHART_FILENAME, ICON_FILENAME, status_embed, summary_embed
from bot.rendering.links import join_links, link_view
from bot.rendering.players import PlayerSort
from bot.rendering.views import ServerView
from bot.services.status.join_links import checked_join_url
from bot.services.status.poller import target_of
from bot.storage import Server
from cogs._base import OutpostCog
from cogs._common import answer, guild_id_of, guild_language, require_manage
from cogs._status_ui import Interaction, server_choices, views_of

log = logging.getLogger(__name__)

CHART_WAIT = 1.0
CHART_PERIOD = 86400.0


class Status(OutpostCog):
    async def _chart(self, server: Server, now: float, language: str) -> bytes | None:
        samples = await self.services.store.history.between(
            target_of(server).key, now - CHART_PERIOD, now
        )
        if not samples:
            return None
        gap = 3 * self.services.poller.interval
        return await render_history_async(
            samples, now - CHART_PERIOD, now, gap=gap, small=True, language=language
        )

    @app_commands.command(name="status", description="Show a game server's status, or all of them")
    @app_commands.guild_only()
    @app_commands.describe(
        server="The server to show (leave empty for a summary of all)",
        sort="How the player list is ordered (default: time connected)",
    )
    @app_commands.choices(
        sort=[
            app_commands.Choice(name="time connected", value="time"),
            app_commands.Choice(name="score", value="score"),
        ]
    )
    @app_commands.autocomplete(server=server_choices)
    async def status(
        self, interaction: Interaction, server: str | None = None, sort: str = "time"
    ) -> None:
        guild_id = guild_id_of(interaction)
        # A public answer: in the guild's language, like its boards.
        language = guild_language(interaction)
        if server is None:
            servers = await self.services.registry.servers_of(guild_id)
            guild_name = (
                interaction.guild.name if interaction.guild else t(language, "status.this_server")
            )
            embed = summary_embed(guild_name, await views_of(self.bot, servers), language)
            await interaction.response.send_message(embed=embed)
            return
        found = await self.services.registry.get(guild_id, server)
        poller = self.services.poller
        snap = poller.snapshot(found)
        deferred = False
        if not poller.is_fresh(snap):
            await interaction.response.defer(thinking=True)
            deferred = True
            snap = await poller.query_now(found)
        display = await self.services.store.display.get(found.id)
        view = ServerView.of(found, snap, display)
        order = PlayerSort(sort)
        # The "Join" link, when one is set (send_message refuses view=None: MISSING is none).
        links = link_view(join_links([view], language))
        buttons = links if links is not None else MISSING
        icon = view.icon  # the server's own picture, a checked PNG: the thumbnail
        now = time.time()
        chart_task = asyncio.create_task(self._chart(found, now, language))
        done, _ = await asyncio.wait({chart_task}, timeout=None if deferred else CHART_WAIT)
        if chart_task in done:
            png = _result(chart_task)
            embed = status_embed(
                view,
                now,
                chart=png is not None,
                icon=icon is not None,
                sort=order,
                language=language,
            )
            files = _files(icon, png)
            if deferred:
                await interaction.followup.send(embed=embed, files=files, view=buttons)
            else:
                await interaction.response.send_message(embed=embed, files=files, view=buttons)
            return
        # The chart is late: answer now, add it when it is ready.
        try:
            await interaction.response.send_message(
                embed=status_embed(view, now, icon=icon is not None, sort=order, language=language),
                files=_files(icon, None),
                view=buttons,
            )
        except BaseException:
            chart_task.cancel()  # nobody will add it now; don't leave it unretrieved
            raise
        await asyncio.wait({chart_task})
        png = _result(chart_task)
        if png is not None:
            # The edit's attachments replace the message's: the icon goes again with the chart.
            await interaction.edit_original_response(
                embed=status_embed(
                    view, now, chart=True, icon=icon is not None, sort=order, language=language
                ),
                attachments=_files(icon, png),
            )

    @app_commands.command(
        name="status-connect", description="Show or hide a server's connect line in its status"
    )
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(server="The server", show="Show the address players join at")
    @app_commands.autocomplete(server=server_choices)
    async def status_connect(self, interaction: Interaction, server: str, show: bool) -> None:
        require_manage(interaction)
        found = await self.services.registry.get(guild_id_of(interaction), server)
        async with self.audited(interaction, "server display", f"show_connect={show}", found):
            await self.services.store.display.set_hide_connect(found.id, not show)
        key = "status.connect_shown" if show else "status.connect_hidden"
        name = discord.utils.escape_markdown(found.name)
        await answer(interaction, key, name=name)
        await (
            self.services.feed.reload()
        )  # feed lines name the server: mask its address from now on

    @app_commands.command(
        name="status-link", description="Set or clear a server's Join link button"
    )
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(
        server="The server",
        url="An https:// link that joins the server (empty: remove the button)",
    )
    @app_commands.autocomplete(server=server_choices)
    async def status_link(
        self,
        interaction: Interaction,
        server: str,
        url: app_commands.Range[str, 1, 600] | None = None,
    ) -> None:
        require_manage(interaction)
        found = await self.services.registry.get(guild_id_of(interaction), server)
        link = None if url is None else checked_join_url(url)
        async with self.audited(
            interaction,
            "server display",
            f"join_url={link!r}" if link is not None else "join_url=None",
            found,
        ):
            await self.services.store.display.set_join_url(found.id, link)
        name = discord.utils.escape_markdown(found.name)
        reader = user_language(interaction)
        text = (
            t(reader, "status.link_set", name=name, link=link)
            if link is not None
            else t(reader, "status.link_removed", name=name)
        )
        await interaction.response.send_message(text, ephemeral=True)


def _result(task: asyncio.Task[bytes | None]) -> bytes | None:
    """The chart, or None when rendering failed (the status is worth more than its chart)."""
    try:
        return task.result()
    except Exception:
        log.exception("status chart rendering failed")
        return None


def _files(icon: bytes | None, chart: bytes | None) -> list[discord.File]:
    """What the status embed names: the server's icon (its thumbnail) and the chart (its
    image). New File objects for every request: a File is read once."""
    files = []
    if icon is not None:
        files.append(discord.File(io.BytesIO(icon), ICON_FILENAME))
    if chart is not None:
        files.append(discord.File(io.BytesIO(chart), CHART_FILENAME))
    return files


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Status(bot))
