"""When a schedule runs: daily times in an IANA time zone (optionally on some weekdays only),
or an interval. Pure functions over Unix times; no clock, no I/O.

The ``when`` text an admin types, normalised as stored:

- ``04:00`` or ``04:00,16:30``: every day at those local times;
- ``mon,fri 04:00``, ``weekdays 06:00``, ``weekends 10:00``, ``daily 04:00``;
- ``every 6h``, ``every 90m``, ``every 1h30m`` (at least :data:`MIN_INTERVAL`), counted from the
  schedule's anchor (the time it was made), so a restart of the bot never shifts it.

Daylight saving: each listed local time runs once per day. A time that does not exist that
day (02:30 when the clocks jump from 02:00 to 03:00) runs when it would have been (03:30); a
time that happens twice (01:30 when the clocks fall back) runs at its first occurrence only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.services.errors import UserError

MIN_INTERVAL = 300  # seconds: a schedule more often than every 5 minutes is a loop, not a plan
MAX_INTERVAL = 7 * 86_400
MAX_TIMES = 12  # daily times per schedule
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_GROUPS = {
    "daily": tuple(range(7)),
    "weekdays": (0, 1, 2, 3, 4),
    "weekends": (5, 6),
}
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
_INTERVAL = re.compile(r"every\s*(?:(\d{1,3})\s*h)?\s*(?:(\d{1,4})\s*m)?")


@dataclass(frozen=True, slots=True)
class Daily:
    times: tuple[tuple[int, int], ...]  # (hour, minute), sorted
    weekdays: tuple[int, ...]  # 0 = Monday; all seven for every day

    def text(self) -> str:
        times = ",".join(f"{h:02d}:{m:02d}" for h, m in self.times)
        if self.weekdays == _GROUPS["daily"]:
            return f"daily {times}"
        for name, days in _GROUPS.items():
            if self.weekdays == days:
                return f"{name} {times}"
        return ",".join(DAYS[d] for d in self.weekdays) + f" {times}"


@dataclass(frozen=True, slots=True)
class Interval:
    seconds: int

    def text(self) -> str:
        hours, rest = divmod(self.seconds // 60, 60)
        return "every " + (f"{hours}h" if hours else "") + (f"{rest}m" if rest else "")


Timing = Daily | Interval


def parse_when(text: str) -> Timing:
    """The timing ``text`` describes, or a UserError saying what is accepted."""
    value = " ".join(text.strip().lower().split())
    if value.startswith("every"):
        return _interval(value)
    words = value.split(" ")
    if len(words) == 1:
        days: tuple[int, ...] = _GROUPS["daily"]
        times_text = words[0]
    elif len(words) == 2:
        days, times_text = _days(words[0]), words[1]
    else:
        raise UserError(key="schedules.help")
    times = []
    for part in times_text.split(","):
        match = _TIME.fullmatch(part.strip())
        if match is None:
            raise UserError(key="schedules.not_a_time", text=part[:20])
        times.append((int(match[1]), int(match[2])))
    if not 1 <= len(set(times)) <= MAX_TIMES:
        raise UserError(key="schedules.times_per_day", max=MAX_TIMES)
    return Daily(tuple(sorted(set(times))), days)


def _days(text: str) -> tuple[int, ...]:
    if text in _GROUPS:
        return _GROUPS[text]
    days = set()
    for part in text.split(","):
        name = part.strip()[:3]
        if name not in DAYS:
            raise UserError(key="schedules.not_a_weekday", text=part[:20])
        days.add(DAYS.index(name))
    return tuple(sorted(days))


def _interval(value: str) -> Interval:
    match = _INTERVAL.fullmatch(value)
    if match is None or not (match[1] or match[2]):
        raise UserError(key="schedules.interval_format")
    seconds = int(match[1] or 0) * 3600 + int(match[2] or 0) * 60
    if not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise UserError(key="schedules.interval_range")
    return Interval(seconds)


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def check_zone(name: str) -> str:
    """``name`` when it is an IANA time zone (``Europe/Berlin``, ``UTC``), else a UserError."""
    value = name.strip()
    if value not in _zone_names():
        raise UserError(key="schedules.no_zone", zone=value[:40])
    try:
        _zone(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(key="schedules.zone_unknown", zone=value[:40]) from None
    return value


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_choices(current: str, limit: int = 25) -> list[str]:
    """Time zones for autocomplete: those starting with ``current`` first, then those that
    contain it (``berlin`` finds ``Europe/Berlin``), sorted, at most ``limit``."""
    needle = current.strip().lower()
    names = sorted(_zone_names())
    first = [n for n in names if n.lower().startswith(needle)]
    rest = [n for n in names if needle and needle in n.lower() and n not in first]
    return (first + rest)[:limit]


def next_run(timing: Timing, zone: str, anchor: float, after: float) -> float:
    """The first run strictly after ``after`` (Unix seconds)."""
    if isinstance(timing, Interval):
        if after < anchor:
            return anchor
        steps = int((after - anchor) // timing.seconds) + 1
        return anchor + steps * timing.seconds
    tz = _zone(zone)
    start = datetime.fromtimestamp(after, tz).date() - timedelta(days=1)
    # Eight days cover any weekday set; one more for the day before, whose late times can
    # land after ``after`` in zones a DST jump moved.
    for offset in range(9):
        day = start + timedelta(days=offset)
        if day.weekday() not in timing.weekdays:
            continue
        runs = sorted(_instant(day, h, m, tz) for h, m in timing.times)
        for run in runs:
            if run > after:
                return run
    raise AssertionError("a daily timing always runs within eight days")


def _instant(day: date, hour: int, minute: int, tz: ZoneInfo) -> float:
    # fold=0: the first of two 01:30s when the clocks fall back; for a time the clocks skip,
    # the offset before the jump, which is the moment that time would have been.
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz, fold=0).timestamp()


def describe(timing: Timing, zone: str) -> str:
    """``daily 04:00 (Europe/Berlin)`` or ``every 6h``."""
    return timing.text() if isinstance(timing, Interval) else f"{timing.text()} ({zone})"
