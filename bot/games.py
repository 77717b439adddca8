"""The games Outpost knows: a view of the catalogue (``bot/catalogue/games.toml``).

The query port is the users' most common stumbling block (it often differs from the port
players connect to), so each game carries its rule; :func:`Game.query_port_for` applies it.
"""

from __future__ import annotations

from bot.catalogue import (
    CONSOLES,
    GAMES,
    SAME,
    Console,
    DerivedPort,
    Game,
    PortRule,
    RconKind,
    fixed,
    get_game,
    offset,
    query_protocol_of,
    search_games,
)

__all__ = [
    "CONSOLES",
    "GAMES",
    "SAME",
    "Console",
    "DerivedPort",
    "Game",
    "PortRule",
    "RconKind",
    "fixed",
    "get_game",
    "offset",
    "query_protocol_of",
    "search_games",
]
