"""What a language file lacks or gets wrong, against English and the command tree: used by the
catalogue test and by ``python -m bot.i18n.missing``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.i18n.catalogue import CATALOGUE, Catalogue, Entry, entry_placeholders
from bot.i18n.locales import ENGLISH, babel_locale

# Discord's limits on a localised description and a choice name.
MAX_SCHEMA_TEXT = 100
# Texts that are the same word in other languages (names, units): never "untranslated".
SAME_EVERYWHERE = frozenset(
    {
        *("Online", "Offline", "6h", "24h", "7d", "30d", "RCON", "Steam", "SteamID"),
        *("Minecraft UUID", "💬 {who}: {text}", "{icon} **{percent} %** online", "(online)"),
        *("csv", "json", "04:00 · 04:00,16:00 · mon,thu 04:00 · weekdays 06:30 · every 6h"),
    }
)
# Words a language happens to share with English (checked by a person, language by language).
_CONSOLE = "📢 {who} (console): {text}"
_TIME_IN = "**{server}** · {duration} in {sessions}"
_PING_IN = "`#{id}` **{name}** {threshold} → {role} in {channel}"
SAME_IN: dict[str, frozenset[str]] = {
    "de": frozenset({"Feeds", _TIME_IN, _PING_IN}),
    "es-ES": frozenset({"Feeds", "feeds"}),
    "fr": frozenset({"compact", "score", "Notes", "Page", "message"}),
    "it": frozenset({"score", "file", "Password", "password", _CONSOLE, _TIME_IN, _PING_IN}),
    "nl": frozenset(
        {"score", "{count} bots", "{count} servers", "Servers", "Feeds", _CONSOLE, _TIME_IN}
        | {_PING_IN, "servers", "feeds"}
    ),
    "pt-BR": frozenset({"Feeds", "feeds", _CONSOLE}),
}


@dataclass
class Report:
    language: str
    missing: dict[str, str] = field(default_factory=dict)  # key -> the English to translate
    extra: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.problems)

    def lines(self) -> list[str]:
        out = [
            f"{self.language}: missing {key} (English: {text!r})"
            for key, text in self.missing.items()
        ]
        out += [
            f"{self.language}: {key} is not an English key (a removed command?)"
            for key in self.extra
        ]
        return out + [f"{self.language}: {p}" for p in self.problems]


def _english_text(entry: Entry) -> str:
    return entry if isinstance(entry, str) else entry["other"]


def _forms_problem(language: str, key: str, entry: Entry, english: Entry) -> str | None:
    if isinstance(english, str) != isinstance(entry, str):
        return f"{key}: plural table in one language, plain text in the other"
    if isinstance(entry, str):
        return None
    needed = set(babel_locale(language).plural_form.tags) | {"other"}
    if not needed <= set(entry):
        return f"{key}: plural forms {sorted(needed - set(entry))} missing"
    return None


def check(language: str, schema: Mapping[str, str], catalogue: Catalogue = CATALOGUE) -> Report:
    """Every key of English and of the command tree (``schema``: key -> English) present in
    ``language`` with the same placeholders, translated, and within Discord's limits."""
    english: dict[str, Entry] = {**catalogue.languages[ENGLISH], **schema}
    own = catalogue.languages.get(language, {})
    report = Report(language)
    for key, source in english.items():
        entry = own.get(key)
        if entry is None:
            report.missing[key] = _english_text(source)
            continue
        if entry_placeholders(entry) != entry_placeholders(source):
            report.problems.append(
                f"{key}: placeholders {sorted(entry_placeholders(entry))}, English has "
                f"{sorted(entry_placeholders(source))}"
            )
        forms = _forms_problem(language, key, entry, source)
        if forms is not None:
            report.problems.append(forms)
        same = SAME_EVERYWHERE | SAME_IN.get(language, frozenset())
        if language != ENGLISH and entry == source and _english_text(source) not in same:
            report.problems.append(f"{key}: still the English text {_english_text(source)!r}")
        if key in schema and not 1 <= len(_english_text(entry)) <= MAX_SCHEMA_TEXT:
            report.problems.append(
                f"{key}: {len(_english_text(entry))} characters (Discord: 1-100)"
            )
    report.extra = sorted(set(own) - set(english)) if language != ENGLISH else []
    return report
