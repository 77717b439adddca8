"""What every cog shares: guild checks done again at run time, the member's answer, and
invoker-only buttons."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import discord
from discord import app_commands

from bot.app import OutpostBot
from bot.errors import ReportingView, permission_name, user_language
from bot.i18n import ENGLISH, Value, resolve, t
from bot.rendering.text import sanitize


def guild_id_of(interaction: discord.Interaction[Any]) -> int:
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage()
    return interaction.guild_id


def may_manage(interaction: discord.Interaction[Any]) -> bool:
    """For autocomplete, which skips command checks: suggest nothing without the permission."""
    return interaction.guild_id is not None and interaction.permissions.manage_guild


async def managed_server_choices(
    interaction: discord.Interaction[OutpostBot], current: str
) -> list[app_commands.Choice[str]]:
    """Server-name autocomplete for the manage-only cogs; nothing without the permission."""
    if not may_manage(interaction):
        return []
    registry = interaction.client.services.registry
    names = await registry.autocomplete(guild_id_of(interaction), current)
    return [app_commands.Choice(name=n, value=n) for n in names[:25]]


def player_choices(names: Iterable[str]) -> list[app_commands.Choice[str]]:
    """Player names as autocomplete choices. Names come from game servers: shown without
    controls or bidi overrides, the value as stored (what the command looks up)."""
    return [app_commands.Choice(name=sanitize(n)[:100] or "?", value=n[:100]) for n in names if n]


def missing_permissions(
    channel: discord.TextChannel | discord.Thread,
    needed: discord.Permissions,
    language: str = ENGLISH,
) -> str:
    """The ``needed`` permissions the bot lacks in ``channel``, as words ("send messages,
    embed links"; in another language Discord's names of them); empty when none is missing or
    the bot's member is not cached (Discord will tell when posting)."""
    me: discord.Member | None = channel.guild.me  # typed as always set; it is not
    if me is None:
        return ""
    have = channel.permissions_for(me)
    lacking = [name for name, value in needed if value and not getattr(have, name)]
    if language == ENGLISH:
        return ", ".join(name.replace("_", " ") for name in lacking)
    return ", ".join(permission_name(language, name) for name in lacking)


def require_manage(interaction: discord.Interaction[Any]) -> None:
    """``default_permissions`` is only a hint admins can change: check again at run time."""
    guild_id_of(interaction)
    if not interaction.permissions.manage_guild:
        raise app_commands.MissingPermissions(["manage_guild"])


async def answer(interaction: discord.Interaction[Any], key: str, /, **values: Value) -> None:
    """Tell the member the catalogue message ``key``: ephemeral, so in their own language; a
    follow-up once the interaction is answered or deferred."""
    text = t(user_language(interaction), key, **values)
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)


def guild_language(interaction: discord.Interaction[Any]) -> str:
    """The language of what the bot posts for everyone (boards, public answers): the guild's
    ``/settings language``, else its preferred locale, else English. Ephemeral answers use
    :func:`bot.errors.user_language` (the member's own)."""
    preferred = interaction.guild_locale.value if interaction.guild_locale else None
    languages = getattr(interaction.client, "services", None)
    if languages is None or interaction.guild_id is None:
        return resolve(preferred)
    shared: str = languages.languages.shared(interaction.guild_id, preferred)
    return shared


class InvokerOnlyView(ReportingView):
    """Buttons only the member who ran the command may press; others get ``refusal``."""

    refusal = "errors.invoker_only"  # a catalogue key, said in the presser's language

    def __init__(self, invoker_id: int, *, timeout: float | None) -> None:
        super().__init__(timeout=timeout)
        self.invoker_id = invoker_id

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        if interaction.user.id != self.invoker_id:
            await answer(interaction, self.refusal)
            return False
        return True
