"""Kept for ``cogs/feed.py`` only: the feed listens to every console through
:mod:`.console_link` now (whose :func:`~.console_link.uses_console` and
:func:`~.console_link.reports_joins` say what a server's console gives). Delete this module
once the cog no longer imports it."""

from __future__ import annotations

from bot.games import RconKind, get_game
from bot.storage import Server


def uses_battleye(server: Server) -> bool:
    game = get_game(server.game)
    return (
        game is not None
        and game.rcon is RconKind.BATTLEYE
        and server.rcon_port is not None
        and server.has_rcon_password
    )
