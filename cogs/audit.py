"""``/audit view|export`` and ``/audit channel set|clear``: read the audit log, export it as CSV,
mirror new entries to a channel. Manage Server, checked at run time."""

from __future__ import annotations

import datetime
import io
import logging
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands, ui
from discord.ext import commands

from bot.app import OutpostBot
from bot.errors import user_language
from bot.i18n import t
from bot.rendering.files import UPLOAD_MARGIN, split_csv
from bot.services.audit import (
    MirrorItem,
    MirrorRetry,
    discard_mirror,
    parse_since,
)
from bot.services.errors import UserError
from bot.services.rcon.permissions import Action
from bot.storage.audit import AuditFilter
from cogs._audit_ui import audit_embed, filters_text, mirror_embeds
from cogs._base import ManagedGroupCog
from cogs._common import (
    InvokerOnlyView,
    answer,
    guild_id_of,
    managed_server_choices,
    may_manage,
    require_manage,
)

log = logging.getLogger(__name__)

# The filter options /audit view and /audit export share.
_FILTER_HELP = {
    "server": "Only this server",
    "user": "Only this member",
    "action": "An action ('rcon kick'), a group ('rcon') or a word ('kick')",
    "since": "30m, 24h, 7d, 2w or a date (UTC)",
}

Interaction = discord.Interaction[OutpostBot]
PER_PAGE = 10
PAGE_TIMEOUT = 300.0


MAX_EXPORT_PARTS = 10
# Every action the bot writes to the audit log (for autocomplete and word matching).
KNOWN_ACTIONS = (
    *(f"rcon {a.value}" for a in Action),
    "permissions grant",
    "permissions revoke",
    "server add",
    "server edit",
    "server remove",
    "server display",
    "board set",
    "board remove",
    "alert set",
    "alert remove",
    "feed set",
    "feed remove",
    "watch add",
    "watch remove",
    "audit channel set",
    "audit channel clear",
    "ban add",
    "ban apply",
    "ban kick",
    "ban remove",
    "ban expire",
    "ban lift",
    "ban import",
)
ACTION_GROUPS = tuple(dict.fromkeys(a.split()[0] for a in KNOWN_ACTIONS))


def match_actions(text: str) -> tuple[str | None, tuple[str, ...] | None]:
    """The filter for what was typed in ``action:``, as (prefix, exact actions).

    A prefix of known actions ("rcon", "rcon k") stays a prefix match (it also finds actions
    older or newer bots wrote); otherwise a word of an action ("kick" for "rcon kick",
    "grant") selects the known actions having a word that starts with it."""
    typed = " ".join(text.lower().split())
    if not typed or any(a.startswith(typed) for a in KNOWN_ACTIONS):
        return typed or None, None
    words = tuple(a for a in KNOWN_ACTIONS if any(w.startswith(typed) for w in a.split()))
    if words:
        return None, words
    return typed, None


def _mib(size: int) -> float:
    # Shown with one decimal, written the reader's way (1,5 in German).
    return round(size / 1048576, 1)


async def action_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    if not may_manage(interaction):
        return []
    prefix, exact = match_actions(current)
    if exact is not None:
        names = list(exact)
    else:
        start = prefix or ""
        names = [g for g in ACTION_GROUPS if g.startswith(start) and g != start]
        names += [a for a in KNOWN_ACTIONS if a.startswith(start)]
    return [app_commands.Choice(name=n, value=n) for n in names[:25]]


class AuditPages(InvokerOnlyView):
    """Previous/Next over an audit query, for the invoker only."""

    refusal = "audit.view_yourself"

    def __init__(
        self,
        bot: OutpostBot,
        origin: discord.Interaction[Any],
        f: AuditFilter,
        total: int,
        filters: str = "",
    ) -> None:
        super().__init__(origin.user.id, timeout=PAGE_TIMEOUT)
        self.bot = bot
        self.services = bot.services
        self.origin = origin
        self.filter = f
        self.filters = filters  # shown in the footer
        self.page = 0
        self.total = total
        # Ephemeral: the invoker's language (only the invoker may turn pages).
        self.language = user_language(origin)
        self.previous.label = t(self.language, "auditlog.previous")
        self.next.label = t(self.language, "auditlog.next")
        self._sync_buttons()

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PER_PAGE))

    def _sync_buttons(self) -> None:
        self.previous.disabled = self.page <= 0
        self.next.disabled = self.page >= self.pages - 1

    async def render(self) -> discord.Embed:
        entries, self.total = await self.services.audit.page(self.filter, self.page, PER_PAGE)
        self.page = min(self.page, self.pages - 1)
        self._sync_buttons()
        return audit_embed(entries, self.page, self.pages, self.total, self.filters, self.language)

    async def _turn(self, interaction: discord.Interaction[Any], step: int) -> None:
        # The permission may have been taken away since /audit view: check it on every page.
        require_manage(interaction)
        self.page = max(0, self.page + step)
        embed = await self.render()
        await interaction.response.edit_message(embed=embed, view=self)

    @ui.button(label="◀ Previous", style=discord.ButtonStyle.secondary, custom_id="audit:prev")
    async def previous(self, interaction: discord.Interaction[Any], _: ui.Button[Any]) -> None:
        await self._turn(interaction, -1)

    @ui.button(label="Next ▶", style=discord.ButtonStyle.secondary, custom_id="audit:next")
    async def next(self, interaction: discord.Interaction[Any], _: ui.Button[Any]) -> None:
        await self._turn(interaction, 1)

    async def on_timeout(self) -> None:
        try:
            await self.origin.edit_original_response(view=None)
        except discord.HTTPException:
            pass  # token expired or message gone


class Audit(
    ManagedGroupCog,
    group_name="audit",
    group_description="The audit log of RCON commands and settings changes",
):
    channel = app_commands.Group(name="channel", description="Mirror new entries to a channel")

    async def cog_load(self) -> None:
        self.services.audit_mirror.send = self._mirror
        self.services.audit.add_listener(self.services.audit_mirror.on_entry)

    async def cog_unload(self) -> None:
        self.services.audit.remove_listener(self.services.audit_mirror.on_entry)
        self.services.audit_mirror.send = discard_mirror

    async def _mirror(self, guild_id: int, items: Sequence[MirrorItem]) -> tuple[int, bool]:
        """The mirror queue's sender: one message for a prefix of ``items``."""
        channel_id = await self.services.store.audit.channel(guild_id)
        channel = self.bot.get_channel(channel_id) if channel_id is not None else None
        if not isinstance(channel, discord.TextChannel):
            return len(items), False
        # Seen by everyone in the channel: the guild's language.
        embeds, taken = mirror_embeds(items, self.services.languages.of(guild_id))
        if not embeds:
            return max(taken, 1), False
        try:
            # Entries mention members and channels: shown, never pinged.
            await channel.send(embeds=embeds, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            if exc.status == 429 or exc.status >= 500:
                raise MirrorRetry(f"HTTP {exc.status}") from exc
            log.warning(
                "could not mirror %d audit item(s) to channel %s: HTTP %s code %s",
                taken,
                channel_id,
                exc.status,
                exc.code,
            )
        return taken, True

    async def _filter(
        self,
        interaction: Interaction,
        server: str | None,
        user: discord.User | None,
        action: str | None,
        since: str | None,
    ) -> AuditFilter:
        guild_id = guild_id_of(interaction)
        server_id = None
        if server is not None:
            server_id = (await self.services.registry.get(guild_id, server)).id
        prefix, exact = match_actions(action) if action else (None, None)
        return AuditFilter(
            guild_id=guild_id,
            server_id=server_id,
            user_id=user.id if user is not None else None,
            action=prefix,
            actions=exact,
            since=parse_since(since, datetime.datetime.now(datetime.UTC).replace(tzinfo=None))
            if since
            else None,
        )

    @app_commands.command(name="view", description="Browse the audit log (newest first)")
    @app_commands.describe(**_FILTER_HELP)
    @app_commands.autocomplete(server=managed_server_choices, action=action_choices)
    async def view(
        self,
        interaction: Interaction,
        server: str | None = None,
        user: discord.User | None = None,
        action: app_commands.Range[str, 1, 40] | None = None,
        since: app_commands.Range[str, 1, 30] | None = None,
    ) -> None:
        f = await self._filter(interaction, server, user, action, since)
        shown = filters_text(server, user.name if user else None, action, since)
        pages = AuditPages(self.bot, interaction, f, 0, shown)
        embed = await pages.render()
        await interaction.response.send_message(embed=embed, view=pages, ephemeral=True)

    @app_commands.command(name="export", description="The audit log as a CSV file")
    @app_commands.describe(**_FILTER_HELP)
    @app_commands.autocomplete(server=managed_server_choices, action=action_choices)
    @app_commands.checks.cooldown(1, 10.0, key=lambda i: (i.guild_id, i.user.id))
    async def export(
        self,
        interaction: Interaction,
        server: str | None = None,
        user: discord.User | None = None,
        action: app_commands.Range[str, 1, 40] | None = None,
        since: app_commands.Range[str, 1, 30] | None = None,
    ) -> None:
        f = await self._filter(interaction, server, user, action, since)
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await self.services.audit.export_csv(f)
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
        # The upload limit of this guild (its boost level), as Discord gives it with the
        # interaction; each part goes in its own message.
        limit = interaction.filesize_limit - UPLOAD_MARGIN
        parts = split_csv(data, limit)
        if len(parts) > MAX_EXPORT_PARTS or any(len(p) > limit for p in parts):
            raise UserError(
                key="auditlog.export_too_big",
                size=_mib(len(data)),
                parts=MAX_EXPORT_PARTS,
                limit=_mib(interaction.filesize_limit),
            )
        language = user_language(interaction)
        for i, part in enumerate(parts, 1):
            name = (
                f"audit-{stamp}.csv"
                if len(parts) == 1
                else (f"audit-{stamp}-part{i}of{len(parts)}.csv")
            )
            text = (
                t(language, "auditlog.export_part", part=i, parts=len(parts))
                if len(parts) > 1
                else t(language, "auditlog.export_file")
            )
            await interaction.followup.send(
                text, file=discord.File(io.BytesIO(part), filename=name), ephemeral=True
            )

    @channel.command(name="set", description="Post every new audit entry in this channel")
    @app_commands.describe(channel="The channel")
    async def channel_set(self, interaction: Interaction, channel: discord.TextChannel) -> None:
        guild_id = guild_id_of(interaction)
        async with self.audited(interaction, "audit channel set", f"channel={channel.id}"):
            await self.services.store.audit.set_channel(guild_id, channel.id)
        await answer(interaction, "auditlog.channel_set", channel=channel.mention)

    @channel.command(name="clear", description="Stop mirroring audit entries")
    async def channel_clear(self, interaction: Interaction) -> None:
        guild_id = guild_id_of(interaction)
        async with self.audited(interaction, "audit channel clear"):
            await self.services.store.audit.set_channel(guild_id, None)
        await answer(interaction, "auditlog.channel_cleared")


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Audit(bot))
