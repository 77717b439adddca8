"""join_within: whole lines, then "… and N more" (the rule every ``… list`` reply uses)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.rendering.text import join_within, more_line


def test_lines_that_fit_are_joined_as_they_are() -> None:
    assert join_within(["a", "b"], 3) == "a\nb"


def test_what_does_not_fit_is_counted_in_the_reader_s_language() -> None:
    lines = [f"line {i:02d}" for i in range(10)]
    text = join_within(lines, 40, "de")
    assert text.splitlines()[-1].startswith("… und ")
    assert len(text) <= 40


@given(
    st.lists(st.text(st.characters(blacklist_characters="\n"), max_size=60), max_size=80),
    st.integers(min_value=30, max_value=600),
    st.sampled_from(["en", "de", "ru", "ja"]),
)
def test_never_over_the_limit_never_a_cut_line_and_the_count_is_right(
    lines: list[str], limit: int, language: str
) -> None:
    text = join_within(lines, limit, language)
    whole = "\n".join(lines)
    if len(whole) <= limit:
        assert text == whole
        return
    assert len(text) <= limit
    shown = text.split("\n")
    kept, last = shown[:-1], shown[-1]
    assert kept == lines[: len(kept)]
    assert last == more_line(len(lines) - len(kept), language)
