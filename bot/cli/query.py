"""`python -m bot query HOST[:PORT]`: ask a game server for its A2S info, players and rules."""

from __future__ import annotations

import argparse
import dataclasses
import json
import socket
import sys
from typing import Any

from bot.protocols.a2s import (
    A2SEngine,
    BrokenMessageError,
    GoldSrcInfo,
    SourceInfo,
    afind_query_port,
)
from bot.protocols.a2s.api import run

DEFAULT_PORT = 27015


def parse_target(text: str) -> tuple[str, int]:
    """``host``, ``host:port``, ``[v6]:port``, or a bare IPv6 address."""
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise argparse.ArgumentTypeError(f"bad address: {text!r}")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
    else:
        host, port_text = text, ""
    if not host:
        raise argparse.ArgumentTypeError(f"bad address: {text!r}")
    if not port_text:
        return host, DEFAULT_PORT
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise argparse.ArgumentTypeError(f"bad port in {text!r}")
    return host, int(port_text)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "query", help="query a game server over A2S", description=__doc__
    )
    parser.add_argument(
        "target", type=parse_target, metavar="HOST[:PORT]", help="default port 27015"
    )
    parser.add_argument("--players", action="store_true", help="also list players")
    parser.add_argument("--rules", action="store_true", help="also list rules (server cvars)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--timeout", type=float, default=3.0, metavar="S", help="default 3")
    parser.add_argument(
        "--probe",
        action="store_true",
        help="PORT is the game port: find the query port near it first",
    )
    parser.set_defaults(handler=handle)


def _info_dict(info: SourceInfo[str] | GoldSrcInfo[str]) -> dict[str, Any]:
    data = dataclasses.asdict(info)
    if isinstance(info, SourceInfo):
        data["resolved_app_id"] = info.resolved_app_id
        data["real_player_count"] = info.real_player_count
        data["real_max_players"] = info.real_max_players
    return data


async def _collect(args: argparse.Namespace) -> dict[str, Any]:
    host, port = args.target
    async with A2SEngine() as engine:
        if args.probe:
            found = await afind_query_port(host, port, timeout=args.timeout, engine=engine)
            if found is None:
                raise TimeoutError(f"no A2S answer on ports {port - 10}..{port + 10}")
            port = found
        address = (host, port)
        out: dict[str, Any] = {"address": [host, port]}
        out["info"] = _info_dict(await engine.info(address, args.timeout))
        if args.players:
            players = await engine.players(address, args.timeout)
            out["players"] = [dataclasses.asdict(p) for p in players]
            out["players_truncated"] = players.truncated
        if args.rules:
            rules = await engine.rules(address, args.timeout)
            out["rules"] = dict(rules)
            out["rules_truncated"] = rules.truncated
        return out


def _fmt_duration(seconds: float) -> str:
    if seconds < 0:
        return "bot"
    minutes, sec = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{sec:02d}"


def render(data: dict[str, Any]) -> str:
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
    try:
        data = run(lambda: _collect(args))
    except TimeoutError as exc:
        reason = str(exc) or f"no answer within {args.timeout:g} s"
        print(f"error: {host}:{port}: {reason}", file=sys.stderr)
        return 1
    except socket.gaierror as exc:
        print(f"error: {host}: cannot resolve ({exc.strerror})", file=sys.stderr)
        return 1
    except ConnectionRefusedError:
        print(f"error: {host}:{port}: port closed (connection refused)", file=sys.stderr)
        return 1
    except BrokenMessageError as exc:
        print(f"error: {host}:{port}: malformed answer ({exc})", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(render(data))
    return 0
