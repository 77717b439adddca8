"""``/board set|list|remove``: status boards the bot keeps current in a channel."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import user_language
from bot.i18n import t
from bot.rendering.embeds import MAX_EMBED_TOTAL, MAX_FIELD_VALUE, MAX_FIELDS
from bot.rendering.text import clip, escape, join_within, more_line
from bot.services.errors import UserError
from bot.services.status.boards import pause_reason_text
from bot.storage import Server
from cogs._base import ManagedGroupCog
from cogs._common import answer, guild_id_of, may_manage, missing_permissions
from cogs._status_ui import Interaction

log = logging.getLogger(__name__)

LIST_BUDGET = MAX_EMBED_TOTAL - 100  # room for the footer
BoardChannel = discord.TextChannel | discord.Thread
NEEDED = discord.Permissions(
    view_channel=True, send_messages=True, embed_links=True, read_message_history=True
)


def split_names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


class Boards(
    ManagedGroupCog, group_name="board", group_description="Live status boards in a channel"
):
    async def _servers_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        # Comma-separated names: complete the last one, keep the ones already typed.
        if not may_manage(interaction):
            return []
        done, _, last = current.rpartition(",")
        prefix = f"{done}, " if done else ""
        names = self.services.poller.names(guild_id_of(interaction), last, limit=25)
        choices = []
        for name in names:
            value = prefix + name
            if len(value) <= 100:
                choices.append(app_commands.Choice(name=value, value=value))
        return choices

    async def _resolve(self, guild_id: int, text: str | None) -> list[Server]:
        if text is None:
            return []
        chosen: list[Server] = []
        for name in split_names(text):
            server = await self.services.registry.get(guild_id, name)
            if server.id not in {s.id for s in chosen}:
                chosen.append(server)
        return chosen

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        # Someone deleted a board message: repost it rather than wait for a failing edit.
        if payload.guild_id is not None:
            await self.services.boards.forget_message(payload.message_id)

    @app_commands.command(name="set", description="Post a live status board in a channel")
    @app_commands.describe(
        channel="Where the board goes",
        servers="Server names separated by commas (empty: every server)",
        style="compact: ten servers a message; detailed: four, with their players",
    )
    @app_commands.choices(
        style=[
            app_commands.Choice(name="compact", value="compact"),
            app_commands.Choice(name="detailed (with players)", value="detailed"),
        ]
    )
    @app_commands.autocomplete(servers=_servers_choices)
    async def set_board(
        self,
        interaction: Interaction,
        channel: BoardChannel,
        servers: app_commands.Range[str, 1, 1000] | None = None,
        style: str = "compact",
    ) -> None:
        guild_id = guild_id_of(interaction)
        chosen = await self._resolve(guild_id, servers)
        reader = user_language(interaction)
        missing = missing_permissions(channel, NEEDED, reader)
        if missing:
            raise UserError(key="boards.need_permissions", channel=channel.mention, missing=missing)
        await interaction.response.defer(ephemeral=True, thinking=True)
        names = ",".join(s.name for s in chosen) or "every server"
        async with self.audited(
            interaction, "board set", f"channel={channel.id} servers={names!r} style={style}"
        ):
            board = await self.services.store.boards.upsert(
                guild_id,
                channel.id,
                [s.id for s in chosen],
                interaction.user.id,
                style=style,
                limit=self.bot.settings.quotas.boards,
            )
        await self.services.poller.refresh_roster()
        await self.services.boards.update_board(board)
        current = await self.services.store.boards.get(board.id)
        if current is not None and current.paused is not None:
            # The board's stored pause reason, said in the reader's language.
            reason = pause_reason_text(current.paused, reader)
            text = t(reader, "boards.not_posted", channel=channel.mention, reason=reason)
            await interaction.followup.send(text, ephemeral=True)
            return
        what = (
            t(reader, "boards.servers", count=len(chosen))
            if chosen
            else t(reader, "boards.every_server")
        )
        text = t(reader, "boards.posted", style=style, channel=channel.mention, what=what)
        await interaction.followup.send(text, ephemeral=True)

    @app_commands.command(name="list", description="List this Discord server's status boards")
    async def list_boards(self, interaction: Interaction) -> None:
        guild_id = guild_id_of(interaction)
        reader = user_language(interaction)
        boards = await self.services.store.boards.for_guild(guild_id)
        embed = discord.Embed(title=t(reader, "boards.list_title"), colour=discord.Colour.blurple())
        if not boards:
            embed.description = t(reader, "boards.list_empty")
        names = await self.server_names(guild_id)
        # Discord: 25 fields and 6,000 characters per embed; the rest is counted, not shown.
        used = len(embed.title or "")
        for i, board in enumerate(boards):
            shown = (
                join_within(
                    [escape(names[n]) for n in board.server_ids if n in names], 300
                ).replace("\n", ", ")
                if board.server_ids
                else t(reader, "boards.every_server")
            )
            messages = len(await self.services.store.boards.messages(board.id))
            state = (
                t(
                    reader,
                    "boards.paused",
                    reason=clip(pause_reason_text(board.paused, reader), 300),
                )
                if board.paused
                else t(reader, "boards.running")
            )
            state += f" · {board.style}"
            name = clip(f"#{_channel_name(interaction, board.channel_id)}", 100)
            count = t(reader, "boards.messages", count=messages)
            value = clip(f"{state}\n{shown}\n{count}", MAX_FIELD_VALUE)
            if i == MAX_FIELDS or used + len(name) + len(value) > LIST_BUDGET:
                embed.set_footer(text=more_line(len(boards) - i, reader))
                break
            embed.add_field(name=name, value=value, inline=False)
            used += len(name) + len(value)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="remove", description="Remove the status board of a channel")
    @app_commands.describe(channel="The channel holding the board")
    async def remove_board(self, interaction: Interaction, channel: BoardChannel) -> None:
        guild_id = guild_id_of(interaction)
        board = await self.services.store.boards.in_channel(guild_id, channel.id)
        if board is None:
            raise UserError(key="boards.none_in", channel=channel.mention)
        await interaction.response.defer(ephemeral=True, thinking=True)
        async with self.audited(interaction, "board remove", f"channel={channel.id}"):
            message_ids = await self.services.store.boards.remove(guild_id, channel.id)
        for message_id in message_ids:
            try:
                await channel.get_partial_message(message_id).delete()
            except discord.HTTPException as exc:
                log.info("board message %d not deleted (%s)", message_id, exc.code)
        await answer(interaction, "boards.removed", channel=channel.mention)


def _channel_name(interaction: Interaction, channel_id: int) -> str:
    guild = interaction.guild
    channel = guild.get_channel_or_thread(channel_id) if guild is not None else None
    return channel.name if channel is not None else str(channel_id)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Boards(bot))
