"""``/settings language [language]``: the language of a guild's shared messages (boards, feeds,
alerts, the audit mirror). Members' own answers stay in each member's Discord language."""

from __future__ import annotations

from discord import app_commands
from discord.ext import commands

from bot.i18n import LANGUAGES, language_name
from cogs._base import ManagedGroupCog
from cogs._common import answer, guild_id_of, guild_language
from cogs._status_ui import Interaction

DEFAULT = "default"  # the choice that follows the guild's preferred locale again


def _language_choices() -> list[app_commands.Choice[str]]:
    # Each language by its own name (not translated: a reader looks for their own language's),
    # then the way back to the guild's locale (translated).
    own = [
        app_commands.Choice(
            name=app_commands.locale_str(language_name(code), translate=False), value=code
        )
        for code in LANGUAGES
    ]
    return [*own, app_commands.Choice(name="This Discord server's language", value=DEFAULT)]


class Settings(
    ManagedGroupCog,
    group_name="settings",
    group_description="Outpost's settings for this Discord server",
):
    @app_commands.command(
        name="language",
        description="Show or set the language of boards, feeds and alerts",
    )
    @app_commands.describe(language="The language (empty: show the current one)")
    @app_commands.choices(language=_language_choices())
    async def language(self, interaction: Interaction, language: str | None = None) -> None:
        guild_id = guild_id_of(interaction)
        languages = self.services.languages
        if language is None:
            shared = language_name(guild_language(interaction))
            key = (
                "settings.language_current"
                if languages.chosen(guild_id)
                else "settings.language_default"
            )
            await answer(interaction, key, language=shared)
            return
        chosen = None if language == DEFAULT else language
        async with self.audited(interaction, "settings language", f"language={chosen}"):
            await languages.choose(guild_id, chosen)
        # Boards speak the new language from their next pass.
        shared = language_name(guild_language(interaction))
        key = "settings.language_set" if chosen is not None else "settings.language_reset"
        await answer(interaction, key, language=shared)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Settings(bot))
