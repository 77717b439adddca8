"""Pieces of SQL text the repositories build at run time, each written once: placeholder lists
for ``IN (…)``, literal ``LIKE`` patterns, and ``column = ?`` terms for the values given."""

from __future__ import annotations

from collections.abc import Collection, Iterable


def marks(values: Collection[object]) -> str:
    """``?, ?, ?``: one placeholder per value (the values go in the parameters, never the SQL)."""
    return ", ".join("?" for _ in values)


def escape_like(text: str) -> str:
    """``text`` matched literally by ``LIKE … ESCAPE '\\'``: its ``\\``, ``%`` and ``_``
    escaped, so typed text cannot act as a wildcard."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def given_columns(source: object, columns: Iterable[str]) -> tuple[list[str], list[object]]:
    """``column = ?`` for each of ``columns`` whose attribute of ``source`` is not None (None:
    not given), and those values in the same order: the SET list of a partial update or the
    WHERE terms of an optional filter."""
    terms: list[str] = []
    values: list[object] = []
    for column in columns:
        value = getattr(source, column)
        if value is not None:
            terms.append(f"{column} = ?")
            values.append(value)
    return terms, values
