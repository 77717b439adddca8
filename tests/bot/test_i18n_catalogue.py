"""Every language file against English and the real command tree (all cogs loaded as the bot
loads them): every key, the same placeholders, translated, within Discord's limits.

A contributor adding a language adds ``bot/i18n/locales/<code>.toml`` (the file is the
language) and runs this file; ``python -m bot.i18n.missing <code>`` lists what is left. A new
command shows up here as missing keys in every language.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.i18n.catalogue import CATALOGUE
from bot.i18n.check import MAX_SCHEMA_TEXT, check
from bot.i18n.locales import ENGLISH, LANGUAGES, catalogue_language
from bot.i18n.missing import offline_tree
from bot.i18n.translator import OutpostTranslator, schema_strings
from tests.fakes.discord.rules import check_commands

TRANSLATED = [lang for lang in LANGUAGES if lang != ENGLISH]


@dataclass(frozen=True)
class Loaded:
    schema: dict[str, str]  # key -> English
    payload: list[dict[str, Any]]  # what a sync sends Discord, translations included
    status: dict[str, str | None]  # /status's description as each Discord locale gets it


async def _load() -> Loaded:
    # Read while the cogs are loaded: closing the bot unloads them from the tree.
    async with offline_tree() as tree:
        translator = tree.translator
        assert isinstance(translator, OutpostTranslator)
        payload = [await c.get_translated_payload(tree, translator) for c in tree.get_commands()]
        command = tree.get_command("status")
        assert isinstance(command, app_commands.Command)
        context = app_commands.TranslationContext(
            location=app_commands.TranslationContextLocation.command_description, data=command
        )
        text = app_commands.locale_str(command.description)
        status = {
            locale.value: await translator.translate(text, locale, context)
            for locale in discord.Locale
        }
        return Loaded(schema_strings(tree), payload, status)


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    return asyncio.run(_load())


@pytest.fixture(scope="module")
def schema(loaded: Loaded) -> dict[str, str]:
    return loaded.schema


def test_the_tree_gives_every_description_and_choice_a_key(schema: dict[str, str]) -> None:
    assert schema["commands.status.description"] == "Show a game server's status, or all of them"
    assert schema["commands.server add.options.address.description"].startswith("host or")
    assert schema["commands.status.options.sort.choices.time"] == "time connected"
    assert "commands.settings language.options.language.description" in schema
    # A language's own name is the same for every reader: not a key.
    assert not any(k.endswith("choices.de") for k in schema)
    assert all(1 <= len(text) <= MAX_SCHEMA_TEXT for text in schema.values())


def test_english_holds_messages_only() -> None:
    # Command texts stay in the cogs; en.toml is the source of the message keys.
    assert not [k for k in CATALOGUE.languages[ENGLISH] if k.startswith("commands.")]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_language_has_every_key_translated(language: str, schema: dict[str, str]) -> None:
    report = check(language, schema)
    # The lines name each missing key with the English to translate.
    assert report.ok, "\n" + "\n".join(report.lines())


def test_the_synced_payload_stays_within_discords_limits_in_every_language(
    loaded: Loaded,
) -> None:
    payload = loaded.payload
    # The fake Discord's rules: each localisation 1-100, Discord's locale codes, and each
    # command's total counted with its longest localisations.
    assert check_commands(payload) == []
    status = next(c for c in payload if c["name"] == "status")
    assert status["description_localizations"]["de"] == (
        "Status eines Gameservers zeigen, oder von allen"
    )
    assert status["description_localizations"]["pt-BR"].startswith("Mostrar o status")
    assert "en-US" not in status["description_localizations"]  # English is the default
    assert not status.get("name_localizations")  # names stay English
    sort = next(o for o in status["options"] if o["name"] == "sort")
    assert sort["choices"][0]["name_localizations"]["ja"] == "接続時間"
    settings = next(c for c in payload if c["name"] == "settings")
    language = settings["options"][0]["options"][0]
    german = next(c for c in language["choices"] if c["value"] == "de")
    assert german["name"] == "Deutsch" and not german.get("name_localizations")


def test_every_discord_locale_maps_to_a_language_or_english(loaded: Loaded) -> None:
    english = loaded.schema["commands.status.description"]
    for locale, translated in loaded.status.items():
        language = catalogue_language(locale)
        if language is None or language == ENGLISH:
            assert translated is None, locale
        else:
            assert translated and translated != english, locale
    assert loaded.status["es-419"] == loaded.status["es-ES"]
