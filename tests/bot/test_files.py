"""CSV exports cut into upload-sized parts: every part has the header, rows stay whole."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rendering.files import split_csv


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "text"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _rows(part: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(part.decode("utf-8"), newline="")))


def test_small_export_is_one_part() -> None:
    data = _csv([["1", "a"]])
    assert split_csv(data, 1000) == [data]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=60), max_size=40),
    st.integers(100, 600),
)
def test_parts_fit_and_keep_every_row_in_order(texts: list[str], limit: int) -> None:
    rows = [[str(i), t] for i, t in enumerate(texts)]
    data = _csv(rows)
    parts = split_csv(data, limit)
    kept: list[list[str]] = []
    for part in parts:
        got = _rows(part)
        assert got[0] == ["id", "text"]
        assert len(part) <= limit or len(got) == 2  # only a lone oversized row may exceed
        kept += got[1:]
    assert kept == rows
