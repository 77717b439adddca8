"""A guild's shared language: stored on both backends, cached, resolved with its locale."""

from __future__ import annotations

import pytest

from bot.services.errors import UserError
from bot.services.languages import GuildLanguages
from bot.storage import Store


async def test_choose_show_and_clear_on_both_backends(backend_store: Store) -> None:
    languages = GuildLanguages(backend_store.guild_settings)
    await languages.load()
    assert languages.chosen(1) is None
    # Nothing chosen: the guild's preferred locale, mapped; else English.
    assert languages.shared(1, "pt-BR") == "pt-BR"
    assert languages.shared(1, "en-GB") == "en"
    assert languages.shared(1, "ko") == "en"
    await languages.choose(1, "fr")
    await languages.choose(2, "ja")
    assert languages.shared(1, "de") == "fr"  # the setting beats the locale
    # Another process (a restart) reads the same.
    again = GuildLanguages(backend_store.guild_settings)
    await again.load()
    assert (again.chosen(1), again.chosen(2), again.chosen(3)) == ("fr", "ja", None)
    await languages.choose(1, None)
    assert languages.shared(1, "de") == "de"
    assert await backend_store.guild_settings.language_of(1) is None
    assert await backend_store.guild_settings.languages() == {2: "ja"}


async def test_an_unknown_language_is_refused(backend_store: Store) -> None:
    languages = GuildLanguages(backend_store.guild_settings)
    with pytest.raises(UserError):
        await languages.choose(1, "xx")
    assert await backend_store.guild_settings.languages() == {}
