"""``/alert set|remove|list``: a message when a server goes down and when it is back."""

from __future__ import annotations

from collections.abc import Mapping

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import user_language
from bot.i18n import t
from bot.rendering.text import escape
from bot.services.errors import UserError
from bot.services.status.alerts import observed
from bot.storage.alerts import Alert
from cogs._base import ManagedGroupCog
from cogs._common import answer, guild_id_of
from cogs._status_ui import Interaction, server_choices

AlertChannel = discord.TextChannel | discord.Thread


class Alerts(
    ManagedGroupCog, group_name="alert", group_description="Up/down alerts for game servers"
):
    @app_commands.command(name="set", description="Post a message when a server goes down or up")
    @app_commands.describe(server="The server", channel="Where to post", role="Role to mention")
    @app_commands.autocomplete(server=server_choices)
    async def set_alert(
        self,
        interaction: Interaction,
        server: str,
        channel: AlertChannel,
        role: discord.Role | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        found = await self.services.registry.get(guild_id, server)
        # Start from what the poller sees now, so the first message is a real change.
        state = observed(self.services.poller.snapshot(found))
        async with self.audited(
            interaction,
            "alert set",
            f"channel={channel.id} role={role.id if role else None}",
            found,
        ):
            await self.services.store.alerts.upsert(
                guild_id,
                found.id,
                channel.id,
                role.id if role else None,
                interaction.user.id,
                state,
                limit=self.bot.settings.quotas.alerts,
            )
        reader = user_language(interaction)
        name = escape(found.name)
        text = (
            t(reader, "alerts.set_role", name=name, channel=channel.mention, role=role.mention)
            if role
            else t(reader, "alerts.set", name=name, channel=channel.mention)
        )
        await interaction.response.send_message(
            text,
            ephemeral=True,
        )

    @app_commands.command(name="remove", description="Stop a server's alerts")
    @app_commands.describe(server="The server", channel="Only this channel (default: all)")
    @app_commands.autocomplete(server=server_choices)
    async def remove_alert(
        self, interaction: Interaction, server: str, channel: AlertChannel | None = None
    ) -> None:
        guild_id = guild_id_of(interaction)
        found = await self.services.registry.get(guild_id, server)
        async with self.audited(
            interaction, "alert remove", f"channel={channel.id if channel else 'all'}", found
        ):
            removed = await self.services.store.alerts.remove(
                guild_id, found.id, channel.id if channel else None
            )
        if not removed:
            raise UserError(key="alerts.none_there", name=escape(found.name))
        await answer(interaction, "alerts.removed", count=removed, name=escape(found.name))

    @app_commands.command(name="list", description="List this Discord server's alerts")
    async def list_alerts(self, interaction: Interaction) -> None:
        alerts = self.services.store.alerts.for_guild
        await self.send_list(interaction, alerts, _line, "alerts.list_title", "alerts.list_empty")


def _line(alert: Alert, names: Mapping[int, str], reader: str) -> str:
    role = f" · <@&{alert.role_id}>" if alert.role_id is not None else ""
    state = t(reader, f"alerts.state_{alert.last_state or 'unseen'}")
    name = escape(names.get(alert.server_id, "?"))
    return f"**{name}** → <#{alert.channel_id}>{role} · {state}"


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Alerts(bot))
