"""Schedule outcomes: stored in English, shown in the reader's language; a console's own answer
is shown as stored."""

from __future__ import annotations

import pytest

from bot.i18n import ENGLISH, LANGUAGES
from bot.services.schedules.outcomes import OK, shown, stored

VALUES = {"when": "<t:1800000000:f>", "who": "mallory", "permission": "say"}
FORMS = [
    ("ok", {}),
    ("countdown_started", {}),
    ("countdown_running", {}),
    ("restarted", {}),
    ("missed", {"when": VALUES["when"]}),
    ("restart_missed", {"when": VALUES["when"]}),
    ("cancelled_by", {"who": VALUES["who"]}),
    ("denied", {"who": VALUES["who"], "permission": VALUES["permission"]}),
    ("server_gone", {}),
]


def test_stored_outcomes_are_english() -> None:
    assert stored("ok") == OK == "ok"
    assert stored("denied", who="mallory", permission="say") == (
        "denied: mallory lacks the say permission"
    )
    assert stored("cancelled_by", who="bob") == "cancelled by bob"


@pytest.mark.parametrize("language", sorted(set(LANGUAGES) - {ENGLISH}))
@pytest.mark.parametrize(("key", "values"), FORMS)
def test_every_own_outcome_is_said_again_in_each_language(
    language: str, key: str, values: dict[str, str]
) -> None:
    text = shown(stored(key, **values), language)
    assert text != stored(key, **values)
    # What came from the member or the clock is kept as it was.
    for value in values.values():
        assert value in text


def test_german_and_french_outcomes_and_a_console_answer_as_is() -> None:
    denied = stored("denied", who="mallory", permission="say")
    assert shown(denied, "de") == "verweigert: mallory fehlt die Berechtigung say"
    assert shown(stored("cancelled_by", who="bob"), "fr") == "annulé par bob"
    assert shown("error: Unknown command", "de") == "error: Unknown command"
    assert shown(denied, ENGLISH) == denied
