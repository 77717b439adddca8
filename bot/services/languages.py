"""Which language a guild's shared messages (boards, feeds, alerts, the audit mirror) are in.

The guild's ``/settings language`` when set, else the guild's preferred locale as Discord
gives it, else English. Settings are cached (read once at start, written through), so a board
pass asks no database; ephemeral answers use the member's own locale instead
(:func:`bot.i18n.resolve` on the interaction's).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.i18n import LANGUAGES, resolve
from bot.services.errors import UserError
from bot.storage.guild_settings import GuildSettingsRepository

PreferredLocale = Callable[[int], str | None]


def _unknown(guild_id: int) -> str | None:
    return None


class GuildLanguages:
    def __init__(
        self, repository: GuildSettingsRepository, preferred: PreferredLocale = _unknown
    ) -> None:
        self._repository = repository
        # The guild's preferred locale as Discord last told it (the gateway's guild cache).
        self._preferred = preferred
        self._chosen: dict[int, str] = {}

    async def load(self) -> None:
        self._chosen = await self._repository.languages()

    def chosen(self, guild_id: int) -> str | None:
        """The language set with ``/settings language``, or None (follow the guild's)."""
        return self._chosen.get(guild_id)

    def shared(self, guild_id: int, preferred_locale: str | None) -> str:
        """The language of the guild's shared messages, its preferred locale given."""
        return resolve(self.chosen(guild_id), preferred_locale)

    def of(self, guild_id: int) -> str:
        """The language of the guild's shared messages, its preferred locale looked up."""
        return self.shared(guild_id, self._preferred(guild_id))

    async def choose(self, guild_id: int, language: str | None) -> None:
        """Set (or with None, clear) the guild's language."""
        if language is not None and language not in LANGUAGES:
            raise UserError(key="errors.unknown_language")
        await self._repository.set_language(guild_id, language)
        if language is None:
            self._chosen.pop(guild_id, None)
        else:
            self._chosen[guild_id] = language
