"""Bytes to lines, and log lines to their parts (sans-IO).

The console is one TCP stream of ``\\r\\n``-terminated lines where the live server log and
command output interleave (protocol notes II, section 8). Reads cut lines anywhere, so the
splitter carries the remainder; a hostile server may never send a newline, so a line is bounded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import NotSdtd

# Longest line accepted. Real lines are short (an ``lp`` row is ~300 bytes); a stack trace is
# many lines, not one. A line past this ends the connection instead of growing the buffer.
MAX_LINE_BYTES = 16 * 1024


class LineSplitter:
    """Accumulates received bytes and cuts them into lines (without their ``\\r\\n``).

    A bare ``\\n`` ends a line too; an inner ``\\r`` stays part of the text. Lines are decoded as
    UTF-8 with replacement (names are UTF-8, and one bad byte must not lose the line). A line
    over ``max_line_bytes`` raises :class:`NotSdtd` and poisons the splitter: where the next line
    starts can no longer be trusted.
    """

    __slots__ = ("_buffer", "_error", "max_line_bytes")

    def __init__(self, max_line_bytes: int = MAX_LINE_BYTES) -> None:
        if max_line_bytes < 1:
            raise ValueError("max_line_bytes must be positive")
        self.max_line_bytes = max_line_bytes
        self._buffer = bytearray()
        self._error: NotSdtd | None = None

    @property
    def buffered(self) -> int:
        """Bytes of the unfinished line."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[str]:
        """Add ``data``; every line it completes, in order."""
        if self._error is not None:
            raise self._error
        buffer = self._buffer
        buffer += data
        lines: list[str] = []
        start = 0
        limit = self.max_line_bytes
        while (end := buffer.find(b"\n", start)) >= 0:
            stop = end - 1 if end > start and buffer[end - 1] == 0x0D else end
            if stop - start > limit:
                self._fail(stop - start)
            lines.append(buffer[start:stop].decode("utf-8", errors="replace"))
            start = end + 1
        del buffer[:start]
        if len(buffer) > limit:
            self._fail(len(buffer))
        return lines

    def partial(self) -> str:
        """The unfinished line so far (a prompt may come without a newline)."""
        return self._buffer.decode("utf-8", errors="replace")

    def discard_partial(self) -> None:
        self._buffer.clear()

    def _fail(self, size: int) -> None:
        self._buffer.clear()
        self._error = NotSdtd(f"a line of over {size} bytes (limit {self.max_line_bytes})")
        raise self._error


# ``2017-08-06T12:15:24 20963.531 INF GMSG: ...``: ISO time, uptime seconds, level, message.
# Bounded quantifiers: no number here can be long enough to be slow or to overflow int().
_LOG_LINE = re.compile(
    r"(?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}) (?P<uptime>\d{1,12}(?:\.\d{1,9})?) "
    r"(?P<level>[A-Z]{3}) (?P<message>.*)",
    re.ASCII | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line of the server log. ``level`` is ``INF``, ``WRN``, ``ERR``, ``EXC``..."""

    time: str
    uptime: float
    level: str
    message: str


def parse_log_line(line: str) -> LogLine | None:
    """The parts of a timestamped log line; ``None`` for anything else (command output)."""
    if len(line) < 24 or not line[0].isdigit():
        return None  # the common case of output lines, without a regex
    m = _LOG_LINE.fullmatch(line)
    if m is None:
        return None
    return LogLine(m["time"], float(m["uptime"]), m["level"], m["message"])


# Colour markup in chat and names: ``[94CBFF]ELITE[-] Hazmat`` (protocol notes II, section 8).
_COLOUR = re.compile(r"\[[0-9A-Fa-f]{6}\]|\[-\]")


def strip_colours(text: str) -> str:
    return _COLOUR.sub("", text)


def clip(text: str, limit: int) -> str:
    """``text`` without control or format characters (they could hide or forge text where it
    is shown), at most ``limit`` characters."""
    if text.isprintable():
        return text[:limit]
    kept = (ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf", "Zl", "Zp"})
    return "".join(kept)[:limit]
