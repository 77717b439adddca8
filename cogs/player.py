"""``/player lookup``: when a player was last seen, on which server and for how long."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import user_language
from bot.i18n import t
from bot.rendering.text import clip, escape
from bot.services.bans import render as render_bans
from bot.services.errors import UserError
from bot.services.feed import ids as player_ids
from bot.services.feed import records
from bot.services.feed.lookup import describe, history_lines, id_lines, summarise
from bot.storage.players import MAX_NOTE, PlayerRecord, identifiers_of
from cogs._base import ManagedGroupCog
from cogs._common import answer, guild_id_of, may_manage, player_choices
from cogs._status_ui import Interaction


class Players(
    ManagedGroupCog, group_name="player", group_description="Players seen on your servers"
):
    async def _name_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if not may_manage(interaction):
            return []
        ids = [s.id for s in self.services.poller.servers_of(guild_id_of(interaction))]
        return player_choices(await self.services.store.sessions.names_like(ids, current, 25))

    @app_commands.command(name="lookup", description="When a player was last seen, and where")
    @app_commands.describe(name="Player name (any case), SteamID64, EOS id or BattlEye GUID")
    @app_commands.autocomplete(name=_name_choices)
    async def lookup(self, interaction: Interaction, name: app_commands.Range[str, 1, 100]) -> None:
        guild_id = guild_id_of(interaction)
        names = await self.server_names(guild_id)
        sessions = await self.services.store.sessions.lookup(
            list(names), name, ids=player_ids.typed(name)
        )
        now = self.services.poller.clock()
        seen = summarise(sessions, names, now)
        if seen is None:
            raise UserError(key="players.not_found")
        reader = user_language(interaction)
        embed = discord.Embed(
            title=clip(t(reader, "players.title", name=escape(seen.name)), 256),
            description=describe(seen, reader),
            colour=discord.Colour.blurple(),
        )
        embed.add_field(
            name=t(reader, "players.latest"),
            value=clip("\n".join(history_lines(sessions, names, now, reader)), 1024),
            inline=False,
        )
        known = id_lines(sessions)
        if known:
            field = t(reader, "players.identifiers")
            embed.add_field(name=field, value=clip("\n".join(known), 1024), inline=False)
        if any(s.source == "a2s" for s in sessions):
            embed.set_footer(text=t(reader, "players.approximate"))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    async def _record_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if not may_manage(interaction):
            return []
        names = await self.services.store.players.names_like(guild_id_of(interaction), current, 25)
        return player_choices(names)

    async def _record(self, guild_id: int, text: str) -> PlayerRecord:
        """The guild's record for a name or an identifier (the most recently seen of a name)."""
        typed = player_ids.typed(text)
        lowered = text.strip().lower()
        guid = (
            lowered
            if len(lowered) == 32 and all(c in "0123456789abcdef" for c in lowered)
            else None
        )
        strong = [
            i
            for i in identifiers_of(
                "", steam=typed.steam_id, guid=guid, eos=typed.eos_id, mc_uuid=typed.mc_uuid
            )
        ]
        players = self.services.store.players
        found = await players.find(guild_id, strong, text)
        record = await players.get(found[0]) if found else None
        if record is None or record.guild_id != guild_id:
            raise UserError(key="players.not_found_id")
        return record

    @app_commands.command(name="info", description="Everything known about a player")
    @app_commands.describe(player="Name, SteamID64, EOS id, BattlEye GUID or Minecraft UUID")
    @app_commands.autocomplete(player=_record_choices)
    async def info(self, interaction: Interaction, player: app_commands.Range[str, 1, 100]) -> None:
        guild_id = guild_id_of(interaction)
        record = await self._record(guild_id, player)
        store = self.services.store
        names = await self.server_names(guild_id)
        sessions = [s for s in await store.sessions.of_player(record.id) if s.server_id in names]
        now = self.services.poller.clock()
        reader = user_language(interaction)
        embed = discord.Embed(
            title=clip(t(reader, "players.title", name=escape(record.name)), 256),
            description=records.summary(record, sessions, names, now, reader),
            colour=discord.Colour.blurple(),
        )
        guids = [i.value for i in record.identifiers if i.kind == "guid"]
        keys = [n.name.strip().casefold() for n in record.names]
        sanctions = await store.events.sanctions(list(names), keys, guids)
        sections = [
            ("players.identifiers", records.identifier_lines(record.identifiers)),
            ("players.names", records.name_lines(record)),
            ("players.servers_field", records.server_lines(sessions, names, now, reader)),
            ("players.latest", history_lines(sessions, names, now, reader)),
            ("players.notes", records.note_lines(await store.players.notes(record.id))),
            (
                "players.ban_list",
                [render_bans.list_line(b, [], now) for b in await store.bans.of_player(record.id)],
            ),
            ("players.sanctions", records.sanction_lines(sanctions, names, reader)),
        ]
        for title, lines in sections:
            if lines:
                embed.add_field(
                    name=t(reader, title), value=clip("\n".join(lines), 1024), inline=False
                )
        embed.set_footer(text=t(reader, "players.record", id=str(record.id)))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="note", description="Add an admin note to a player's record")
    @app_commands.describe(player="Name or identifier", text="The note (members never see it)")
    @app_commands.autocomplete(player=_record_choices)
    async def note(
        self,
        interaction: Interaction,
        player: app_commands.Range[str, 1, 100],
        text: app_commands.Range[str, 1, MAX_NOTE],
    ) -> None:
        guild_id = guild_id_of(interaction)
        record = await self._record(guild_id, player)
        async with self.audited(interaction, "player note", f"player=#{record.id}"):
            await self.services.store.players.add_note(
                record.id, interaction.user.id, text, self.services.poller.clock()
            )
        await answer(interaction, "players.note_added", name=escape(record.name), id=str(record.id))


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Players(bot))
