"""``/uptime``: how much of a period a server answered, and its outages, from the stored poll
samples (pure: no I/O, no discord).

A hole in the samples longer than ``gap`` (the bot was not polling) is neither up nor down: it
is left out of the ratio and ends an outage where it starts, as the history chart shades it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import ENGLISH, t
from bot.i18n.formatting import decimal_sign
from bot.rendering.text import duration, percent_up
from bot.storage.history import Sample, offline_spans

MAX_OUTAGES_SHOWN = 10


@dataclass(frozen=True, slots=True)
class Outage:
    start: float
    end: float  # ``now`` while it lasts
    ongoing: bool

    @property
    def seconds(self) -> float:
        return max(0.0, self.end - self.start)


@dataclass(frozen=True, slots=True)
class Uptime:
    samples: int
    online: int
    outages: tuple[Outage, ...]  # newest first

    @property
    def ratio(self) -> float | None:
        return None if not self.samples else self.online / self.samples

    @property
    def down_seconds(self) -> float:
        return sum(o.seconds for o in self.outages)

    @property
    def longest(self) -> Outage | None:
        return max(self.outages, key=lambda o: o.seconds, default=None)


def uptime(samples: Sequence[Sample], *, gap: float, now: float) -> Uptime:
    """``samples`` oldest first (as the history repository returns them)."""
    spans = offline_spans(samples, gap)
    still_down = bool(samples) and not samples[-1].online and now - samples[-1].at <= gap
    outages = []
    for i, (start, end) in enumerate(spans):
        ongoing = still_down and i == len(spans) - 1
        outages.append(Outage(start, now if ongoing else end, ongoing))
    online = sum(1 for s in samples if s.online)
    return Uptime(len(samples), online, tuple(reversed(outages)))


def level(report: Uptime) -> str | None:
    """``ok`` (99 % or more), ``warn`` (90 % or more) or ``fail``; None without samples."""
    ratio = report.ratio
    if ratio is None:
        return None
    return "ok" if ratio >= 0.99 else "warn" if ratio >= 0.9 else "fail"


_ICONS = {"ok": "🟢", "warn": "🟠", "fail": "🔴"}


def summary_line(report: Uptime, language: str = ENGLISH) -> str:
    """``🟢 99.4 % online · 2 outages, 1h 10m down in all · longest 1h 05m``."""
    ratio, grade = report.ratio, level(report)
    if ratio is None or grade is None:
        return t(language, "uptime.no_samples")
    icon = _ICONS[grade]
    shown = percent_up(report.online, report.samples).replace(".", decimal_sign(language))
    parts = [t(language, "uptime.online", icon=icon, percent=shown)]
    count = len(report.outages)
    if count:
        down = duration(report.down_seconds, language)
        parts.append(t(language, "uptime.outages", count=count, duration=down))
        longest = report.longest
        if longest is not None and count > 1:
            parts.append(
                t(language, "uptime.longest", duration=duration(longest.seconds, language))
            )
    else:
        parts.append(t(language, "uptime.no_outage"))
    return " · ".join(parts)


def outage_lines(report: Uptime, language: str = ENGLISH) -> list[str]:
    """The latest outages: ``<t:…:f> · 12m`` (each reader's own time zone)."""
    lines = []
    for outage in report.outages[:MAX_OUTAGES_SHOWN]:
        start = int(outage.start)
        if outage.ongoing:
            since = t(language, "uptime.down_since", relative=f"<t:{start}:R>")
            lines.append(f"🔴 <t:{start}:f> · {since}")
        else:
            lines.append(f"<t:{start}:f> · {duration(outage.seconds, language)}")
    hidden = len(report.outages) - MAX_OUTAGES_SHOWN
    if hidden > 0:
        lines.append(t(language, "uptime.earlier", count=hidden))
    return lines
