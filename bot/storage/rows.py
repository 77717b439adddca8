"""Result rows read into the repositories' frozen dataclasses, by each field's declared type.

Why one reader rather than a hand-written ``_thing(row)`` per table: the conversions are the
same everywhere (the drivers return ``int``/``float``/``str`` or ``None``, and 0/1 flags stand
for booleans on both engines), so writing them once per field type keeps every mapping to the
dataclass alone: a new column is a new field, not a new line in a mapper.

A field is read from the column of its name with the conversion its type asks for:

* ``int``, ``float``, ``str``: that constructor;
* ``bool``: ``value == 1`` (flags are stored as 0/1 integers, see ``migrations/README.md``);
* ``X | None``: ``None`` for NULL, else as ``X``.

Fields of any other type (JSON text, comma lists, values spread over several columns) are
named in ``derived`` with the function that builds them from the row, or in ``unread`` when
the row does not hold them at all (they keep their default; the caller fills them in).
A reader is built once per dataclass, at import, so a type it cannot read fails then. It also
names the columns it reads (``SELECT {reader.columns} …``): a table's column list is its
dataclass's fields, so the two cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Collection, Mapping
from typing import Any, Generic, TypeVar

from bot.storage.database import Executor, Params, Row

T = TypeVar("T")
Read = Callable[[Row], Any]

_CONVERT: dict[object, Callable[[Any], Any]] = {
    int: int,
    float: float,
    str: str,
    bool: lambda value: int(value) == 1,
}


def _column(name: str, kind: object, owner: type) -> Read:
    """How the field ``name`` of type ``kind`` is read from its column."""
    nullable = False
    if typing.get_origin(kind) in (types.UnionType, typing.Union):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        nullable = len(args) < len(typing.get_args(kind))
        kind = args[0] if len(args) == 1 else kind
    convert = _CONVERT.get(kind)
    if convert is None:
        raise TypeError(f"{owner.__name__}.{name}: no column reading for {kind!r}")
    if nullable:
        return lambda row: None if (value := row[name]) is None else convert(value)
    return lambda row: convert(row[name])


class RowReader(Generic[T]):
    """Makes a ``T`` (a dataclass) from one row, as the module docstring says; names the
    columns that takes (:attr:`columns`); and runs the three queries every repository reads its
    values with, so none maps rows by hand."""

    def __init__(
        self,
        cls: type[T],
        *,
        derived: Mapping[str, Read] | None = None,
        unread: Collection[str] = (),
        columns: str | None = None,
    ) -> None:
        derived = derived or {}
        hints = typing.get_type_hints(cls)
        fields = [f for f in dataclasses.fields(cls) if f.init]  # type: ignore[arg-type]
        unknown = (set(derived) | set(unread)) - {f.name for f in fields}
        if unknown:
            raise TypeError(f"{cls.__name__} has no fields {sorted(unknown)}")
        for f in fields:
            no_default = (
                f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            )
            if f.name in unread and no_default:
                raise TypeError(f"{cls.__name__}.{f.name}: an unread field needs a default")
        read = [f for f in fields if f.name not in unread]
        self._cls = cls
        self._reads = [
            (f.name, derived.get(f.name) or _column(f.name, hints[f.name], cls)) for f in read
        ]
        # What to SELECT (or RETURN) for this reader: the fields' own columns, unless a derived
        # field reads columns named otherwise and the caller lists them.
        self.columns = columns or ", ".join(f.name for f in read)

    def __call__(self, row: Row) -> T:
        return self._cls(**{name: get(row) for name, get in self._reads})

    async def fetch_all(self, db: Executor, sql: str, params: Params = ()) -> list[T]:
        return [self(row) for row in await db.fetch_all(sql, params)]

    async def fetch_one(self, db: Executor, sql: str, params: Params = ()) -> T | None:
        """The first row as a ``T``; None without rows."""
        row = await db.fetch_one(sql, params)
        return None if row is None else self(row)

    async def returning(self, db: Executor, sql: str, params: Params = ()) -> T:
        """The row of a write that always yields one (``INSERT``, or an upsert that updates on
        conflict, ``… RETURNING`` the columns)."""
        row = await db.fetch_one(sql, params)
        assert row is not None  # RETURNING always yields the row
        return self(row)
