"""Uptime from poll samples: the ratio, outages (ended, ongoing, split by a polling hole)."""

from __future__ import annotations

from bot.services.status.uptime import level, outage_lines, summary_line, uptime
from bot.storage.history import Sample

NOW = 1_800_000_000.0


def series(states: str, step: float = 60.0) -> list[Sample]:
    """One sample per character, the last at NOW: ``u`` up, ``d`` down."""
    start = NOW - (len(states) - 1) * step
    return [
        Sample("t", start + i * step, c == "u", 3, 10, 0, "m", None) for i, c in enumerate(states)
    ]


def test_ratio_and_outages() -> None:
    report = uptime(series("uuuddduuuuddu" + "u" * 87), gap=180, now=NOW)
    assert (report.samples, report.online) == (100, 95)
    assert [o.seconds for o in report.outages] == [120.0, 180.0]  # newest first
    assert not any(o.ongoing for o in report.outages)
    assert report.longest is not None and report.longest.seconds == 180.0
    assert summary_line(report) == ("🟠 **95.0 %** online · 2 outages, 5m down in all · longest 3m")
    assert level(report) == "warn"
    assert outage_lines(report)[0] == f"<t:{int(NOW - 89 * 60)}:f> · 2m"


def test_an_ongoing_outage_lasts_until_now() -> None:
    report = uptime(series("u" * 300 + "dd"), gap=180, now=NOW + 30)
    (outage,) = report.outages
    assert outage.ongoing and outage.seconds == 90.0
    assert outage_lines(report) == [f"🔴 <t:{int(NOW - 60)}:f> · down since <t:{int(NOW - 60)}:R>"]
    assert summary_line(report) == "🟢 **99.3 %** online · 1 outage, 1m down in all"


def test_no_samples_and_never_rounded_up_to_100() -> None:
    empty = uptime([], gap=180, now=NOW)
    assert empty.ratio is None and level(empty) is None
    assert summary_line(empty).startswith("No samples")
    almost = uptime(series("u" * 1999 + "d"), gap=180, now=NOW)
    assert summary_line(almost).startswith("🟢 **99.9 %** online · 1 outage")
    full = uptime(series("u" * 50), gap=180, now=NOW)
    assert summary_line(full) == "🟢 **100 %** online · no outage"


def test_a_polling_hole_is_not_an_outage() -> None:
    samples = series("uuud")
    later = [Sample("t", NOW + 7200 + i * 60, True, 3, 10, 0, "m", None) for i in range(3)]
    report = uptime([*samples, *later], gap=180, now=NOW + 7400)
    (outage,) = report.outages
    assert not outage.ongoing and outage.seconds == 0.0  # ends where the hole starts
