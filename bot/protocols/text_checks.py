"""Checks on text, shared by the protocol packages: what we send to a console that reads
lines, and numbers in what a server (or a member) sends us."""

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


def ascii_int(text: str, max_digits: int) -> int | None:
    """``text`` as an int when it is 1 to ``max_digits`` ASCII digits, else None.

    ``str.isdigit()`` alone is true for "²" (which ``int()`` refuses) and for other scripts'
    digits, and ``int()`` refuses more than 4,300 digits: neither may reach ``int()``.
    """
    if 0 < len(text) <= max_digits and text.isascii() and text.isdigit():
        return int(text)
    return None
