"""Layout of the audit log in Discord: one line per entry with its outcome icon, mentions and
Discord timestamps, whole lines within the description limit, the filters in the footer, and
the mirror's embeds (colour per outcome, denied groups with timestamps)."""

from __future__ import annotations

import datetime

import pytest

from bot.i18n import LANGUAGES
from bot.rendering.embeds import embed_problems
from bot.rendering.text import more_line
from bot.services.audit import DeniedGroup, Dropped
from bot.storage.audit import OUTCOMES, AuditEntry
from cogs._audit_ui import (
    OUTCOME_MARK,
    audit_embed,
    denied_line,
    entry_line,
    filters_text,
    mirror_embed,
    mirror_embeds,
)
from cogs._results import COLOUR_FAIL, COLOUR_OK, COLOUR_WARN
from cogs.audit import PER_PAGE

AT = "2026-05-01T12:00:00.123Z"
STAMP = int(datetime.datetime(2026, 5, 1, 12, tzinfo=datetime.UTC).timestamp())
USER = 123456789012345678
CHANNEL = 223456789012345678


def entry(i: int = 1, outcome: str = "ok", arguments: str = "", **extra: object) -> AuditEntry:
    values: dict[str, object] = {
        "id": i,
        "at": AT,
        "guild_id": 1,
        "user_id": USER,
        "user_name": "alice",
        "allowed_by": "",
        "server_id": 7,
        "server_name": "Ma_in",
        "action": "rcon kick",
        "arguments": arguments,
        "outcome": outcome,
        "excerpt": "",
        "latency_ms": 12.0,
    }
    values.update(extra)
    return AuditEntry(**values)  # type: ignore[arg-type]


def test_every_stored_outcome_has_its_icon() -> None:
    assert set(OUTCOME_MARK) == set(OUTCOMES)
    marks = {o: entry_line(entry(outcome=o)).split(" ")[0] for o in OUTCOMES}
    assert (marks["ok"], marks["denied"], marks["error"]) == ("✅", "⛔", "❌")
    assert marks["unknown"] == marks["timeout"] == "⚠️"


def test_a_line_has_the_mention_the_timestamps_and_escaped_names() -> None:
    line = entry_line(entry(arguments=f"channel={CHANNEL} player='x'"))
    assert line == (
        f"✅ <t:{STAMP}:f> (<t:{STAMP}:R>) <@{USER}> **rcon kick** on **Ma\\_in** · "
        f"channel=<#{CHANNEL}> player='x' → ok · 12 ms"
    )
    assert "2026-05-01" not in line  # no ISO text: each reader sees their own time zone


def test_typed_arguments_cannot_mention_anyone() -> None:
    line = entry_line(entry(arguments="message='@everyone <@1> hi'"))
    assert "@everyone" not in line and "<@1>" not in line


def test_page_keeps_whole_lines_and_counts_the_rest() -> None:
    long = "x" * 150
    entries = [entry(i, arguments=f"message='{long}{i}'") for i in range(40)]
    embed = audit_embed(entries, 0, 4, 40)
    text = str(embed.description)
    assert len(text) <= 4096 and embed_problems(embed) == []
    lines = text.split("\n")
    shown = [ln for ln in lines if ln.startswith("✅")]
    assert lines[-1] == f"… and {40 - len(shown)} more"
    # Every line shown is a whole entry line.
    assert all(ln == entry_line(entries[i]) for i, ln in enumerate(shown))


def test_footer_shows_the_filters_in_use() -> None:
    filters = filters_text("Main", "alice", "kick", "24h")
    assert filters == "server: Main · user: alice · action: kick · since: 24h"
    embed = audit_embed([entry()], 1, 3, 25, filters)
    assert embed.footer.text == f"{filters} · Page 2 of 3 · 25 entries"
    assert audit_embed([], 0, 1, 0).footer.text == "Page 1 of 1 · 0 entries"
    assert filters_text(None, None, None, None) == ""


def test_mirror_colour_follows_the_outcome_and_the_answer_gets_a_block() -> None:
    assert mirror_embed(entry(outcome="ok")).colour == COLOUR_OK
    assert mirror_embed(entry(outcome="denied")).colour == COLOUR_FAIL
    assert mirror_embed(entry(outcome="error")).colour == COLOUR_FAIL
    assert mirror_embed(entry(outcome="timeout")).colour == COLOUR_WARN
    embed = mirror_embed(entry(excerpt="line\n" * 400))
    (field,) = embed.fields
    assert field.value is not None and field.value.startswith("```\n") and len(field.value) <= 1024
    assert embed.footer.text == "#1 · alice" and embed_problems(embed) == []


def test_denied_groups_show_discord_timestamps() -> None:
    group = DeniedGroup(1, USER, "mallory", AT, AT, due=0.0)
    group.add(entry(outcome="denied", at="2026-05-01T12:00:30.000Z"))
    line = denied_line(group)
    assert line.startswith(f"⛔ <t:{STAMP}:T>–<t:{STAMP + 30}:T> <@{USER}> denied 1×")
    assert "**Ma\\_in**" in line


def test_mirror_message_stays_within_discord_limits() -> None:
    items = [entry(i, excerpt="y" * 900) for i in range(12)] + [Dropped(3)]
    embeds, taken = mirror_embeds(items)
    assert 0 < len(embeds) <= 10 and taken == len(embeds)
    assert sum(len(e) for e in embeds) <= 6000
    assert all(embed_problems(e) == [] for e in embeds)


def test_what_the_bot_did_by_itself_names_it_instead_of_a_mention() -> None:
    line = entry_line(entry(user_id=0, user_name="ban list", action="ban kick"))
    assert "*ban list* **ban kick**" in line and "<@0>" not in line


def _longest_language() -> str:
    """The language whose audit page text is longest (the one closest to Discord's limits)."""
    sample = [entry(i, outcome="timeout", allowed_by="role 1") for i in range(3)]

    def size(language: str) -> int:
        embed = audit_embed(sample, 0, 9, 999, "server: x", language)
        return len(embed) + sum(len(entry_line(e, language)) for e in sample)

    return max(LANGUAGES, key=size)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_full_page_stays_within_discord_limits_in_every_language(language: str) -> None:
    long = "x" * 150
    entries = [
        entry(i, outcome="timeout", arguments=f"message='{long}{i}'", allowed_by="role 1")
        for i in range(PER_PAGE * 4)
    ]
    filters = filters_text("M" * 100, "u" * 40, "a" * 40, "s" * 30)
    embed = audit_embed(entries, 0, 1000, 123456, filters, language)
    assert embed_problems(embed) == [] and len(embed) <= 6000
    assert len(str(embed.description)) <= 4096
    # The lines that did not fit are counted in the reader's language.
    assert str(embed.description).split("\n")[-1] == more_line(
        len(entries) - str(embed.description).count("⚠️"), language
    )


def test_the_longest_language_is_checked_too() -> None:
    longest = _longest_language()
    assert longest != "en"
    test_a_full_page_stays_within_discord_limits_in_every_language(longest)


def test_a_german_page_and_mirror() -> None:
    embed = audit_embed([entry(allowed_by="role 1")], 0, 1, 1, "action: kick", "de")
    assert embed.title == "Audit-Log"
    assert embed.footer.text == "action: kick · Seite 1 von 1 · 1 Eintrag"
    line = str(embed.description)
    # The action as stored, the rest in German.
    assert "**rcon kick** auf **Ma\\_in**" in line and "→ erfolgreich" in line
    assert "(über role" in line
    assert audit_embed([], 0, 1, 0, language="de").description == "Keine passenden Einträge."
    group = DeniedGroup(1, 0, "others", AT, AT, due=0.0)
    group.add(entry(outcome="denied"))
    embeds, _ = mirror_embeds([group, Dropped(2), entry(excerpt="pong")], "de")
    assert embeds[0].title == "Abgewiesene Versuche"
    assert "andere Mitglieder abgewiesen 1×" in str(embeds[0].description)
    assert str(embeds[1].description).startswith("2 Audit-Einträge wurden hier nicht gespiegelt")
    assert embeds[2].fields[0].name == "Antwort"
    # A stored outcome this bot does not know is shown as stored.
    assert entry_line(entry(outcome="later"), "de").endswith("→ later · 12 ms")
