"""Pieces of SQL text the repositories build at run time, each written once: placeholder lists
for ``IN (…)``, literal ``LIKE`` patterns, ``column = ?`` terms for the values given, and the
``INSERT`` of a value whose fields are its table's columns."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


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


def insert_into(table: str, new: DataclassInstance) -> tuple[str, list[object]]:
    """``INSERT INTO table (…) VALUES (?, …)`` of ``new``, a dataclass whose fields are
    columns of ``table`` (a ``NewSchedule``…), and its values in field order: the write-side
    twin of :class:`bot.storage.rows.RowReader`."""
    fields = dataclasses.fields(new)
    columns = ", ".join(f.name for f in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks(fields)})"
    return sql, [getattr(new, f.name) for f in fields]
