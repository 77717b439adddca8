"""`python -m bot query HOST[:PORT] [--protocol NAME]`: ask a game server for its status.

Any query protocol Outpost has an adapter for (``--protocol``, default ``a2s``); ``--json``
prints a protocol-neutral ``status`` object beside the protocol's own fields (A2S: ``info``,
``players`` and, with ``--rules``, ``rules`` at the top level, as always; other protocols:
under ``raw``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from bot.adapters.a2s import A2SAnswer
from bot.adapters.query import PortFinder, QueryError, QueryFailure
from bot.adapters.registry import QUERY_PROTOCOL_NAMES, default_query_adapters
from bot.cli._addresses import source_address
from bot.protocols.a2s import A2SEngine, A2SError
from bot.protocols.a2s.api import run
from bot.snapshots import ServerInfo


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "query", help="ask a game server for its status", description=__doc__
    )
    parser.add_argument(
        "target", type=source_address, metavar="HOST[:PORT]", help="default port 27015 (A2S)"
    )
    parser.add_argument(
        "--protocol",
        default="a2s",
        choices=sorted(QUERY_PROTOCOL_NAMES),
        help="query protocol (default a2s; `python -m bot games` says which game speaks which)",
    )
    parser.add_argument("--players", action="store_true", help="also list players")
    parser.add_argument("--rules", action="store_true", help="also list rules (A2S server cvars)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--password-env",
        metavar="VAR",
        help="read the admin password from this environment variable (Palworld's REST API); "
        "never on the command line, where other users can read it",
    )
    parser.add_argument("--timeout", type=float, default=3.0, metavar="S", help="default 3")
    parser.add_argument(
        "--probe",
        action="store_true",
        help="PORT is the game port: find the query port near it first (A2S)",
    )
    parser.set_defaults(handler=handle)


def neutral_status(status: ServerInfo) -> dict[str, Any]:
    """The protocol-neutral fields every query protocol gives (``--json``'s ``status``)."""
    return {
        "name": status.name,
        "map": status.map,
        "players": status.players,
        "max_players": status.max_players,
        "bots": status.bots,
        "version": status.version,
        "password": status.password,
        "player_names": [p.name for p in status.player_list] if status.players_known else None,
        "ping_ms": round(status.ping_ms, 1),
    }


async def _collect(args: argparse.Namespace) -> dict[str, Any]:
    host, port = args.target
    async with A2SEngine() as engine:
        adapter = default_query_adapters(engine).adapter(args.protocol)
        if args.probe:
            assert isinstance(adapter, PortFinder)  # handle() refuses --probe otherwise
            found = await adapter.find_port(host, port, timeout=args.timeout)
            if found is None:
                raise QueryError(
                    QueryFailure.NO_ANSWER, f"no answer on ports {port - 10}..{port + 10}"
                )
            port = found
        password = os.environ.get(args.password_env) if args.password_env else None
        result = await adapter.query(
            host, port, timeout=args.timeout, players=args.players, password=password
        )
        out: dict[str, Any] = {"address": [host, port], "protocol": args.protocol}
        out["status"] = neutral_status(result.status)
        raw = adapter.raw_fields(result.raw)
        if args.protocol == "a2s":
            out.update(raw)  # info, players: where scripts have always read them
        else:
            out["raw"] = dict(raw)
        if args.players and args.protocol == "a2s" and "players" not in out:
            out["players"] = []
        if args.players and "players" in out and isinstance(result.raw, A2SAnswer):
            raw_players = result.raw.players
            out["players_truncated"] = bool(getattr(raw_players, "truncated", False))
        if args.rules:
            rules = await engine.rules((host, port), args.timeout)
            out["rules"] = dict(rules)
            out["rules_truncated"] = rules.truncated
        return out


def _fmt_duration(seconds: float) -> str:
    if seconds < 0:
        return "bot"
    minutes, sec = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{sec:02d}"


def render_neutral(data: dict[str, Any]) -> str:
    """The summary for protocols other than A2S: the neutral status."""
    status = data["status"]
    host, port = data["address"]
    lines = [
        f"{status['name']}  ({host}:{port}, {data['protocol']})",
        f"  map      {status['map'] or '-'}",
        f"  players  {status['players']}/{status['max_players']} ({status['bots']} bots)",
        f"  server   {'password' if status['password'] else 'open'}; version "
        f"{status['version'] or '?'}",
        f"  ping     {status['ping_ms']:.1f} ms",
    ]
    names = status["player_names"]
    if names is not None and "players" in data:
        lines.append(f"players: {len(names)}")
        lines.extend(f"  {name or '(unnamed)'}" for name in names)
    return "\n".join(lines)


def render(data: dict[str, Any]) -> str:
    if "info" not in data:
        return render_neutral(data)
    info = data["info"]
    host, port = data["address"]
    lines = [
        f"{info['server_name']}  ({host}:{port})",
        f"  game     {info['game']} ({info['folder']})",
        f"  map      {info['map_name']}",
    ]
    players = info.get("real_player_count", info["player_count"])
    slots = info.get("real_max_players", info["max_players"])
    lines.append(f"  players  {players}/{slots} ({info['bot_count']} bots)")
    flags = [
        "password" if info["password_protected"] else "open",
        "VAC" if info["vac_enabled"] else "no VAC",
    ]
    lines.append(f"  server   {', '.join(flags)}; version {info.get('version', '?')}")
    if "resolved_app_id" in info:
        lines.append(f"  app id   {info['resolved_app_id']}")
    if info.get("keywords"):
        lines.append(f"  keywords {info['keywords']}")
    lines.append(f"  ping     {info['ping'] * 1000:.1f} ms")
    if "players" in data:
        cut = " (truncated by the server)" if data["players_truncated"] else ""
        lines.append(f"players: {len(data['players'])}{cut}")
        for p in data["players"]:
            name = p["name"] or "(unnamed)"
            lines.append(f"  {name:<32} {p['score']:>6}  {_fmt_duration(p['duration'])}")
    if "rules" in data:
        cut = " (truncated by the server)" if data["rules_truncated"] else ""
        lines.append(f"rules: {len(data['rules'])}{cut}")
        for key, value in sorted(data["rules"].items()):
            lines.append(f"  {key} = {value}")
    return "\n".join(lines)


def handle(args: argparse.Namespace) -> int:
    host, port = args.target
    if args.protocol != "a2s" and (args.rules or args.probe):
        print("error: --rules and --probe are A2S requests", file=sys.stderr)
        return 2
    try:
        data = run(lambda: _collect(args))
    except QueryError as exc:
        where = host if exc.failure is QueryFailure.DNS else f"{host}:{port}"
        print(f"error: {where}: {_ERROR_WORDS.get(exc.failure, exc.detail)}", file=sys.stderr)
        return 1
    except (OSError, A2SError) as exc:  # --rules: the engine's own errors
        print(f"error: {host}:{port}: {type(exc).__name__}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(render(data))
    return 0


_ERROR_WORDS = {
    QueryFailure.DNS: "cannot resolve the host name",
    QueryFailure.UNREACHABLE: "port closed (connection refused)",
    QueryFailure.NOT_THIS_PROTOCOL: "not this protocol (wrong port or --protocol?)",
}
