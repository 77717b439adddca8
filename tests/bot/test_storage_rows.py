"""The row reader: conversions by field type, and the mistakes it refuses at build time."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from bot.storage.rows import RowReader
from bot.storage.store import Store


@dataclasses.dataclass(frozen=True, slots=True)
class Sample:
    id: int
    ratio: float
    name: str
    paused: bool
    parent: int | None
    tags: tuple[str, ...] = ()


def _row(**values: object) -> sqlite3.Row:
    """A real driver row (sqlite3.Row) holding ``values`` as columns."""
    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    names = ", ".join(f"? AS {name}" for name in values)
    row = db.execute(f"SELECT {names}", list(values.values())).fetchone()
    db.close()
    assert isinstance(row, sqlite3.Row)
    return row


def test_fields_are_read_by_their_declared_type() -> None:
    reader = RowReader(Sample, derived={"tags": lambda row: tuple(str(row["tags"]).split(","))})
    got = reader(_row(id="7", ratio=2, name=5, paused=1, parent=None, tags="a,b"))
    assert got == Sample(id=7, ratio=2.0, name="5", paused=True, parent=None, tags=("a", "b"))
    assert isinstance(got.ratio, float) and isinstance(got.name, str)
    assert reader(_row(id=1, ratio=0.5, name="x", paused=0, parent="3", tags="c")).parent == 3
    assert reader(_row(id=1, ratio=0.5, name="x", paused=0, parent=3, tags="c")).paused is False


def test_columns_follow_the_fields_unless_given() -> None:
    assert RowReader(Sample, unread={"tags"}).columns == "id, ratio, name, paused, parent"
    assert (
        RowReader(Sample, unread={"tags"}, columns="id, 1.0 AS ratio").columns == "id, 1.0 AS ratio"
    )


def test_an_unread_field_keeps_its_default() -> None:
    got = RowReader(Sample, unread={"tags"})(_row(id=1, ratio=1, name="n", paused=0, parent=None))
    assert got.tags == ()


def test_a_field_type_it_cannot_read_fails_at_build_time() -> None:
    with pytest.raises(TypeError, match=r"Sample\.tags: no column reading"):
        RowReader(Sample)


def test_unknown_field_names_fail_at_build_time() -> None:
    with pytest.raises(TypeError, match=r"Sample has no fields \['nope'\]"):
        RowReader(Sample, unread={"tags", "nope"})
    with pytest.raises(TypeError, match=r"no fields \['other'\]"):
        RowReader(Sample, unread={"tags"}, derived={"other": lambda row: 1})


def test_an_unread_field_without_default_fails_at_build_time() -> None:
    with pytest.raises(TypeError, match=r"Sample\.name: an unread field needs a default"):
        RowReader(Sample, unread={"name", "tags"})


async def test_queries_read_rows_through_the_reader(tmp_path: Path) -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Pair:
        a: int
        b: str | None

    reader = RowReader(Pair)
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        db = store.database
        await db.execute("CREATE TABLE pairs (a INTEGER, b TEXT)")
        assert await reader.fetch_one(db, "SELECT a, b FROM pairs") is None
        written = await reader.returning(
            db, "INSERT INTO pairs VALUES (?, ?) RETURNING a, b", (1, None)
        )
        assert written == Pair(1, None)
        await db.execute("INSERT INTO pairs VALUES (?, ?)", (2, "x"))
        assert await reader.fetch_all(db, "SELECT a, b FROM pairs ORDER BY a") == [
            Pair(1, None),
            Pair(2, "x"),
        ]
    finally:
        await store.close()
