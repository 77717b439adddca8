"""Ban lengths as people type them (``30m``, ``12h``, ``7d``, ``2w``, a bare number of minutes;
empty or ``perm``: permanent) and as they are shown (pure)."""

from __future__ import annotations

import re

from babel import units

from bot.i18n.locales import babel_locale
from bot.services.errors import UserError

MAX_MINUTES = 60 * 24 * 365 * 10  # ten years: longer is permanent in all but name
_UNITS = {"m": 1, "min": 1, "h": 60, "d": 1440, "w": 10080}
_DURATION = re.compile(r"(?P<n>\d{1,9})\s*(?P<unit>m|min|h|d|w)?", re.IGNORECASE)
_CLDR = {"w": "duration-week", "d": "duration-day", "h": "duration-hour", "m": "duration-minute"}
_PERMANENT = frozenset({"", "0", "perm", "permanent", "forever", "never"})


def parse_minutes(text: str) -> int | None:
    """Minutes of a typed length; None for permanent. Raises :class:`UserError` otherwise."""
    value = text.strip().lower()
    if value in _PERMANENT:
        return None
    m = _DURATION.fullmatch(value)
    if m is None:
        raise UserError(key="banlist.duration_format")
    minutes = int(m["n"]) * _UNITS[(m["unit"] or "m").lower()]
    if not 1 <= minutes <= MAX_MINUTES:
        raise UserError(key="banlist.duration_range")
    return minutes


def shown(minutes: int | None) -> str:
    """``permanent``, ``7d``, ``12h``, ``90m``: the largest whole unit."""
    if minutes is None:
        return "permanent"
    for unit, size in (("w", 10080), ("d", 1440), ("h", 60)):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def shown_in(minutes: int, language: str) -> str:
    """A length in the reader's language, the largest whole unit in its narrow form: ``7d``
    in English (as :func:`shown`), ``7 T`` in German, ``7j`` in French."""
    text = shown(minutes)
    value, unit = int(text[:-1]), text[-1]
    formatted: str = units.format_unit(
        value, _CLDR[unit], length="narrow", locale=babel_locale(language)
    )
    return formatted
