"""Which catalogue language a Discord locale gets: the one place that maps Discord's codes
(``en-US``, ``es-ES``, ``pt-BR``, ``zh-CN``…) to the catalogue's, and both to Babel's."""

from __future__ import annotations

import functools

import babel

ENGLISH = "en"
# The catalogue's languages, by Discord's locale codes (en is the source of every key).
LANGUAGES: dict[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es-ES": "Español",
    "pt-BR": "Português (Brasil)",
    "ru": "Русский",
    "uk": "Українська",
    "pl": "Polski",
    "tr": "Türkçe",
    "it": "Italiano",
    "nl": "Nederlands",
    "zh-CN": "中文 (简体)",
    "ja": "日本語",
}
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
