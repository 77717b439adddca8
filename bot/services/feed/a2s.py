"""Joins, leaves and map changes derived from successive A2S answers (pure functions).

A2S has no player ids, so players are compared as a multiset of names: two players named
"Player" are two entries. Empty names (hidden or still connecting players) are ignored. The
result is approximate: a player who leaves and comes back between two polls is not seen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.snapshots import ServerInfo


@dataclass(frozen=True, slots=True)
class PlayerDiff:
    joined: tuple[str, ...]
    left: tuple[str, ...]


def names_of(info: ServerInfo) -> Counter[str]:
    """The named players of an answer, as a multiset."""
    return Counter(p.name for p in info.player_list if p.name.strip())


def diff(before: Counter[str], after: Counter[str]) -> PlayerDiff:
    """Players who joined and left between two lists (sorted, repeated per count)."""
    joined = after - before
    left = before - after
    return PlayerDiff(tuple(sorted(joined.elements())), tuple(sorted(left.elements())))


def map_change(before: str | None, info: ServerInfo) -> str | None:
    """``"old → new"`` when the map changed, else None (the first map seen is no change)."""
    if before is None or not info.map or before == info.map:
        return None
    return f"{before} → {info.map}"
