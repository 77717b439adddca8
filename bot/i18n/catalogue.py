"""The message catalogue: one TOML file per language in ``locales/``, read and checked once at
import (a malformed file, a bad placeholder or an unknown plural category raises
:class:`CatalogueError` naming the file and the key).

A value is a string with named ``{placeholders}`` or, for a count, a table of CLDR plural
forms (``one``, ``few``, ``many``, ``other``…; ``other`` is required). Nested TOML tables
flatten into dotted keys: ``[errors] cooldown = …`` is ``errors.cooldown``.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.i18n.locales import DISCORD_LOCALES, ENGLISH, LOCALES_DIR, shipped_languages

PLURAL_FORMS = frozenset({"zero", "one", "two", "few", "many", "other"})

Entry = str | dict[str, str]


class CatalogueError(ValueError):
    """A locale file that cannot be used, naming the file and the key."""


def placeholders(text: str) -> frozenset[str]:
    """The named placeholders of ``text``; raises ValueError on positional or formatted ones."""
    names = set()
    for _literal, field, spec, conversion in string.Formatter().parse(text):
        if field is None:
            continue
        if not field.isidentifier():
            raise ValueError(f"placeholder {{{field}}} is not a plain name")
        if spec or conversion:
            raise ValueError(f"placeholder {{{field}}} has a format: pass formatted values")
        names.add(field)
    return frozenset(names)


def entry_placeholders(entry: Entry) -> frozenset[str]:
    if isinstance(entry, str):
        return placeholders(entry)
    found: set[str] = set()
    for text in entry.values():
        found |= placeholders(text)
    return frozenset(found)


def _is_plural(table: Mapping[str, Any]) -> bool:
    return bool(table) and "other" in table and set(table) <= PLURAL_FORMS


def flatten(data: Mapping[str, Any], file: str, prefix: str = "") -> dict[str, Entry]:
    """Dotted keys -> checked entries."""
    out: dict[str, Entry] = {}
    for name, value in data.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict) and _is_plural(value):
            if not all(isinstance(v, str) and v for v in value.values()):
                raise CatalogueError(f"{file}: {key}: every plural form must be a string")
            entry: Entry = dict(value)
        elif isinstance(value, dict):
            out.update(flatten(value, file, f"{key}."))
            continue
        elif isinstance(value, str) and value:
            entry = value
        else:
            raise CatalogueError(f"{file}: {key}: expected a text or a plural table")
        try:
            entry_placeholders(entry)
        except ValueError as exc:
            raise CatalogueError(f"{file}: {key}: {exc}") from None
        out[key] = entry
    return out


def parse(text: str, file: str) -> dict[str, Entry]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{file}: not valid TOML: {exc}") from None
    return flatten(data, file)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """Every language's entries; a key a language lacks is looked up in English."""

    languages: Mapping[str, Mapping[str, Entry]]

    def lookup(self, language: str, key: str) -> str | None:
        """A plain text in ``language`` only (no fallback): what Discord's schema gets."""
        found = self.languages.get(language, {}).get(key)
        return found if isinstance(found, str) else None


def file_name(language: str) -> str:
    return f"{language}.toml"


def load(folder: Path = LOCALES_DIR) -> Catalogue:
    languages: dict[str, dict[str, Entry]] = {}
    for language in shipped_languages(folder):
        name = file_name(language)
        if language != ENGLISH and language not in DISCORD_LOCALES:
            raise CatalogueError(f"{name}: not named by a Discord locale code (de, pt-BR, zh-CN…)")
        source = folder / name
        if not source.is_file():
            raise CatalogueError(f"{name}: missing locale file")
        languages[language] = parse(source.read_text(encoding="utf-8"), name)
    return Catalogue(languages)


CATALOGUE = load()
