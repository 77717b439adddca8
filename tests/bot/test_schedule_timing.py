"""Next-run computation: daily times in IANA zones (DST both ways), weekdays, intervals, and
the ``when`` text admins type."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services.errors import UserError
from bot.services.schedules.countdown import (
    after_step,
    announcement,
    minutes_left,
    parse_steps,
    step_times,
)
from bot.services.schedules.timing import (
    Daily,
    Interval,
    check_zone,
    next_run,
    parse_when,
    zone_choices,
)

BERLIN = "Europe/Berlin"
NEW_YORK = "America/New_York"


def at(zone: str, *parts: int) -> float:
    return datetime(*parts, tzinfo=ZoneInfo(zone)).timestamp()  # type: ignore[misc]


def local(zone: str, t: float) -> str:
    return datetime.fromtimestamp(t, ZoneInfo(zone)).strftime("%a %Y-%m-%d %H:%M %Z")


def runs(when: str, zone: str, start: float, count: int, anchor: float = 0.0) -> list[str]:
    timing = parse_when(when)
    out, t = [], start
    for _ in range(count):
        t = next_run(timing, zone, anchor, t)
        out.append(local(zone, t))
    return out


def test_parse_when_normalises_what_admins_type() -> None:
    assert parse_when("04:00") == Daily(((4, 0),), tuple(range(7)))
    assert parse_when(" 16:30,4:00 ").text() == "daily 04:00,16:30"
    assert parse_when("Mon,Thursday 04:00").text() == "mon,thu 04:00"
    assert parse_when("weekdays 6:30").text() == "weekdays 06:30"
    assert parse_when("sat,sun 10:00").text() == "weekends 10:00"
    assert parse_when("every 6h") == Interval(6 * 3600)
    assert parse_when("every 1h30m").text() == "every 1h30m"
    assert parse_when("every 90m").text() == "every 1h30m"
    for bad in ("25:00", "4", "mon 04:00 extra", "funday 04:00", "every 4m", "every", "every 8d"):
        with pytest.raises(UserError):
            parse_when(bad)


def test_daily_times_in_a_zone_and_weekdays() -> None:
    start = at(BERLIN, 2026, 6, 1, 12, 0)  # a Monday, summer time
    assert runs("04:00,16:00", BERLIN, start, 3) == [
        "Mon 2026-06-01 16:00 CEST",
        "Tue 2026-06-02 04:00 CEST",
        "Tue 2026-06-02 16:00 CEST",
    ]
    assert runs("mon,thu 04:00", BERLIN, start, 3) == [
        "Thu 2026-06-04 04:00 CEST",
        "Mon 2026-06-08 04:00 CEST",
        "Thu 2026-06-11 04:00 CEST",
    ]
    # The same wall time in another zone is another instant.
    daily = parse_when("04:00")
    assert next_run(daily, NEW_YORK, 0, start) - next_run(daily, BERLIN, 0, start) == 6 * 3600
    # Exactly at a run time: the next one (strictly after).
    four = at(BERLIN, 2026, 6, 2, 4, 0)
    assert local(BERLIN, next_run(parse_when("04:00"), BERLIN, 0, four)) == (
        "Wed 2026-06-03 04:00 CEST"
    )


def test_spring_forward_runs_a_skipped_time_once() -> None:
    # Berlin 2026-03-29: 02:00 jumps to 03:00; 02:30 does not exist that day.
    start = at(BERLIN, 2026, 3, 28, 12, 0)
    got = runs("02:30", BERLIN, start, 3)
    assert got == [
        "Sun 2026-03-29 03:30 CEST",  # when 02:30 would have been, once
        "Mon 2026-03-30 02:30 CEST",
        "Tue 2026-03-31 02:30 CEST",
    ]
    # 02:30 and 03:30 land on the same instant that day: one run, not two.
    both = runs("02:30,03:30", BERLIN, start, 3)
    assert both == [
        "Sun 2026-03-29 03:30 CEST",
        "Mon 2026-03-30 02:30 CEST",
        "Mon 2026-03-30 03:30 CEST",
    ]


def test_fall_back_runs_a_repeated_time_once() -> None:
    # New York 2026-11-01: 02:00 falls back to 01:00; 01:30 happens twice.
    start = at(NEW_YORK, 2026, 10, 31, 12, 0)
    got = runs("01:30", NEW_YORK, start, 2)
    assert got == ["Sun 2026-11-01 01:30 EDT", "Mon 2026-11-02 01:30 EST"]
    first = next_run(parse_when("01:30"), NEW_YORK, 0, start)
    second = next_run(parse_when("01:30"), NEW_YORK, 0, first)
    assert second - first == 25 * 3600  # the repeat an hour later did not run


def test_intervals_count_from_the_anchor() -> None:
    anchor = 1_000_000.0
    every = parse_when("every 6h")
    assert next_run(every, "UTC", anchor, anchor - 50) == anchor
    assert next_run(every, "UTC", anchor, anchor) == anchor + 6 * 3600
    # Long after (the bot was down): the next slot on the grid, not a backlog.
    assert next_run(every, "UTC", anchor, anchor + 6 * 3600 * 10 + 5) == anchor + 6 * 3600 * 11


def test_zones_and_their_autocomplete() -> None:
    assert check_zone(" Europe/Berlin ") == BERLIN
    for bad in ("Mars/Olympus", "../etc/passwd", ""):
        with pytest.raises(UserError):
            check_zone(bad)
    assert zone_choices("europe/ber") == [BERLIN]
    assert "Europe/Berlin" in zone_choices("berlin")
    assert len(zone_choices("")) == 25
    assert all(z.lower().startswith("america/") for z in zone_choices("America/"))


def test_countdown_steps() -> None:
    assert parse_steps("1, 15,5,5") == (15, 5, 1)
    assert parse_steps("") == parse_steps(" None ") == ()
    for bad in ("0", "x", "1441", ",".join(str(i) for i in range(1, 13))):
        with pytest.raises(UserError):
            parse_steps(bad)
    end = 10_000.0
    assert step_times(end, (15, 5, 1)) == [end - 900, end - 300, end - 60]
    assert after_step(end, (15, 5, 1), end - 900) == end - 300
    assert after_step(end, (15, 5, 1), end - 60) == end
    assert minutes_left(end, end - 130) == 3 and minutes_left(end, end - 5) == 1
    assert announcement(15, "update") == "Server restarts in 15 minutes: update"
    assert announcement(1, "") == "Server restarts in 1 minute."
