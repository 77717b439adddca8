"""The message catalogue: its loader's checks, plurals, per-key fallback, locale formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import describe_error
from bot.i18n import catalogue as catalogue_module
from bot.i18n import language_name, plural_form, resolve, t
from bot.i18n.catalogue import CATALOGUE, Catalogue, CatalogueError, parse
from bot.i18n.check import check
from bot.i18n.formatting import duration, number
from bot.services.errors import UserError


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[errors]\nx = "in {0} s"', "de.toml: errors.x: placeholder {0} is not a plain name"),
        ('[errors]\nx = "in {n:.1f} s"', "de.toml: errors.x: placeholder {n} has a format"),
        ('[errors]\nx = "oops {"', "de.toml: errors.x: "),
        ("[errors]\nx = 3", "de.toml: errors.x: expected a text or a plural table"),
        ('[errors]\nx = ""', "de.toml: errors.x: expected a text or a plural table"),
        ('[errors.x]\none = "a"\nother = 2', "de.toml: errors.x: every plural form"),
        ('[errors\nx = "a"', "de.toml: not valid TOML"),
    ],
)
def test_a_broken_file_names_file_and_key(text: str, message: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse(text, "de.toml")
    assert str(caught.value).startswith(message)


def test_every_shipped_file_loads() -> None:
    # The import already did; a second load proves it reads the package's files, not a cache.
    assert set(catalogue_module.load().languages) == set(CATALOGUE.languages)
    assert len(CATALOGUE.languages) == 13


def test_a_new_file_is_a_new_language_and_its_name_must_be_discords(tmp_path: Path) -> None:
    (tmp_path / "en.toml").write_text('[a]\nb = "Hi"\n', encoding="utf-8")
    (tmp_path / "ko.toml").write_text('[a]\nb = "안녕"\n', encoding="utf-8")
    assert catalogue_module.load(tmp_path).languages["ko"] == {"a.b": "안녕"}
    (tmp_path / "klingon.toml").write_text('[a]\nb = "nuqneH"\n', encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"^klingon.toml: not named by a Discord locale"):
        catalogue_module.load(tmp_path)


def test_nested_tables_flatten_and_plural_tables_stay_whole() -> None:
    entries = parse('[a.b]\nc = "x {n}"\n[a.d]\none = "{count} bot"\nother = "{count} bots"', "f")
    assert entries == {"a.b.c": "x {n}", "a.d": {"one": "{count} bot", "other": "{count} bots"}}


def test_plural_forms_follow_cldr() -> None:
    assert [plural_form("ru", n) for n in (1, 3, 5, 21)] == ["one", "few", "many", "one"]
    assert [plural_form("pl", n) for n in (1, 2, 5, 22)] == ["one", "few", "many", "few"]
    assert plural_form("ja", 1) == "other"
    assert t("en", "status.bots", count=1) == "1 bot"
    assert t("en", "status.bots", count=1200) == "1,200 bots"


def test_missing_key_falls_back_to_english_for_that_key_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = Catalogue({"en": {"a": "Hello {name}", "b": "Bye"}, "de": {"b": "Tschüss"}})
    monkeypatch.setattr("bot.i18n.CATALOGUE", fake)
    assert t("de", "a", name="Eve") == "Hello Eve"
    assert t("de", "b") == "Tschüss"
    assert t("de", "nope") == "nope"  # a key nobody has: shown as the key, never raises


def test_a_translation_with_a_wrong_placeholder_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = Catalogue({"en": {"a": "Hi {name}"}, "fr": {"a": "Salut {nom}"}})
    monkeypatch.setattr("bot.i18n.CATALOGUE", fake)
    assert t("fr", "a", name="Eve") == "Hi Eve"
    report = check("fr", {}, fake)
    assert report.problems == ["a: placeholders ['nom'], English has ['name']"]


def test_check_reports_missing_extra_untranslated_plural_and_length() -> None:
    fake = Catalogue(
        {
            "en": {"x": "Hello", "n": {"one": "{count} bot", "other": "{count} bots"}},
            "ru": {"x": "Hello", "n": {"one": "{count} бот", "other": "{count} ботов"}, "old": "?"},
        }
    )
    report = check("ru", {"commands.a.description": "Kick a player"}, fake)
    assert report.missing == {"commands.a.description": "Kick a player"}
    assert report.extra == ["old"]
    assert report.problems == [
        "x: still the English text 'Hello'",
        "n: plural forms ['few', 'many'] missing",
    ]
    long = Catalogue({"en": {}, "de": {"commands.a.description": "x" * 101}})
    assert check("de", {"commands.a.description": "Kick"}, long).problems == [
        "commands.a.description: 101 characters (Discord: 1-100)"
    ]


def test_each_language_has_its_own_name() -> None:
    assert [language_name(code) for code in ("en", "de", "pt-BR", "ja")] == [
        "English",
        "Deutsch",
        "Português (Brasil)",
        "日本語",
    ]


def test_discord_locales_map_to_catalogue_languages() -> None:
    assert resolve("en-US") == resolve("en-GB") == "en"
    assert resolve("es-419") == "es-ES"
    assert resolve("pt-BR") == "pt-BR"
    assert resolve("zh-TW", "ko", None) == "en"  # none shipped: English
    assert resolve(None, "fr") == "fr"


def test_numbers_and_durations_per_locale() -> None:
    assert number("de", 1234.5) == "1.234,5"
    assert number("en", 99.5, decimals=1) == "99.5"
    assert number("fr", 99.5, decimals=1) == "99,5"
    assert duration("de", 7200) == "2 Stunden"
    assert duration("ru", 5 * 3600) == "5 часов"
    assert t("de", "status.bots", count=1200).startswith("1.200")


def test_a_keyed_user_error_is_english_for_logs_and_the_readers_language_for_them() -> None:
    error = UserError(key="errors.cooldown", count=3)
    assert str(error) == "Slow down: try this again in 3 seconds."  # logs, the audit log
    assert describe_error(error, "ru") == "Не так быстро: повторите через 3 секунды."
    assert describe_error(UserError("Plain text."), "ru") == "Plain text."


def test_server_refusals_keep_their_english_and_speak_the_readers_language() -> None:
    from bot.services.servers.addresses import INTERNAL_REFUSED, parse_address
    from bot.services.servers.names import validate_name

    # The English is the text other paths (the RCON pool, /server test) quote as a constant.
    assert t("en", "servers.internal_refused") == INTERNAL_REFUSED
    with pytest.raises(UserError) as caught:
        parse_address("[2001:db8::1")
    assert str(caught.value) == "An IPv6 address in brackets is missing its closing ']'."
    assert (
        describe_error(caught.value, "pl") == "Adresowi IPv6 w nawiasach brakuje zamykającego ']'."
    )
    with pytest.raises(UserError) as long_name:
        validate_name("x" * 500)
    assert "(höchstens" in str(describe_error(long_name.value, "de"))


def test_a_counter_format_refusal_lists_the_fields_in_any_language() -> None:
    from bot.services.status.counters import check_format

    with pytest.raises(UserError) as caught:
        check_format("{status} {nope}")
    assert str(caught.value).startswith("Use only these fields in the format: {status}")
    shown = describe_error(caught.value, "tr")
    assert shown is not None and shown.startswith("Biçimde yalnızca şu alanları kullan: {status}")


def test_percentages_follow_the_language() -> None:
    from bot.i18n.formatting import percent

    # CLDR's own spacing: a no-break space keeps "99 %" on one line.
    assert [percent(lang, 0.99) for lang in ("en", "de", "tr", "fr")] == [
        "99%",
        "99\u00a0%",
        "%99",
        "99\u00a0%",
    ]


def test_a_quota_refusal_names_the_kind_in_the_readers_language() -> None:
    from bot.storage.errors import QuotaExceededError

    error = QuotaExceededError("status boards", 5)
    assert str(error) == (
        "This Discord server already has 5 status boards, the most allowed: remove one first."
    )
    assert describe_error(error, "de") == (
        "Dieser Discord-Server hat schon 5 Statusboards, das Maximum: entferne erst eins."
    )
