"""`python -m bot games [--json] [SEARCH]`: the games Outpost supports, from the catalogue.

The table is for people; ``--json`` prints a list of objects for scripts, with the ports that a
server on the game's default port uses (``query``, ``admin``) and its typed ``/rcon`` actions.
"""

from __future__ import annotations

import argparse
import json
import sys

from bot.catalogue import GAMES, Game, search_games


def game_json(game: Game) -> dict[str, object]:
    port = game.default_port
    rcon_port = game.rcon_port_for(port)
    admin = None
    if rcon_port is not None and game.admin_protocol is not None:
        admin = {"protocol": game.admin_protocol, "port": rcon_port}
        if game.rcon_profile:
            admin["profile"] = game.rcon_profile
    return {
        "key": game.key,
        "name": game.name,
        "aliases": list(game.aliases),
        "game_port": port,
        "query": {"protocol": game.query_protocol, "port": game.query_port_for(port)},
        "admin": admin,
        "actions": list(game.actions),
        "hides_player_names": game.hides_player_names,
        "source": game.source,
    }


def _table(games: list[Game]) -> str:
    rows = [("KEY", "GAME", "PORT", "QUERY", "ADMIN", "ACTIONS")]
    for g in games:
        rcon = g.rcon_port_for(g.default_port)
        rows.append(
            (
                g.key,
                g.name,
                str(g.default_port),
                str(g.query_port_for(g.default_port)),
                f"{g.rcon.label} {rcon}" if rcon is not None else "-",
                ",".join(g.actions) or ("exec" if g.has_rcon else "-"),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=False)) + "  " + r[-1]
        for r in rows
    )


def handle(args: argparse.Namespace) -> int:
    search: str = args.search or ""
    games = (
        search_games(search, limit=len(GAMES))
        if search
        else sorted(GAMES.values(), key=lambda g: g.name.casefold())
    )
    if args.json:
        json.dump([game_json(g) for g in games], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if not games:
        print(f"No game matches {search!r}.", file=sys.stderr)
        return 1
    print(_table(games))
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "games", help="list the supported games and their default ports", description=__doc__
    )
    parser.add_argument("search", nargs="?", metavar="SEARCH", help="part of a name or alias")
    parser.add_argument("--json", action="store_true", help="a JSON list for scripts")
    parser.set_defaults(handler=handle)
