"""A restart countdown's arithmetic: its steps ("15,5,1": minutes before the shutdown), when
each is announced, what the players read. Pure; the runner stores and claims the steps."""

from __future__ import annotations

import math

from bot.i18n import ENGLISH, t
from bot.protocols.text_checks import ascii_int
from bot.services.errors import UserError

MAX_STEPS = 10
MAX_MINUTES = 1440  # a day's notice is the longest a countdown announces


def parse_steps(text: str) -> tuple[int, ...]:
    """``"15,5,1"`` -> (15, 5, 1): unique minutes, longest first; ``none`` (Discord sends no
    empty option) or ``""`` -> no announcement."""
    if text.strip().lower() in ("", "none", "-"):
        return ()
    parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
    steps: set[int] = set()
    for part in parts:
        minutes = ascii_int(part, 6)
        if minutes is None or not 1 <= minutes <= MAX_MINUTES:
            raise UserError(key="restarts.steps_range", max=MAX_MINUTES)
        steps.add(minutes)
    if len(steps) > MAX_STEPS:
        raise UserError(key="restarts.too_many_steps", max=MAX_STEPS)
    return tuple(sorted(steps, reverse=True))


def steps_text(steps: tuple[int, ...]) -> str:
    return ",".join(str(s) for s in steps)


def lead_seconds(steps: tuple[int, ...]) -> float:
    """How long before the restart its countdown starts (the first announcement)."""
    return max(steps, default=0) * 60.0


def step_times(shutdown_at: float, steps: tuple[int, ...]) -> list[float]:
    """When each step is announced, earliest first."""
    return sorted(shutdown_at - m * 60.0 for m in steps)


def after_step(shutdown_at: float, steps: tuple[int, ...], now: float) -> float:
    """What comes next once everything due at ``now`` is done: the next announcement still
    ahead, else the shutdown."""
    ahead = [t for t in step_times(shutdown_at, steps) if t > now]
    return ahead[0] if ahead else shutdown_at


def minutes_left(shutdown_at: float, now: float) -> int:
    """Whole minutes to announce at ``now`` (1 at the least: "in 0 minutes" helps nobody)."""
    return max(1, math.ceil((shutdown_at - now) / 60.0 - 1e-6))


def announcement(minutes: int, message: str, language: str = ENGLISH) -> str:
    """What the players read at a step, in the guild's language (``message``: the admin's)."""
    if message:
        return t(language, "restarts.in_minutes_because", count=minutes, message=message)
    return t(language, "restarts.in_minutes", count=minutes)


def cancelled(language: str = ENGLISH) -> str:
    return t(language, "restarts.cancelled")
