"""Checks on text we send to a console that reads lines, shared by the protocol packages."""

from __future__ import annotations

# Line separators of their own: a server that splits on them would run a second command.
_UNICODE_LINE_BREAKS = "\u2028\u2029"


def first_control(text: str) -> int | None:
    """The index of the first C0/C1 control character, DEL or Unicode line break, else None."""
    for i, ch in enumerate(text):
        code = ord(ch)
        if code < 0x20 or code == 0x7F or 0x80 <= code < 0xA0 or ch in _UNICODE_LINE_BREAKS:
            return i
    return None
