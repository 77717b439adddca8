"""The ban list's texts in other languages (pure): lengths in the reader's units, state words,
plural counts, the bot's own details translated and a console's kept, and the kick's prefix
in the guild's language with the moderator's reason untouched."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from bot.services.bans import render
from bot.services.bans.duration import shown_in
from bot.services.bans.enforce import BanEnforcer
from bot.services.bans.sending import NO_ANSWER, STILL_TRYING, ServerOutcome
from bot.services.bans.transfer import parse as parse_import
from bot.storage.bans import BanTarget
from tests.bot.test_ban_list_pure import NOW, ban


def target(server_id: int, state: str) -> BanTarget:
    return BanTarget(7, server_id, state, "", 0, 0.0, NOW)


def test_lengths_in_the_readers_units() -> None:
    assert [shown_in(m, "en") for m in (90, 120, 1440 * 3, 10080)] == ["90m", "2h", "3d", "1w"]
    assert shown_in(1440 * 3, "de") == "3 T" and shown_in(90, "fr") == "90min"
    timed = ban(minutes=1440 * 3)
    end = int(NOW + 3 * 86400)
    assert render.length_text(timed, "de") == f"3 T, endet <t:{end}:f> (<t:{end}:R>)"
    assert render.length_text(ban(), "fr") == "définitif"


def test_state_words_and_details() -> None:
    waiting = ServerOutcome("Main", "pending", STILL_TRYING)
    assert render.outcome_line(waiting, "de") == (
        "⏳ **Main**: wartet auf den Server (wird weiter versucht)"
    )
    silent = ServerOutcome("Main", "pending", NO_ANSWER)
    assert render.outcome_line(silent, "fr").endswith("(la console n'a pas répondu)")
    # A console's own answer is shown as it came.
    refused = ServerOutcome("Main", "failed", "Unknown command")
    assert render.outcome_line(refused, "de") == (
        "❌ **Main**: die Konsole hat abgelehnt (Unknown command)"
    )
    many = [ServerOutcome(f"S{i}", "applied") for i in range(render.MAX_LINES + 3)]
    assert render.outcome_lines(many, "ru").endswith("… и ещё 3 сервера")
    assert render.outcome_lines([], "pl") == "Brak serwera."


def test_list_lines_count_servers_with_the_languages_plural() -> None:
    targets = [target(1, "applied"), target(2, "pending"), target(3, "applied")]
    assert render.list_line(ban(), targets, NOW, "ru").endswith("· навсегда · 2/3 сервера, 1 ждёт")
    assert render.list_line(ban(), targets[:1], NOW, "en").endswith("· permanent · 1/1 server")
    gone = render.target_outcomes([target(9, "applied")], {}, "de")
    assert gone[0].server_name == "Server #9"


def test_the_kick_says_banned_in_the_guilds_language() -> None:
    # The kick's text needs neither the service nor the live lists: stand-ins for both.
    unused: Any = SimpleNamespace()
    languages = {1: "fr"}
    french = BanEnforcer(unused, unused, language_of=lambda g: languages.get(g, "en"))
    assert french.kick_reason(ban(reason="Toxic")) == "Banni : Toxic"
    assert BanEnforcer(unused, unused).kick_reason(ban(reason="Wallhack")) == "Banned: Wallhack"


def test_an_imported_ban_without_a_reason_gets_the_guilds_words() -> None:
    lines = f"{'a' * 32} -1\n{'b' * 32} -1 Cheating\n".encode()
    result = parse_import("bans.txt", lines, NOW, default_reason="Ban importé")
    assert [b.reason for b in result.bans] == ["Ban importé", "Cheating"]
    english = parse_import("bans.txt", lines, NOW)
    assert english.bans[0].reason == "Imported ban"
    # A default that could end a console command is cleaned like any reason.
    hostile = parse_import("bans.txt", lines, NOW, default_reason='x"; quit')
    assert hostile.bans[0].reason == "x quit"
