"""``/notify population|list|remove|panel``: a role pinged when a server fills up (or empties),
and a panel where members take or drop that role themselves."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import user_language
from bot.i18n import ENGLISH, t
from bot.rendering.text import clip, escape
from bot.services.errors import UserError
from bot.services.status.population import MAX_PINGS_PER_GUILD, band
from bot.storage.population import PopulationPing
from cogs._base import ManagedGroupCog
from cogs._common import answer, guild_id_of, guild_language
from cogs._status_ui import Interaction, server_choices

PingChannel = discord.TextChannel | discord.Thread
MAX_THRESHOLD = 1000


class RoleToggle(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"notify:role:(?P<role>[0-9]{1,20})"
):
    """The panel's button: gives the clicking member the ping role, or takes it away. Works
    across restarts (the role is in the button's id) and only for a role a population ping of
    the guild mentions: a panel never hands out any other role."""

    def __init__(self, role_id: int, language: str = ENGLISH) -> None:
        # The label shows on the posted panel only (a click rebuilds the item from its id).
        super().__init__(
            discord.ui.Button(
                label=t(language, "notify.button"),
                emoji="🔔",
                style=discord.ButtonStyle.primary,
                custom_id=f"notify:role:{role_id}",
            )
        )
        self.role_id = role_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> RoleToggle:
        return cls(int(match["role"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        reader = user_language(interaction)
        guild, member = interaction.guild, interaction.user
        role = guild.get_role(self.role_id) if guild is not None else None
        pings = await interaction.client.services.store.population.for_guild(
            guild.id if guild is not None else 0
        )
        if role is None or not isinstance(member, discord.Member):
            await interaction.followup.send(t(reader, "notify.role_gone"), ephemeral=True)
            return
        if all(p.role_id != role.id for p in pings):
            await interaction.followup.send(t(reader, "notify.role_unused"), ephemeral=True)
            return
        try:
            if role in member.roles:
                await member.remove_roles(role, reason="Outpost ping panel")
                text = t(reader, "notify.role_dropped", role=role.mention)
            else:
                await member.add_roles(role, reason="Outpost ping panel")
                text = t(reader, "notify.role_taken", role=role.mention)
        except discord.Forbidden:
            text = t(reader, "notify.role_forbidden")
        await interaction.followup.send(text, ephemeral=True)


def _describe(direction: str, threshold: int, language: str) -> str:
    sign = "≥" if direction == "above" else "≤"
    return t(language, "notify.threshold", sign=sign, count=threshold)


def _line(ping: PopulationPing, names: Mapping[int, str], reader: str) -> str:
    return t(
        reader,
        "notify.list_line",
        id=str(ping.id),
        name=escape(names.get(ping.server_id, "?")),
        threshold=_describe(ping.direction, ping.threshold, reader),
        role=f"<@&{ping.role_id}>",
        channel=f"<#{ping.channel_id}>",
    )


class Notify(
    ManagedGroupCog, group_name="notify", group_description="Ping a role when a server fills up"
):
    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RoleToggle)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(RoleToggle)

    @app_commands.command(
        name="population", description="Ping a role once when a server's player count crosses"
    )
    @app_commands.describe(
        server="The server",
        role="The role to ping",
        above="Ping when the count reaches this many players",
        below="Ping when the count drops to this many players",
        channel="Where to ping (default: this channel)",
        cooldown_minutes="Quiet time after a ping (default 60)",
    )
    @app_commands.autocomplete(server=server_choices)
    async def population(
        self,
        interaction: Interaction,
        server: str,
        role: discord.Role,
        above: app_commands.Range[int, 1, MAX_THRESHOLD] | None = None,
        below: app_commands.Range[int, 0, MAX_THRESHOLD] | None = None,
        channel: PingChannel | None = None,
        cooldown_minutes: app_commands.Range[int, 0, 10080] = 60,
    ) -> None:
        guild_id = guild_id_of(interaction)
        if (above is None) == (below is None):
            raise UserError(key="notify.above_or_below")
        if role.is_default() or role.managed:
            raise UserError(key="notify.holdable_role")
        target = channel or interaction.channel
        if not isinstance(target, PingChannel):
            raise UserError(key="notify.text_channel")
        found = await self.services.registry.get(guild_id, server)
        store = self.services.store.population
        if await store.count(guild_id) >= MAX_PINGS_PER_GUILD:
            raise UserError(key="notify.limit", count=MAX_PINGS_PER_GUILD)
        direction, threshold = ("above", above) if above is not None else ("below", below)
        assert threshold is not None
        async with self.audited(
            interaction,
            "notify population",
            f"{direction}={threshold} role={role.id} channel={target.id} "
            f"cooldown={cooldown_minutes}m",
            found,
        ):
            await store.add(
                guild_id,
                found.id,
                target.id,
                role.id,
                direction,
                threshold,
                interaction.user.id,
                cooldown=cooldown_minutes * 60.0,
            )
        back = threshold - band(threshold) if direction == "above" else threshold + band(threshold)
        reader = user_language(interaction)
        await interaction.response.send_message(
            t(
                reader,
                "notify.set",
                role=role.mention,
                channel=target.mention,
                name=escape(found.name),
                threshold=_describe(direction, threshold, reader),
                back=back,
                minutes=cooldown_minutes,
            ),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @app_commands.command(name="list", description="List this Discord server's population pings")
    async def list_pings(self, interaction: Interaction) -> None:
        pings = self.services.store.population.for_guild
        await self.send_list(interaction, pings, _line, "notify.list_title", "notify.list_empty")

    @app_commands.command(name="remove", description="Remove a population ping")
    @app_commands.describe(ping="Its number from /notify list")
    async def remove(self, interaction: Interaction, ping: app_commands.Range[int, 1]) -> None:
        guild_id = guild_id_of(interaction)
        async with self.audited(interaction, "notify remove", f"ping={ping}"):
            removed = await self.services.store.population.remove(guild_id, ping)
        if not removed:
            raise UserError(key="notify.no_such_ping")
        await answer(interaction, "notify.removed", id=str(ping))

    @app_commands.command(name="panel", description="Post a button members use to get a ping role")
    @app_commands.describe(channel="Where to post the panel", role="The ping role it gives")
    async def panel(
        self, interaction: Interaction, channel: PingChannel, role: discord.Role
    ) -> None:
        guild_id = guild_id_of(interaction)
        pings = await self.services.store.population.for_guild(guild_id)
        if all(p.role_id != role.id for p in pings):
            raise UserError(key="notify.set_up_first")
        # The panel is for everyone: in the guild's language.
        language = guild_language(interaction)
        view = discord.ui.View(timeout=None)
        view.add_item(RoleToggle(role.id, language))
        embed = discord.Embed(
            title=clip(t(language, "notify.panel_title", role=role.name), 256),
            description=t(language, "notify.panel", role=role.mention),
            colour=discord.Colour.blurple(),
        )
        async with self.audited(
            interaction, "notify panel", f"channel={channel.id} role={role.id}"
        ):
            await channel.send(
                embed=embed, view=view, allowed_mentions=discord.AllowedMentions.none()
            )
        await answer(interaction, "notify.panel_posted", channel=channel.mention)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Notify(bot))
