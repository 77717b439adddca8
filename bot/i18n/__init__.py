"""Outpost's languages: ``t(language, key, **values)`` from the message catalogue.

Discord-free (services and rendering use it); the command tree's translator is
:mod:`bot.i18n.translator`. Languages are Discord's locale codes (``de``, ``pt-BR``…); map a
Discord locale with :func:`resolve`. A key a language lacks falls back to English for that
key, and a text that cannot be formatted falls back to the English text: a message never
breaks over a translation.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot.i18n.catalogue import CATALOGUE, Entry
from bot.i18n.formatting import duration, number
from bot.i18n.locales import ENGLISH, LANGUAGES, babel_locale, catalogue_language, resolve

__all__ = [
    "ENGLISH",
    "LANGUAGES",
    "catalogue_language",
    "duration",
    "language_name",
    "number",
    "resolve",
    "stored_text",
    "t",
]

log = logging.getLogger(__name__)

Value = str | int | float


def plural_form(language: str, count: float) -> str:
    """The CLDR plural category of ``count`` in ``language`` (``one``, ``few``, ``other``…)."""
    form: str = babel_locale(language).plural_form(count)
    return form


def _text(entry: Entry, language: str, values: Mapping[str, Value]) -> str:
    if isinstance(entry, str):
        return entry
    count = values.get("count")
    if not isinstance(count, int | float):
        raise ValueError("a plural message needs a numeric count")
    return entry.get(plural_form(language, count), entry["other"])


def _formatted(language: str, values: Mapping[str, Value]) -> dict[str, str]:
    # Numbers are written the language's way (1.234 in German); pass a str for an id or port.
    return {
        name: number(language, value) if isinstance(value, int | float) else value
        for name, value in values.items()
    }


def language_name(language: str) -> str:
    """The language's own name (``Deutsch``), from its file's ``[language] name``."""
    return t(language, "language.name")


def t(language: str, key: str, /, **values: Value) -> str:
    """The message ``key`` in ``language`` with its ``{placeholders}`` filled."""
    own = CATALOGUE.languages.get(language, {}).get(key)
    english = CATALOGUE.languages[ENGLISH].get(key)
    for lang, entry in ((language, own), (ENGLISH, english)):
        if entry is None:
            continue
        try:
            return _text(entry, lang, values).format_map(_formatted(language, values))
        except (KeyError, ValueError, IndexError) as exc:
            log.error("message %s in %s cannot be formatted: %r", key, lang, exc)
    log.error("message %s is not in the catalogue", key)
    return key


def stored_text(stored: str, english: Mapping[str, str], language: str, prefix: str) -> str:
    """A text stored in English (``english``: code -> that text) shown in ``language`` through
    ``<prefix>.<code>``; one this bot does not know, as stored."""
    for code, text in english.items():
        if text == stored:
            return t(language, f"{prefix}.{code}")
    return stored
