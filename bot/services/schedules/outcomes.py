"""A schedule's outcome: stored in English (``/schedule list`` reads it back, the logs and the
audit keep English), shown in the reader's language.

The bot's own outcomes ("ok", "countdown started", "denied: … lacks the say permission"…) are
the English texts of ``schedules.outcome.*``; :func:`shown` recognises a stored one by its
English text and says it again in the reader's language. Anything else (a console's answer
after ``error:``) is shown as stored.
"""

from __future__ import annotations

import re
import string
from functools import cache

from bot.i18n import ENGLISH, t
from bot.i18n.catalogue import CATALOGUE

OK = "ok"  # also what the runs compare against
_KEYS = (
    "ok",
    "countdown_started",
    "countdown_running",
    "restarted",
    "missed",
    "restart_missed",
    "cancelled_by",
    "denied",
    "server_gone",
)


def stored(key: str, **values: str) -> str:
    """The outcome ``schedules.outcome.<key>`` as it is stored (English)."""
    return t(ENGLISH, f"schedules.outcome.{key}", **values)


def _pattern(text: str) -> re.Pattern[str]:
    parts = []
    for literal, field, _spec, _conversion in string.Formatter().parse(text):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(f"(?P<{field}>.+?)")
    return re.compile("".join(parts), re.DOTALL)


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    found = []
    for key in _KEYS:
        english = CATALOGUE.languages[ENGLISH].get(f"schedules.outcome.{key}")
        if isinstance(english, str):
            found.append((f"schedules.outcome.{key}", _pattern(english)))
    return tuple(found)


def shown(outcome: str, language: str) -> str:
    """A stored outcome in ``language`` (as stored when it is not one of the bot's own)."""
    if language == ENGLISH:
        return outcome
    for key, pattern in _patterns():
        match = pattern.fullmatch(outcome)
        if match is not None:
            return t(language, key, **match.groupdict())
    return outcome
