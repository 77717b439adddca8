"""Player-count charts as PNG bytes (matplotlib, Agg backend: no display needed).

:func:`render_history` is CPU work of tens of milliseconds: callers run it in a thread with
:func:`render_history_async` so the event loop keeps answering Discord. It builds its own
``Figure`` (no pyplot global state, no rcParams changes), so concurrent renders in threads do
not interfere.

The look is one style for the small 24 h chart and the ``/history`` chart: a transparent
background (Discord shows the embed's colour behind it) and a palette readable on Discord's
dark and light themes alike (see :data:`DISCORD_BACKGROUNDS`).
"""

from __future__ import annotations

import asyncio
import functools
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict, Unpack

import matplotlib

matplotlib.use("Agg")  # before anything can pick an interactive backend

from matplotlib import font_manager, ft2font
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from bot.i18n import ENGLISH, t
from bot.rendering.text import clip
from bot.storage.history import Sample, offline_spans

WIDTH_PX = 800
HEIGHT_PX = 320
SMALL_WIDTH_PX = 600
SMALL_HEIGHT_PX = 200
DPI = 100
# Discord's muted grey: text, ticks, grid and the max-players line; 3:1 or more on every
# background of DISCORD_BACKGROUNDS, like the players and offline colours.
TEXT_COLOUR = "#80848e"
PLAYERS_COLOUR = "#1f9d55"
MAX_COLOUR = TEXT_COLOUR
OFFLINE_COLOUR = "#f23f43"
PLAYERS_FILL_ALPHA = 0.25
OFFLINE_ALPHA = 0.22
GRID_ALPHA = 0.25
# Embed backgrounds of Discord's dark (#2b2d31 embed, #313338 chat) and light themes.
DISCORD_BACKGROUNDS = ("#2b2d31", "#313338", "#f2f3f5", "#ffffff")
# Tried in order for each character; only the installed ones are used (an absent family
# would log a findfont warning at every render). Colour-bitmap emoji fonts are left out:
# Agg cannot draw them.
FONT_CANDIDATES = (
    "DejaVu Sans",
    "Noto Sans",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans CJK KR",
    "WenQuanYi Zen Hei",
    "Droid Sans Fallback",
    "Noto Sans Symbols",
    "Noto Sans Symbols 2",
    "Noto Emoji",
    "Symbola",
)
# Files of the fallback fonts, by name: fonts installed after matplotlib built its font cache
# (apt-get install fonts-noto-cjk on a running host) are added from these at the first chart.
FONT_FILE_HINTS = ("notosans", "notoemoji", "wqy", "droidsansfallback", "symbola")
TITLE_WEIGHT = "bold"
MISSING_GLYPH = "\N{WHITE SQUARE}"  # in DejaVu Sans, which matplotlib always ships


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


@functools.cache
def _fonts() -> tuple[tuple[str, ...], frozenset[int]]:
    """The installed :data:`FONT_CANDIDATES` that load, in order, and the code points one of
    them has a glyph for (at the title's weight). A font that fails to load is skipped: a
    broken font on the host must not break every chart."""
    _add_new_fallback_files()
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    families: list[str] = []
    points: set[int] = set()
    for family in FONT_CANDIDATES:
        if family not in installed:
            continue
        props = font_manager.FontProperties(family=family, weight=TITLE_WEIGHT)
        try:
            path = font_manager.findfont(props, fallback_to_default=False)
            charmap = ft2font.FT2Font(path).get_charmap()
        except (OSError, RuntimeError, ValueError):
            continue
        families.append(family)
        points.update(charmap)
    if not families:  # matplotlib ships DejaVu Sans: only a broken install gets here
        return ("DejaVu Sans",), frozenset(range(0x20, 0x7F))
    return tuple(families), frozenset(points)


def _add_new_fallback_files() -> None:
    """Teach matplotlib the fallback font files its cache does not list yet."""
    manager = font_manager.fontManager
    known = {entry.fname for entry in manager.ttflist}
    try:
        found = font_manager.findSystemFonts()
    except (OSError, ValueError):  # no readable font folders: the cached list it is
        return
    for path in found:
        name = path.rsplit("/", 1)[-1].lower().replace("-", "").replace("_", "")
        if path in known or not name.startswith(FONT_FILE_HINTS):
            continue
        try:
            manager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue  # a broken file: skipped, like a font that fails to load


def font_families() -> tuple[str, ...]:
    """The fallback list for the title's ``fontfamily``."""
    return _fonts()[0]


def _covered() -> frozenset[int]:
    return _fonts()[1]


def drawable(text: str) -> str:
    """``text`` with only characters the installed fonts can draw: matplotlib would warn once
    per missing glyph at every render. Emoji, joiners and variation selectors it cannot draw
    are dropped (a box reads worse than nothing); other characters become a white square."""
    covered = _covered()
    kept: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if char.isspace() or category == "Cc":
            kept.append(" ")
        elif category == "Cf" or 0xFE00 <= ord(char) <= 0xFE0F:
            continue  # no shaping in Agg: zero-width controls only risk a visible box
        elif ord(char) in covered:
            kept.append(char)
        elif category[0] not in "SM":
            kept.append(MISSING_GLYPH)
    return " ".join("".join(kept).split())


def _when(at: float) -> float:
    """Matplotlib's date number (days since its default epoch, 1970-01-01 UTC)."""
    return at / 86400.0


def _style(axes: Axes, small: bool) -> None:
    axes.set_facecolor("none")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(TEXT_COLOUR)
        axes.spines[side].set_alpha(0.6)
        axes.spines[side].set_linewidth(0.8)
    size = 8 if small else 9
    axes.tick_params(colors=TEXT_COLOUR, labelcolor=TEXT_COLOUR, labelsize=size, width=0.8)
    axes.xaxis.get_offset_text().set_color(TEXT_COLOUR)
    axes.xaxis.get_offset_text().set_fontsize(size)
    axes.grid(color=TEXT_COLOUR, alpha=GRID_ALPHA, linewidth=0.5)
    axes.set_axisbelow(True)


def current_label(last: Sample, language: str = ENGLISH) -> str:
    """The label of the last sample's dot: ``players/max`` or ``offline`` (in ``language``)."""
    return (
        f"{last.players}/{last.max_players}" if last.online else t(language, "misc.chart.offline")
    )


def _mark_last(axes: Axes, last: Sample, small: bool, language: str) -> None:
    """A dot on the last sample, labelled with its value on its right: no data is ever drawn
    after the last sample, so the label never covers the line."""
    colour = PLAYERS_COLOUR if last.online else OFFLINE_COLOUR
    value = last.players if last.online else 0
    axes.plot(
        [_when(last.at)], [value], "o", color=colour, markersize=5 if small else 6, clip_on=False
    )
    axes.annotate(
        current_label(last, language),
        (_when(last.at), value),
        xytext=(6, 1 if value else 2),
        textcoords="offset points",
        ha="left",
        va="center" if value else "bottom",  # at 0, clear of the x axis line
        color=colour,
        fontsize=8 if small else 9,
        fontweight="bold",
        annotation_clip=False,
    )


def _legend(axes: Axes, language: str) -> None:
    """One row above the plot, right-aligned, so it never covers the data."""
    handles, _ = axes.get_legend_handles_labels()
    label = t(language, "misc.chart.offline")
    offline = Patch(color=OFFLINE_COLOUR, alpha=OFFLINE_ALPHA, linewidth=0, label=label)
    axes.legend(
        handles=[*handles[::-1], offline],
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=3,
        frameon=False,
        fontsize=8,
        labelcolor=TEXT_COLOUR,
        borderaxespad=0.2,
        handlelength=1.8,
    )


def _title_room(axes: Axes, renderer: RendererAgg) -> float:
    """Pixels a left-aligned title may take: the figure less the y labels and the legend."""
    room = axes.figure.bbox.width - 70
    legend = axes.get_legend()
    if legend is not None:
        room -= legend.get_window_extent(renderer).width + 20
    return room


def _fit(heading: Text, text: str, room: float, renderer: RendererAgg) -> None:
    """Cut ``text`` (ellipsis) until ``heading`` is at most ``room`` pixels wide: a longer title
    would make tight_layout give up (and warn)."""
    if heading.get_window_extent(renderer).width <= room:
        return
    low, high = 1, len(text) - 1  # longest prefix that fits: binary search, a few measurements
    while low < high:
        middle = (low + high + 1) // 2
        heading.set_text(clip(text, middle))
        if heading.get_window_extent(renderer).width <= room:
            low = middle
        else:
            high = middle - 1
    heading.set_text(clip(text, low))


class ChartOptions(TypedDict, total=False):
    """The keywords of the history renderers."""

    title: str  # default "": no title
    gap: float  # seconds without a sample that count as offline, default 600
    small: bool  # the thumbnail size, default False
    language: str  # of the labels (the guild's: the chart is posted for everyone), default en


# Dates on the time axis without month names for other languages than English (strftime's
# are English): ISO-like numbers every language reads.
_NUMERIC_DATES = {
    "formats": ["%Y", "%m", "%d", "%H:%M", "%H:%M", "%S.%f"],
    "zero_formats": ["", "%Y", "%m-%d", "%m-%d", "%H:%M", "%H:%M"],
    "offset_formats": ["", "%Y", "%Y-%m", "%Y-%m-%d", "%Y-%m-%d", "%Y-%m-%d %H:%M"],
}


def _date_formatter(locator: AutoDateLocator, language: str) -> ConciseDateFormatter:
    extra = {} if language == ENGLISH else _NUMERIC_DATES
    return ConciseDateFormatter(locator, tz="UTC", **extra)  # type: ignore[no-untyped-call]


def history_figure(
    samples: Sequence[Sample], start: float, end: float, **options: Unpack[ChartOptions]
) -> Figure:
    """The laid-out figure of :func:`render_history` (on an Agg canvas)."""
    title = options.get("title", "")
    gap = options.get("gap", 600.0)
    small = options.get("small", False)
    language = options.get("language", ENGLISH)
    width, height = (SMALL_WIDTH_PX, SMALL_HEIGHT_PX) if small else (WIDTH_PX, HEIGHT_PX)
    figure = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor="none")
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    _style(axes, small)
    times = [_when(s.at) for s in samples]
    players = [s.players if s.online else 0 for s in samples]
    axes.step(
        times,
        [s.max_players for s in samples],
        where="post",
        color=MAX_COLOUR,
        linewidth=1,
        linestyle=(0, (4, 3)),
        label=t(language, "misc.chart.max_players"),
    )
    axes.fill_between(
        times, players, step="post", color=PLAYERS_COLOUR, alpha=PLAYERS_FILL_ALPHA, linewidth=0
    )
    axes.step(
        times,
        players,
        where="post",
        color=PLAYERS_COLOUR,
        linewidth=1.6,
        label=t(language, "misc.chart.players"),
    )
    for begin, finish in offline_spans(samples, gap):
        axes.axvspan(
            _when(begin),
            _when(max(finish, begin + 1)),
            color=OFFLINE_COLOUR,
            alpha=OFFLINE_ALPHA,
            linewidth=0,
        )
    if samples and start <= samples[-1].at <= end:  # drawn unclipped: never outside the plot
        _mark_last(axes, samples[-1], small, language)
    axes.set_xlim(_when(start), _when(end))
    top = max([s.max_players for s in samples] + [s.players for s in samples] + [1])
    axes.set_ylim(0, top * 1.12 + 0.5)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=4 if small else 6, integer=True))
    axes.xaxis_date(tz="UTC")
    locator = AutoDateLocator(tz="UTC")  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(_date_formatter(locator, language))
    if not small:
        _legend(axes, language)
    shown = drawable(title)
    if shown:
        heading = axes.set_title(
            shown,
            loc="left",
            fontsize=10 if small else 11,
            fontweight=TITLE_WEIGHT,
            fontfamily=list(font_families()),
            color=TEXT_COLOUR,
            parse_math=False,  # a "$" in a server name is text, not mathtext
        )
        renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
        _fit(heading, shown, _title_room(axes, renderer), renderer)
    figure.tight_layout()
    return figure


def render_history(
    samples: Sequence[Sample], start: float, end: float, **options: Unpack[ChartOptions]
) -> bytes:
    """A transparent PNG of players and max players from ``start`` to ``end`` (UTC), offline
    shaded, the last sample marked."""
    figure = history_figure(samples, start, end, **options)
    out = io.BytesIO()
    # The canvas's own print_png: savefig would draw the figure twice after tight_layout.
    # No Software/date metadata: the same samples give the same bytes.
    figure.canvas.print_png(out, metadata={"Software": None})  # type: ignore[attr-defined]
    return out.getvalue()


async def render_history_async(
    samples: Sequence[Sample], start: float, end: float, **options: Unpack[ChartOptions]
) -> bytes:
    """:func:`render_history` off the event loop."""
    return await asyncio.to_thread(render_history, list(samples), start, end, **options)
