"""The charts' look: readable on Discord's dark and light themes, transparent, integer y ticks,
the last value marked, and titles in any script drawn without glyph warnings."""

from __future__ import annotations

import io
import logging
import warnings

import numpy as np
import pytest
from matplotlib import font_manager, ft2font, image

from bot.rendering import charts
from bot.rendering.charts import (
    DISCORD_BACKGROUNDS,
    OFFLINE_COLOUR,
    PLAYERS_COLOUR,
    TEXT_COLOUR,
    current_label,
    drawable,
    history_figure,
    render_history,
)
from bot.storage.history import Sample

NOW = 1_800_000_000.0
DAY = 86400.0


def day(max_players: int = 20, last_online: bool = True) -> list[Sample]:
    out = [
        Sample(
            "t",
            NOW - DAY + i * 60,
            not (300 <= i < 360),
            (i * 7) % (max_players + 1),
            max_players,
            0,
            "m",
            5.0,
        )
        for i in range(1440)
    ]
    out[-1] = Sample("t", NOW - 60, last_online, 3 if last_online else 0, max_players, 0, "m", 5.0)
    return out


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_helper_matches_wcag_reference_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("background", DISCORD_BACKGROUNDS)
@pytest.mark.parametrize("colour", [TEXT_COLOUR, PLAYERS_COLOUR, OFFLINE_COLOUR])
def test_palette_reads_on_every_discord_theme(colour: str, background: str) -> None:
    # 3:1 is WCAG's minimum for graphics and large text: one palette for dark and light.
    assert contrast(colour, background) >= 3.0


def rgba(png: bytes) -> np.ndarray:
    return image.imread(io.BytesIO(png), format="png")


@pytest.mark.parametrize("small", [False, True])
def test_chart_background_is_transparent(small: bool) -> None:
    pixels = rgba(render_history(day(), NOW - DAY, NOW, title="Main", small=small))
    assert pixels.shape[2] == 4
    for corner in (pixels[0, 0], pixels[0, -1], pixels[-1, 0], pixels[-1, -1]):
        assert corner[3] == 0
    # Something is drawn, and the opaque players line is the players colour.
    opaque = pixels[pixels[:, :, 3] == 1.0][:, :3]
    green = np.array([int(PLAYERS_COLOUR[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    assert (np.abs(opaque - green).max(axis=1) < 0.02).sum() > 100


def test_one_style_for_both_charts() -> None:
    for small in (False, True):
        figure = history_figure(day(max_players=3), NOW - DAY, NOW, title="Main", small=small)
        axes = figure.axes[0]
        assert figure.patch.get_alpha() in (None, 0) and figure.patch.get_facecolor()[3] == 0
        assert axes.patch.get_facecolor()[3] == 0
        assert not axes.spines["top"].get_visible() and not axes.spines["right"].get_visible()
        assert axes.get_ylim()[0] == 0
        ticks = [t for t in axes.get_yticks() if 0 <= t <= axes.get_ylim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks)
        assert axes.title.get_text() == "" and axes.get_title("left") == "Main"
        # The last value is marked next to its dot.
        assert [t.get_text() for t in axes.texts] == ["3/3"]
        assert (axes.get_legend() is None) == small
    legend = history_figure(day(), NOW - DAY, NOW).axes[0].get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["players", "max players", "offline"]


def test_last_value_label() -> None:
    assert current_label(Sample("t", NOW, True, 7, 32, 0, "m", None)) == "7/32"
    assert current_label(Sample("t", NOW, False, 0, 32, 0, "", None)) == "offline"
    axes = history_figure(day(last_online=False), NOW - DAY, NOW, small=True).axes[0]
    assert [t.get_text() for t in axes.texts] == ["offline"]
    # A last sample outside the period (never drawn unclipped off the plot): no marker.
    assert not history_figure(day(), NOW, NOW + DAY).axes[0].texts


def test_cjk_and_emoji_title_renders_without_warnings(caplog: pytest.LogCaptureFixture) -> None:
    title = "[JP] 日本サーバー 🎮🔥 👍🏽 Ünïcode — $5 & 100%"
    with warnings.catch_warnings(), caplog.at_level(logging.WARNING):
        warnings.simplefilter(
            "error", UserWarning
        )  # "Glyph ... missing from font(s)" would raise here
        png = render_history(day(), NOW - DAY, NOW, title=title)
    assert not caplog.records  # no findfont complaints either
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert rgba(png).shape == (320, 800, 4)
    shown = drawable(title)
    assert shown.startswith("[JP] ") and shown.endswith("Ünïcode — $5 & 100%")
    assert all(ord(c) in charts._covered() for c in shown)


def test_title_keeps_what_fonts_draw(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "_covered", lambda: frozenset(map(ord, "Mainms #1[]-?\u25a1")))
    # Letters the fonts lack become a visible box; emoji, skin tones, ZWJ and VS16 go.
    assert drawable("[Main] 日本 #1") == "[Main] \u25a1\u25a1 #1"
    assert drawable("🎮 Main 👩\u200d💻 \ufe0f #1") == "Main #1"
    assert drawable("Main\n\tmain\u3000#1") == "Main main #1"
    assert drawable("🎮🔥") == ""


def test_font_fallback_list_holds_only_installed_fonts() -> None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    families = charts.font_families()
    assert families[0] == "DejaVu Sans" and set(families) <= installed


def test_a_font_that_fails_to_load_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    real = ft2font.FT2Font

    def loading(path: str) -> ft2font.FT2Font:
        if "Serif" in str(path):
            raise RuntimeError("broken font file")
        return real(path)

    monkeypatch.setattr(charts, "FONT_CANDIDATES", ("No Such Font", "DejaVu Serif", "DejaVu Sans"))
    monkeypatch.setattr(ft2font, "FT2Font", loading)
    charts._fonts.cache_clear()
    try:
        assert charts.font_families() == ("DejaVu Sans",)
        assert ord("A") in charts._covered()
        with warnings.catch_warnings():
            warnings.simplefilter("error", UserWarning)
            assert render_history([], NOW - 3600, NOW, title="Main")[:4] == b"\x89PNG"
    finally:
        monkeypatch.undo()
        charts._fonts.cache_clear()


def test_a_long_title_is_cut_to_fit(recwarn: pytest.WarningsRecorder) -> None:
    for small in (False, True):
        figure = history_figure(day(), NOW - DAY, NOW, title="Server " * 40, small=small)
        title = figure.axes[0].get_title("left")
        assert title.endswith("…") and len(title) < 150
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        assert figure.axes[0].get_tightbbox(renderer).x0 >= 0
    # tight_layout warns when decorations cannot fit.
    assert not [w for w in recwarn if "layout" in str(w.message).lower()]


def test_empty_period_renders() -> None:
    pixels = rgba(render_history([], NOW - 3600, NOW, small=True))
    assert pixels.shape == (200, 600, 4) and pixels[0, 0, 3] == 0


def test_fonts_installed_after_matplotlibs_cache_are_found(monkeypatch: pytest.MonkeyPatch) -> None:
    # A host installs fonts-noto-cjk after matplotlib cached its font list: the first chart
    # adds the new files. Simulated with matplotlib's own DejaVu Serif, renamed by its path.
    manager = font_manager.fontManager
    serif = [e for e in manager.ttflist if e.name == "DejaVu Serif"]
    assert serif
    monkeypatch.setattr(
        manager, "ttflist", [e for e in manager.ttflist if e.name != "DejaVu Serif"]
    )
    monkeypatch.setattr(charts, "FONT_CANDIDATES", ("DejaVu Sans", "DejaVu Serif"))
    monkeypatch.setattr(charts, "FONT_FILE_HINTS", ("dejavuserif",))
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda: [e.fname for e in serif])
    charts._fonts.cache_clear()
    try:
        assert charts.font_families() == ("DejaVu Sans", "DejaVu Serif")
    finally:
        monkeypatch.undo()
        charts._fonts.cache_clear()
