"""JSON of a hostile HTTP body or message, shared by the HTTP and WebRCON packages. No I/O.

Invalid UTF-8 becomes U+FFFD rather than failing (a broken player name should not hide the
whole server); a BOM is skipped; NaN/Infinity and nesting past the interpreter's recursion
limit are refused like any other non-JSON.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

# Beyond an int64 a number is junk, not a counter (and would not fit a database column).
INT_BOUND = 2**63


def load_json(body: bytes, path: str, error: Callable[[str], Exception]) -> Any:
    """``body`` parsed as JSON; anything else raises ``error(f"{path}: not JSON")``."""
    text = body.decode("utf-8-sig", errors="replace")
    try:
        return json.loads(text, parse_constant=reject_constant)
    except (ValueError, RecursionError):
        # RecursionError: "[[[[…" nested deeper than the interpreter's limit.
        raise error(f"{path}: not JSON") from None


def reject_constant(name: str) -> Any:
    """``parse_constant`` for :func:`json.loads`: NaN, Infinity and -Infinity are not JSON."""
    raise ValueError(name)


def player_objects(
    value: Any, limit: int, path: str, error: Callable[[str], Exception]
) -> list[dict[str, Any]]:
    """The first ``limit`` entries of a JSON player list, each a JSON object (else
    ``error``): past ``limit`` they are neither checked nor kept."""
    if not isinstance(value, list):
        raise error(f"{path}: expected a JSON array of players")
    kept = value[:limit]
    for entry in kept:
        if not isinstance(entry, dict):
            raise error(f"{path}: a player is not a JSON object")
    return kept


def json_int(value: Any) -> int | None:
    """A JSON number as an int (a float is cut: servers send some counters as ``1.0``);
    None for anything else, bools included, and beyond ``INT_BOUND``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if -INT_BOUND < value < INT_BOUND else None
    if isinstance(value, float) and math.isfinite(value) and abs(value) < INT_BOUND:
        return int(value)
    return None


def json_float(value: Any) -> float | None:
    """A finite JSON number as a float; None for anything else, bools included."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int past the float range (JSON allows any length)
        return None
    return number if math.isfinite(number) else None
