"""Player-count charts as PNG bytes (matplotlib, Agg backend: no display needed).

:func:`render_history` is CPU work of tens of milliseconds: callers run it in a thread with
:func:`render_history_async` so the event loop keeps answering Discord. It builds its own
``Figure`` (no pyplot global state), so concurrent renders in threads do not interfere.
"""

from __future__ import annotations

import asyncio
import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # before anything can pick an interactive backend

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from bot.storage.history import Sample

WIDTH_PX = 800
HEIGHT_PX = 320
SMALL_WIDTH_PX = 600
SMALL_HEIGHT_PX = 200
DPI = 100
PLAYERS_COLOUR = "#3ba55d"
MAX_COLOUR = "#99aab5"
OFFLINE_COLOUR = "#ed4245"


@dataclass(frozen=True, slots=True)
class Stats:
    """Players over the online samples of a period (None values: no online sample)."""

    samples: int
    online_samples: int
    minimum: int | None
    maximum: int | None
    average: float | None

    @property
    def uptime(self) -> float | None:
        return None if not self.samples else self.online_samples / self.samples


def stats(samples: Sequence[Sample]) -> Stats:
    counts = [s.players for s in samples if s.online]
    if not counts:
        return Stats(len(samples), 0, None, None, None)
    return Stats(len(samples), len(counts), min(counts), max(counts), sum(counts) / len(counts))


def offline_spans(samples: Sequence[Sample], gap: float) -> list[tuple[float, float]]:
    """Time ranges where the server was offline; a hole longer than ``gap`` (the bot was not
    polling) is not counted as offline."""
    spans: list[tuple[float, float]] = []
    start: float | None = None
    for prev, cur in itertools.pairwise(samples):
        if not prev.online and start is None:
            start = prev.at
        if start is not None and (cur.online or cur.at - prev.at > gap):
            spans.append((start, cur.at if cur.at - prev.at <= gap else prev.at))
            start = None
    if samples and not samples[-1].online:
        spans.append((start if start is not None else samples[-1].at, samples[-1].at))
    return spans


def _when(at: float) -> float:
    """Matplotlib's date number (days since its default epoch, 1970-01-01 UTC)."""
    return at / 86400.0


def render_history(
    samples: Sequence[Sample],
    start: float,
    end: float,
    *,
    title: str = "",
    gap: float = 600.0,
    small: bool = False,
) -> bytes:
    """A PNG of players and max players from ``start`` to ``end`` (UTC), offline shaded."""
    width, height = (SMALL_WIDTH_PX, SMALL_HEIGHT_PX) if small else (WIDTH_PX, HEIGHT_PX)
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    times = [_when(s.at) for s in samples]
    axes.step(
        times,
        [s.max_players for s in samples],
        where="post",
        color=MAX_COLOUR,
        linewidth=1,
        label="max players",
    )
    axes.fill_between(
        times,
        [s.players if s.online else 0 for s in samples],
        step="post",
        color=PLAYERS_COLOUR,
        alpha=0.35,
        linewidth=0,
    )
    axes.step(
        times,
        [s.players if s.online else 0 for s in samples],
        where="post",
        color=PLAYERS_COLOUR,
        linewidth=1.5,
        label="players",
    )
    for begin, finish in offline_spans(samples, gap):
        axes.axvspan(
            _when(begin),
            _when(max(finish, begin + 1)),
            color=OFFLINE_COLOUR,
            alpha=0.2,
            linewidth=0,
        )
    axes.set_xlim(_when(start), _when(end))
    top = max([s.max_players for s in samples] + [s.players for s in samples] + [1])
    axes.set_ylim(0, top * 1.1 + 0.5)
    axes.xaxis_date(tz="UTC")
    locator = AutoDateLocator(tz="UTC")  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(
        ConciseDateFormatter(locator, tz="UTC")  # type: ignore[no-untyped-call]
    )
    axes.grid(alpha=0.3)
    if title:
        # A literal "$" would start matplotlib mathtext.
        axes.set_title(title.replace("$", r"\$"), fontsize=10)
    if not small:
        axes.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    out = io.BytesIO()
    # No Software/date metadata: the same samples give the same bytes.
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


async def render_history_async(
    samples: Sequence[Sample],
    start: float,
    end: float,
    *,
    title: str = "",
    gap: float = 600.0,
    small: bool = False,
) -> bytes:
    """:func:`render_history` off the event loop."""
    return await asyncio.to_thread(
        render_history, list(samples), start, end, title=title, gap=gap, small=small
    )
