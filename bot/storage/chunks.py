"""Multi-row ``INSERT`` statements cut to size: one statement per chunk is atomic by itself
(no explicit transaction on the connection every coroutine shares), and a chunk keeps the
parameter count below SQLite's limit."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from bot.storage.sql import marks

T = TypeVar("T")


def insert_chunks(
    items: Sequence[T], row_of: Callable[[T], Sequence[Any]], per_statement: int
) -> Iterator[tuple[Sequence[T], str, list[Any]]]:
    """Each chunk of at most ``per_statement`` items, its ``VALUES`` placeholders
    (``(?, ?), (?, ?)``) and its parameters, flat, in the same order."""
    for start in range(0, len(items), per_statement):
        chunk = items[start : start + per_statement]
        rows = [row_of(item) for item in chunk]
        values = ", ".join(f"({marks(row)})" for row in rows)
        yield chunk, values, [v for row in rows for v in row]
