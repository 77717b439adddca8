"""Which catalogue language a Discord locale gets: the one place that maps Discord's codes
(``en-US``, ``es-ES``, ``pt-BR``, ``zh-CN``…) to the catalogue's, and both to Babel's."""

from __future__ import annotations

import functools
from pathlib import Path

import babel

ENGLISH = "en"
LOCALES_DIR = Path(__file__).with_name("locales")
# The locale codes Discord sends (interaction.locale, guild_locale) and accepts in
# *_localizations; a catalogue file is named by one of them (English: en).
DISCORD_LOCALES = frozenset(
    "id da de en-GB en-US es-ES es-419 fr hr it lt hu nl no pl pt-BR ro fi sv-SE vi tr cs el "
    "bg ru uk hi th zh-CN ja zh-TW ko".split()
)


def shipped_languages(folder: Path = LOCALES_DIR) -> tuple[str, ...]:
    """The catalogue's languages: one ``<code>.toml`` each (a new file is a new language),
    English first."""
    codes = sorted(path.stem for path in folder.glob("*.toml"))
    return (ENGLISH, *(code for code in codes if code != ENGLISH))


LANGUAGES: tuple[str, ...] = shipped_languages()
# Discord locales that are not catalogue languages but read one well.
_ALIASES = {"en-US": "en", "en-GB": "en", "es-419": "es-ES"}


def catalogue_language(discord_locale: str | None) -> str | None:
    """The catalogue language for a Discord locale code, or None when there is none."""
    if discord_locale is None:
        return None
    if discord_locale in LANGUAGES:
        return discord_locale
    return _ALIASES.get(discord_locale)


def resolve(*candidates: str | None) -> str:
    """The first candidate with a catalogue language, else English."""
    for candidate in candidates:
        language = catalogue_language(candidate)
        if language is not None:
            return language
    return ENGLISH


@functools.cache
def babel_locale(language: str) -> babel.Locale:
    """The Babel locale of a catalogue language (plural rules, number and date formats)."""
    return babel.Locale.parse(language, sep="-")
