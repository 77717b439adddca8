"""``/ban add|list|info|remove|export|import``: the guild ban list, one ban for every server.

No ``default_permissions``: roles granted ``ban`` (add, import) and ``unban`` (remove) must see
the group; the service checks the grants per server at every call. Each answer comes first
(deferred, ephemeral), the console work after.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import OutpostBot
from bot.errors import user_language
from bot.i18n import t
from bot.rendering.text import clip, escape, sanitize
from bot.services.bans import render
from bot.services.bans.service import BanReport
from bot.services.bans.transfer import MAX_IMPORT_BYTES, parse
from bot.services.errors import UserError
from bot.services.rcon.actions import MAX_REASON
from bot.services.rcon.permissions import Action
from bot.storage.bans import Ban
from cogs._base import OutpostGroupCog
from cogs._common import guild_id_of, guild_language, player_choices
from cogs._lists import list_embed
from cogs._rcon_ui import caller_of
from cogs._results import TONES, Tone

Interaction = discord.Interaction[OutpostBot]
PER_PAGE = 10
_WAITING = frozenset({"pending", "failed", "lifting"})


def _tone(report: BanReport) -> Tone:
    if not report.outcomes:
        return "warn"
    return "warn" if any(o.state in _WAITING for o in report.outcomes) else "ok"


def _ban_embed(
    language: str, title: str, ban: Ban, report: BanReport | None, tone: Tone
) -> discord.Embed:
    """A ban as one member reads it (ephemeral: in their language; the reason as typed)."""
    embed = discord.Embed(title=clip(title, 256), colour=TONES[tone])
    length = render.length_text(ban, language)
    embed.description = clip(
        t(language, "banlist.details", reason=escape(ban.reason), length=length), 4096
    )
    if report is not None:
        embed.add_field(
            name=t(language, "banlist.servers"),
            value=clip(render.outcome_lines(report.outcomes, language), 1024),
            inline=False,
        )
        if report.refused:
            names = ", ".join(escape(n) for n in report.refused[:10])
            embed.add_field(
                name=t(language, "banlist.left_out"), value=clip(names, 1024), inline=False
            )
    embed.set_footer(text=t(language, "banlist.footer", id=str(ban.id)))
    return embed


class Bans(OutpostGroupCog, group_name="ban", group_description="The ban list of all your servers"):
    async def _may(self, interaction: Interaction, action: Action) -> bool:
        if interaction.guild_id is None:
            return False
        decision = await self.services.permissions.decide(caller_of(interaction), action, None)
        return decision.allowed or interaction.permissions.manage_guild

    async def _player_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if not await self._may(interaction, Action.BAN) or interaction.guild_id is None:
            return []
        names = await self.services.store.players.names_like(interaction.guild_id, current, 25)
        return player_choices(names)

    async def _server_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Comma-separated names: suggests the next one after what is typed."""
        if not await self._may(interaction, Action.BAN) or interaction.guild_id is None:
            return []
        done, _, last = current.rpartition(",")
        chosen = {n.strip().casefold() for n in done.split(",") if n.strip()}
        prefix = f"{done}, " if done else ""
        names = self.services.poller.names(interaction.guild_id, last.strip(), 25)
        return [
            app_commands.Choice(name=clip(prefix + n, 100), value=clip(prefix + n, 100))
            for n in names
            if n.casefold() not in chosen and len(prefix + n) <= 100
        ]

    async def _ban_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None or not (
            await self._may(interaction, Action.UNBAN) or await self._may(interaction, Action.BAN)
        ):
            return []
        now = self.services.bans.clock()
        bans = await self.services.store.bans.listed(interaction.guild_id, now, limit=100)
        needle = current.strip().casefold().removeprefix("#")
        hits = [
            b for b in bans if not needle or needle in b.label.casefold() or str(b.id) == needle
        ]
        return [
            app_commands.Choice(name=clip(f"#{b.id} {sanitize(b.label)}", 100), value=str(b.id))
            for b in hits[:25]
        ]

    @app_commands.command(name="add", description="Ban a player from every server (or some)")
    @app_commands.describe(
        player="A name seen on your servers, or a SteamID, BattlEye GUID, EOS id, Minecraft name",
        reason="Why (the player is told it when kicked)",
        duration="30m, 12h, 7d, 2w or minutes; empty: permanent",
        servers="Server names, comma-separated; empty: every server",
    )
    @app_commands.autocomplete(player=_player_choices, servers=_server_choices)
    async def add(
        self,
        interaction: Interaction,
        player: app_commands.Range[str, 1, 100],
        reason: app_commands.Range[str, 1, MAX_REASON],
        duration: app_commands.Range[str, 0, 20] = "",
        servers: app_commands.Range[str, 0, 500] = "",
    ) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        names = [n for n in servers.split(",") if n.strip()]
        report = await self.services.bans.add(
            caller_of(interaction), interaction.user.name, player, reason, duration, names
        )
        language = user_language(interaction)
        title = t(language, "banlist.add_title", player=escape(report.ban.label))
        embed = _ban_embed(language, title, report.ban, report, _tone(report))
        await interaction.followup.send(embed=embed, ephemeral=True)

    @app_commands.command(name="remove", description="Lift a ban on every server")
    @app_commands.describe(ban="The ban's number, or the player's name or identifier")
    @app_commands.autocomplete(ban=_ban_choices)
    async def remove(self, interaction: Interaction, ban: app_commands.Range[str, 1, 100]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self.services.bans.remove(caller_of(interaction), interaction.user.name, ban)
        language = user_language(interaction)
        title = t(language, "banlist.remove_title", player=escape(report.ban.label))
        embed = _ban_embed(language, title, report.ban, report, _tone(report))
        await interaction.followup.send(embed=embed, ephemeral=True)

    @app_commands.command(name="list", description="The ban list")
    @app_commands.describe(show="Active bans, or the lifted and expired ones", page="Page")
    async def list_(
        self,
        interaction: Interaction,
        show: Literal["active", "history"] = "active",
        page: app_commands.Range[int, 1, 1000] = 1,
    ) -> None:
        guild_id = guild_id_of(interaction)
        if not await self._may(interaction, Action.BAN):
            raise UserError(key="banlist.needs_permission")
        language = user_language(interaction)
        store, now = self.services.store, self.services.bans.clock()
        bans = await store.bans.listed(
            guild_id, now, active=show == "active", limit=PER_PAGE, offset=(page - 1) * PER_PAGE
        )
        lines = [render.list_line(b, await store.bans.targets(b.id), now, language) for b in bans]
        total = await store.bans.count_active(guild_id, now)
        title = (
            t(language, "banlist.list_title", count=total)
            if show == "active"
            else t(language, "banlist.list_history")
        )
        embed = list_embed(title, lines, t(language, "banlist.list_empty"), language)
        embed.set_footer(text=t(language, "banlist.list_footer", page=page))
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="info", description="One ban: who, why, and where it stands")
    @app_commands.describe(ban="The ban's number, or the player's name or identifier")
    @app_commands.autocomplete(ban=_ban_choices)
    async def info(self, interaction: Interaction, ban: app_commands.Range[str, 1, 100]) -> None:
        guild_id = guild_id_of(interaction)
        if not await self._may(interaction, Action.BAN):
            raise UserError(key="banlist.needs_permission")
        language = user_language(interaction)
        found = await self.services.bans.find(guild_id, ban)
        now = self.services.bans.clock()
        names = await self.server_names(guild_id)
        targets = await self.services.store.bans.targets(found.id)
        title = t(language, "banlist.info_title", player=escape(found.label))
        embed = _ban_embed(language, title, found, None, "ok")
        status = t(
            language,
            "banlist.status_by",
            status=render.status_text(found, now, language),
            user=f"<@{found.created_by}>",
            when=f"<t:{int(found.created_at)}:f>",
        )
        embed.add_field(name=t(language, "banlist.status"), value=status, inline=False)
        idents = render.identifier_lines(found, language)
        if idents:
            embed.add_field(
                name=t(language, "banlist.identifiers"),
                value=clip("\n".join(idents), 1024),
                inline=False,
            )
        outcomes = render.target_outcomes(targets, names, language)
        embed.add_field(
            name=t(language, "banlist.servers"),
            value=clip(render.outcome_lines(outcomes, language), 1024),
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="export", description="Download the ban list (CSV or JSON)")
    @app_commands.describe(format="File format")
    async def export(
        self, interaction: Interaction, format: Literal["csv", "json"] = "csv"
    ) -> None:
        guild_id = guild_id_of(interaction)
        if not await self._may(interaction, Action.BAN):
            raise UserError(key="banlist.needs_permission")
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await self.services.bans.export(guild_id, format)
        day = dt.datetime.fromtimestamp(self.services.bans.clock(), dt.UTC).strftime("%Y-%m-%d")
        file = discord.File(io.BytesIO(data), filename=f"bans-{day}.{format}")
        text = t(user_language(interaction), "banlist.export")
        await interaction.followup.send(text, file=file, ephemeral=True)

    @app_commands.command(
        name="import", description="Import bans: bans.txt, banned-players.json, or an export"
    )
    @app_commands.describe(
        file="BattlEye bans.txt, Minecraft banned-players.json, or a /ban export (CSV or JSON)",
        servers="Server names, comma-separated; empty: every server",
    )
    @app_commands.autocomplete(servers=_server_choices)
    async def import_(
        self,
        interaction: Interaction,
        file: discord.Attachment,
        servers: app_commands.Range[str, 0, 500] = "",
    ) -> None:
        if file.size > MAX_IMPORT_BYTES:
            raise UserError(key="banlist.file_too_large", mb=MAX_IMPORT_BYTES // (1024 * 1024))
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        # A BanImportError is a keyed UserError: the member reads why in their language.
        # An entry without a reason gets the bot's own, which the players read: the guild's.
        default = t(guild_language(interaction), "banlist.import.reason")
        parsed = parse(file.filename, data, self.services.bans.clock(), default_reason=default)
        names = [n for n in servers.split(",") if n.strip()]
        added, already = await self.services.bans.import_bans(
            caller_of(interaction), interaction.user.name, parsed.bans, names
        )
        language = user_language(interaction)
        lines = [t(language, "banlist.imported", count=added)]
        for count, key in (
            (already, "banlist.import_already"),
            (parsed.expired, "banlist.import_expired"),
            (parsed.ip_only, "banlist.import_ip"),
            (parsed.skipped, "banlist.import_skipped"),
        ):
            if count:
                lines.append(t(language, key, count=count))
        title = t(language, "banlist.import_title", file=escape(sanitize(file.filename)))
        embed = discord.Embed(
            title=clip(title, 256),
            description="\n".join(lines),
            colour=TONES["ok" if added else "warn"],
        )
        await interaction.followup.send(embed=embed, ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Bans(bot))
