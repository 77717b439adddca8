"""``/counter set|remove|list``: a channel whose name shows a server's status."""

from __future__ import annotations

from collections.abc import Mapping

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import permission_name, user_language
from bot.i18n import t
from bot.rendering.text import escape
from bot.services.errors import UserError
from bot.services.status.counters import (
    DEFAULT_FORMAT,
    MAX_COUNTERS_PER_GUILD,
    MIN_GAP,
    check_format,
    render,
)
from bot.storage.counters import Counter
from cogs._base import ManagedGroupCog
from cogs._common import answer, guild_id_of
from cogs._status_ui import Interaction, server_choices

CounterChannel = discord.VoiceChannel | discord.StageChannel | discord.TextChannel


class Counters(
    ManagedGroupCog, group_name="counter", group_description="Channel names that show a status"
):
    @app_commands.command(name="set", description="Rename a channel to show a server's status")
    @app_commands.describe(
        channel="The channel (a voice channel is usual)",
        server="The server",
        format="Fields: {status} {name} {players} {max} {map} {bots}",
    )
    @app_commands.autocomplete(server=server_choices)
    async def set_counter(
        self,
        interaction: Interaction,
        channel: CounterChannel,
        server: str,
        format: app_commands.Range[str, 1, 100] = DEFAULT_FORMAT,
    ) -> None:
        guild_id = guild_id_of(interaction)
        found = await self.services.registry.get(guild_id, server)
        fmt = check_format(format)
        reader = user_language(interaction)
        me = channel.guild.me
        if me is not None and not channel.permissions_for(me).manage_channels:
            permission = permission_name(reader, "manage_channels")
            raise UserError(
                key="counters.need_manage", permission=permission, channel=channel.mention
            )
        store = self.services.store.counters
        existing = {c.channel_id for c in await store.for_guild(guild_id)}
        if channel.id not in existing and len(existing) >= MAX_COUNTERS_PER_GUILD:
            raise UserError(key="counters.limit", count=MAX_COUNTERS_PER_GUILD)
        async with self.audited(
            interaction, "counter set", f"channel={channel.id} format={fmt!r}", found
        ):
            await store.upsert(guild_id, channel.id, found.id, fmt, interaction.user.id)
        preview = render(fmt, found.name, self.services.poller.snapshot(found))
        text = t(
            reader,
            "counters.set",
            channel=channel.mention,
            preview=escape(preview),
            minutes=round(MIN_GAP / 60),
        )
        await interaction.response.send_message(text, ephemeral=True)

    @app_commands.command(name="remove", description="Stop renaming a channel")
    @app_commands.describe(channel="The counter's channel")
    async def remove_counter(self, interaction: Interaction, channel: CounterChannel) -> None:
        guild_id = guild_id_of(interaction)
        async with self.audited(interaction, "counter remove", f"channel={channel.id}"):
            removed = await self.services.store.counters.remove(guild_id, channel.id)
        if not removed:
            raise UserError(key="counters.none", channel=channel.mention)
        await answer(interaction, "counters.removed", channel=channel.mention)

    @app_commands.command(name="list", description="List this Discord server's counters")
    async def list_counters(self, interaction: Interaction) -> None:
        counters = self.services.store.counters.for_guild
        await self.send_list(
            interaction, counters, _line, "counters.list_title", "counters.list_empty"
        )


def _line(counter: Counter, names: Mapping[int, str], reader: str) -> str:
    name = escape(names.get(counter.server_id, "?"))
    return f"<#{counter.channel_id}> · **{name}** · `{counter.format}`"


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Counters(bot))
