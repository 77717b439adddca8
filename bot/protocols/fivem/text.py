"""Text from a FiveM server made safe to show: colour codes stripped, clipped, printable.

Names and hostnames carry ``^0``–``^9`` colour escapes and GTA tokens such as ``~r~``; the
notes (3.3) say to strip the two forms separately. Lone surrogates (JSON ``"\\ud800"``) and
control characters are replaced so nothing downstream fails to encode or prints a line break.
"""

from __future__ import annotations

import re

_COLOUR = re.compile(r"\^[0-9]")
_GTA_TOKEN = re.compile(r"~[a-zA-Z]{1,3}~")
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]+")
ELLIPSIS = "…"


def clip(text: str, limit: int) -> str:
    """``text`` at most ``limit`` characters long, an ellipsis marking a cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + ELLIPSIS


def printable(text: str, limit: int) -> str:
    """Control characters and lone surrogates become one space each run; then clipped."""
    # Clip first (with room for what is replaced) so a huge string costs no regex time.
    text = _UNPRINTABLE.sub(" ", text[: limit * 2])
    return clip(text.strip(), limit)


def strip_colours(text: str) -> str:
    """``^1Red ~g~Green`` -> ``Red Green`` (one pass each, as the game renders them)."""
    return _GTA_TOKEN.sub("", _COLOUR.sub("", text))


def display(text: str, limit: int) -> str:
    """What to show for a server-chosen name: colours stripped, printable, clipped."""
    return printable(strip_colours(text[: limit * 4]), limit)
