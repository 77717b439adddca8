"""The smaller shared texts of issue 20 in the reader's or the guild's language: stored board
pause reasons, feed channel problems and the dropped-events line, the players' "(connecting)",
"(address hidden)", and the labels inside the history chart."""

from __future__ import annotations

import pytest

from bot.i18n import LANGUAGES, t
from bot.rendering.charts import current_label, history_figure
from bot.rendering.players import PlayerSort, player_line
from bot.rendering.text import HIDDEN_ADDRESS, mask_address
from bot.services.feed.posting import PROBLEMS, problem_text
from bot.services.feed.queue import Batch, ChannelQueue, Item
from bot.services.feed.render import dropped_line
from bot.services.status.boards import PAUSE_REASONS, pause_reason_text
from bot.snapshots import PlayerInfo
from bot.storage.history import Sample

NOW = 1_800_000_000.0
DAY = 86400.0


def test_stored_pause_reasons_are_said_in_the_readers_language() -> None:
    # Rows keep the English text older bots stored; /board shows it translated.
    stored = PAUSE_REASONS["deleted"]
    assert stored == "the channel was deleted"
    assert pause_reason_text(stored, "en") == stored
    assert pause_reason_text(stored, "de") == "der Kanal wurde gelöscht"
    assert pause_reason_text(PAUSE_REASONS["missing_access"], "fr").startswith("je ne vois")
    # A reason this bot does not know (a newer bot's) is shown as stored.
    assert pause_reason_text("something new", "de") == "something new"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_pause_reason_and_feed_problem_has_its_text(language: str) -> None:
    for code, english in PAUSE_REASONS.items():
        said = pause_reason_text(english, language)
        assert said == t(language, f"misc.pause.{code}") and said
    for code, english in PROBLEMS.items():
        said = problem_text(english, language)
        assert said == t(language, f"misc.feed_problem.{code}") and said


def test_feed_problems_in_german() -> None:
    assert problem_text(PROBLEMS["no_access"], "de") == (
        "ich sehe diesen Kanal nicht (fehlender Zugriff); Zeilen warten"
    )
    assert problem_text("not one of ours", "de") == "not one of ours"


def test_the_dropped_line_follows_the_language_of_the_lines() -> None:
    assert dropped_line(1) == "⚠️ 1 older event dropped: the queue of this channel was full."
    queue = ChannelQueue(limit=2)
    for n in range(5):
        queue.push(Item(("feed", 1), n, f"Zeile {n}", language="de"))
    batch = queue.take()
    assert batch is not None and batch.dropped == 3
    assert batch.lines[0] == (
        "⚠️ 3 ältere Ereignisse verworfen: die Warteschlange dieses Kanals war voll."
    )
    assert Batch((), 2).lines == [dropped_line(2)]


def test_connecting_and_hidden_address_in_the_language() -> None:
    assert player_line(PlayerInfo("", 0, 0.0), PlayerSort.TIME) == "*(connecting)*"
    assert player_line(PlayerInfo("", 0, 0.0), PlayerSort.TIME, language="de") == "*(verbindet)*"
    assert mask_address("Main 203.0.113.7:27015", "203.0.113.7") == f"Main {HIDDEN_ADDRESS}"
    assert mask_address("Main 203.0.113.7:27015", "203.0.113.7", "ja") == "Main （アドレス非表示）"


def _day(last_online: bool) -> list[Sample]:
    return [
        Sample("t", NOW - DAY + i * 600, last_online or i < 100, 3, 10, 0, "m", 20.0)
        for i in range(144)
    ]


def test_the_chart_labels_are_in_the_language() -> None:
    figure = history_figure(_day(True), NOW - DAY, NOW, language="de")
    legend = figure.axes[0].get_legend()
    assert legend is not None
    assert [x.get_text() for x in legend.get_texts()] == ["Spieler", "max. Spieler", "Offline"]
    offline = Sample("t", NOW, False, 0, 10, 0, "", None)
    assert current_label(offline, "zh-CN") == "离线"
    assert current_label(offline) == "offline"


@pytest.mark.parametrize("span", [DAY, 30 * DAY])
def test_the_chart_dates_have_no_english_month_names_in_other_languages(span: float) -> None:
    samples = [
        Sample("t", NOW - span + i * span / 100, True, 3, 10, 0, "m", 20.0) for i in range(101)
    ]

    def ticks(language: str) -> list[str]:
        figure = history_figure(samples, NOW - span, NOW, language=language)
        figure.canvas.draw()
        axis = figure.axes[0].xaxis
        return [x.get_text() for x in axis.get_ticklabels()] + [axis.get_offset_text().get_text()]

    german = ticks("de")
    assert any(german) and not any(c.isalpha() for text in german for c in text)
    if span > DAY:
        # English keeps matplotlib's month names.
        assert any(c.isalpha() for text in ticks("en") for c in text)
