"""The part of a neutral status every query adapter test reads first: the line the status
board shows (server name, map, players of the maximum, bots)."""

from __future__ import annotations

from bot.snapshots import ServerInfo


def headline(status: ServerInfo) -> tuple[str, str, int, int, int]:
    """``(name, map, players, max_players, bots)`` of ``status``."""
    return (status.name, status.map, status.players, status.max_players, status.bots)
