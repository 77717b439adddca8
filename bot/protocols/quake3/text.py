"""Text of the Quake 3 family: colour codes and the ``\\key\\value`` info string. No I/O.

Colour codes (protocol notes §4.2): id Tech 3's original rule is ``^`` followed by any
character except ``^`` (and NUL); ioquake3 since 2007 accepts only ``^[0-9A-Za-z]`` and other
engines other sets, so the broad original rule is the one that leaves no code in any of them.
As in the engine's ``Q_CleanStr``, ``^^`` is not a code: the first caret is text, and the
second starts a code with what follows (``^^1x`` gives ``^x``; a final ``^^`` stays).
DarkPlaces' ``^xRGB`` is stripped only on request (``rgb=True``): under the original rule
``^x`` alone is the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

# Bounds on what one info string may put in memory (ioq3: MAX_INFO_KEY/VALUE 1024).
MAX_INFO_KEYS = 512
MAX_KEY_CHARS = 256
MAX_VALUE_CHARS = 1024

_COLOUR = re.compile(r"\^[^^\x00]")
_RGB_COLOUR = re.compile(r"\^x[0-9a-fA-F]{3}")
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_INTEGER = re.compile(r"-?[0-9]{1,10}")


def strip_colours(text: str, *, rgb: bool = False) -> str:
    """``text`` without colour codes and control characters (for display)."""
    if rgb:
        text = _RGB_COLOUR.sub("", text)
    return _CONTROL.sub("", _COLOUR.sub("", text))


def parse_infostring(text: str) -> tuple[dict[str, str], bool]:
    """The pairs of ``\\key\\value\\key\\value…`` and whether some were dropped (bounds).

    The leading backslash is optional; a key without a value gets ``""``; an empty key is
    skipped. A repeated key keeps its first value, as the engine's ``Info_ValueForKey`` reads
    it. Keys and values are clipped.
    """
    if text.startswith("\\"):
        text = text[1:]
    parts = text.split("\\", 2 * MAX_INFO_KEYS)
    truncated = len(parts) > 2 * MAX_INFO_KEYS
    if truncated:
        parts.pop()  # the unsplit remainder
    if len(parts) % 2:
        parts.append("")
    pairs: dict[str, str] = {}
    for index in range(0, len(parts), 2):
        key = parts[index][:MAX_KEY_CHARS]
        if key and key not in pairs:
            pairs[key] = parts[index + 1][:MAX_VALUE_CHARS]
    return pairs, truncated


class InfoView:
    """Case-insensitive lookups over info pairs (``Info_ValueForKey`` compares without case)."""

    def __init__(self, pairs: Mapping[str, str]) -> None:
        self._lower: dict[str, str] = {}
        for key, value in pairs.items():
            self._lower.setdefault(key.lower(), value)

    def text(self, names: Iterable[str]) -> str:
        """The value of the first of ``names`` present, ``""`` if none."""
        for name in names:
            value = self._lower.get(name.lower())
            if value is not None:
                return value
        return ""

    def integer(self, names: Iterable[str]) -> int | None:
        value = self.text(names).strip()
        return int(value) if _INTEGER.fullmatch(value) else None

    def flag(self, names: Iterable[str]) -> bool | None:
        value = self.integer(names)
        return None if value is None else value != 0

    def get(self, name: str) -> str | None:
        return self._lower.get(name.lower())
