"""``/watch add|list|remove``: mention a role when a watched player joins a server."""

from __future__ import annotations

from collections.abc import Mapping

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import user_language
from bot.i18n import t
from bot.rendering.text import escape
from bot.services.errors import UserError
from bot.services.feed.watch import id_kind, pattern_key
from bot.storage.feeds import Watch
from cogs._base import ManagedGroupCog
from cogs._common import answer, guild_id_of
from cogs._status_ui import Interaction, server_choices

# What id_kind says a typed watch is -> how a member reads it.
_KINDS = {
    "GUID or EOS id": "watches.kind_guid_or_eos",
    "SteamID": "watches.kind_steam",
    "EOS id": "watches.kind_eos",
    "Minecraft UUID": "watches.kind_mc",
}

WatchChannel = discord.TextChannel | discord.Thread


class Watches(ManagedGroupCog, group_name="watch", group_description="Be told when a player joins"):
    @app_commands.command(name="add", description="Mention a role when this player joins")
    @app_commands.describe(
        server="The server",
        name_or_guid="Player name (any case), BattlEye GUID, SteamID64 or EOS id",
        role="Role to mention (default: none)",
        channel="Where to post (default: here)",
    )
    @app_commands.autocomplete(server=server_choices)
    async def add_watch(
        self,
        interaction: Interaction,
        server: str,
        name_or_guid: app_commands.Range[str, 1, 64],
        role: discord.Role | None = None,
        channel: WatchChannel | None = None,
    ) -> None:
        guild_id = guild_id_of(interaction)
        found = await self.services.registry.get(guild_id, server)
        key = pattern_key(name_or_guid)
        channel_id = channel.id if channel is not None else interaction.channel_id
        if channel_id is None:
            raise UserError(key="watches.pick_channel")
        async with self.audited(
            interaction,
            "watch add",
            f"player={name_or_guid.strip()!r} channel={channel_id} "
            f"role={role.id if role else 'none'}",
            found,
        ):
            watch = await self.services.store.watches.upsert(
                guild_id,
                found.id,
                name_or_guid.strip(),
                key,
                channel_id,
                role.id if role else None,
                interaction.user.id,
                limit=self.bot.settings.quotas.watches,
            )
        # Matched from the next event on; the full reload (every guild's rows) after answering.
        self.services.feed.subscribe(found, watch)
        reader = user_language(interaction)
        kind = _KINDS.get(id_kind(name_or_guid) or "", "watches.kind_player")
        values = {
            "what": t(reader, kind),
            "who": escape(name_or_guid.strip()),
            "server": escape(found.name),
            "channel": f"<#{channel_id}>",
        }
        text = (
            t(reader, "watches.watching_role", role=role.mention, **values)
            if role
            else t(reader, "watches.watching", **values)
        )
        await interaction.response.send_message(text, ephemeral=True)
        self.services.feed.reload_later()

    @app_commands.command(name="remove", description="Stop watching a player")
    @app_commands.describe(server="The server", name_or_guid="The watched name or id")
    @app_commands.autocomplete(server=server_choices)
    async def remove_watch(
        self,
        interaction: Interaction,
        server: str,
        name_or_guid: app_commands.Range[str, 1, 64],
    ) -> None:
        guild_id = guild_id_of(interaction)
        found = await self.services.registry.get(guild_id, server)
        async with self.audited(
            interaction, "watch remove", f"player={name_or_guid.strip()!r}", found
        ):
            removed = await self.services.store.watches.remove(
                guild_id, found.id, pattern_key(name_or_guid)
            )
            if removed is None:
                # What was typed is not echoed back (errors never repeat typed text).
                raise UserError(key="watches.not_watched", server=escape(found.name))
        self.services.feed.unsubscribe([removed])
        await answer(
            interaction, "watches.stopped", who=escape(removed.pattern), server=escape(found.name)
        )
        self.services.feed.reload_later()

    @app_commands.command(name="list", description="List the watched players")
    async def list_watches(self, interaction: Interaction) -> None:
        watches = self.services.store.watches.for_guild
        await self.send_list(
            interaction, watches, _line, "watches.list_title", "watches.list_empty"
        )


def _line(watch: Watch, names: Mapping[int, str], reader: str) -> str:
    role = f" · <@&{watch.role_id}>" if watch.role_id is not None else ""
    where = t(
        reader,
        "watches.list_line",
        who=escape(watch.pattern),
        server=escape(names.get(watch.server_id, "?")),
    )
    return f"{where} → <#{watch.channel_id}>{role}"


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Watches(bot))
