"""Poller benchmark: poll rounds over 1,000 and over 10,000 registered servers on loopback.

The fake servers run in another process. The 1,000-server round uses ``bench._a2s_fake_server``
(1,000 UDP sockets, one game, INFO and PLAYERS(32) answers, no challenge). The 10,000-server
round uses ``bench._a2s_mixed_server``: 10,000 UDP sockets (one query port per server, as the
poller routes answers by address), a mix of catalogue games (Counter-Strike 2, TF2, Rust, Arma 3,
DayZ, ARK, Valheim) registered with their query-port rules, challenged PLAYERS everywhere and
challenged INFO on Valve's games, varied player counts, empty names where the game hides them,
split answers for big player lists.

The poller runs in a fresh child process of its own, as the bot builds it: the real
``OutpostBot`` module imported (so discord.py counts in the memory), a SQLite store with the
servers over 10 (100) guilds, one ``A2SEngine``, the real ``AdapterStatusSource`` and ``Poller``
(history written every round). Each run does one cold round (sockets, empty caches) then warm
ones; reported: wall time and CPU time (``time.process_time`` of the poller process) per round,
servers answered, and the poller process's peak RSS.

The mixed-protocol round (``--mixed``, also part of the full run) polls 2,000 servers of six
query protocols at once: A2S (``bench._a2s_mixed_server``) and Minecraft Java (status ping
over TCP plus Query over UDP), Bedrock, Quake 3, FiveM (HTTP) and Satisfactory
(``bench._mixed_protocol_server``), each server its own port, through the same real
``AdapterStatusSource`` and ``Poller`` with every adapter's default connection cap.

Run: ``.venv/bin/python -m bench poller`` (all three rounds), or
``.venv/bin/python -m bench poller --mixed`` (only the mixed-protocol round, about a minute).
"""

from __future__ import annotations

import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import _a2s_mixed_server
from bench._common import (
    QUERY_TIMEOUT,
    ROOT,
    bench_poller,
    run_stamp,
    start_a2s_servers,
    start_server_process,
    stop_server,
    timed_rounds,
    uvloop_factory,
    write_results,
)

SERVERS = 1000
GUILDS = 10
ROUNDS = 5
RUNS = 3
# The 10,000-server round: fewer warm rounds (each run registers 10,000 servers first).
MIXED_SERVERS = 10_000
MIXED_GUILDS = 100
MIXED_ROUNDS = 3
# The mixed-protocol round: servers per query protocol (2,000 in all).
PROTOCOL_MIX = {
    "a2s": 800,
    "minecraft": 400,
    "bedrock": 250,
    "quake3": 250,
    "fivem": 200,
    "satisfactory": 100,
}
PROTOCOL_GUILDS = 20
PROTOCOL_ROUNDS = 3
PROTOCOL_RUNS = 3
# The comparison row: every adapter's cap lifted this high (the poller's own bound remains).
UNCAPPED = 100_000
# The catalogue game each non-A2S server is registered as (all "same" port rules).
PROTOCOL_GAMES = {
    "minecraft": "minecraft",
    "bedrock": "minecraft_bedrock",
    "quake3": "q3a",
    "fivem": "fivem",
    "satisfactory": "satisfactory",
}


# -- child: the poller process ----------------------------------------------------------------


# A server to register: guild, name, game, game port, query port.
Row = tuple[int, str, str, int, int]


async def _poll_rows(
    rows: list[Row], rounds: int, loop_name: str, count_players: bool = False
) -> dict[str, Any]:
    """``rows`` stored in a fresh SQLite store, then ``rounds`` timed poll rounds over them."""
    import bot.app  # noqa: F401 - the bot's own imports (discord.py...) count in its memory
    from bot.storage import NewServer, Store

    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(Path(folder) / "bench.sqlite3")
        try:
            for guild, name, game, port, query_port in rows:
                await store.servers.add(
                    NewServer(guild, name, game, "127.0.0.1", port, query_port, None, None, 1)
                )
            async with bench_poller(store) as poller:
                result = await timed_rounds(poller, rounds)
                result["samples"] = await store.history.count()
                if count_players:
                    # INFO answered counts a server online; this checks PLAYERS came back too.
                    infos = [poller.snapshot(s).info for s in poller.servers]
                    result["with_players"] = sum(
                        1 for i in infos if i is not None and i.players_known
                    )
                    result["player_rows"] = sum(len(i.player_list) for i in infos if i is not None)
        finally:
            await store.close()
    return {"loop": loop_name, **result}


async def _poll(ports: list[int], rounds: int, loop_name: str) -> dict[str, Any]:
    rows = [(i % GUILDS + 1, f"server {i:04d}", "csgo", port, port) for i, port in enumerate(ports)]
    return await _poll_rows(rows, rounds, loop_name)


async def _poll_mixed(layout: list[list[Any]], rounds: int, loop_name: str) -> dict[str, Any]:
    from bot.games import PortRule, get_game

    rows: list[Row] = []
    for i, (port, profile_name) in enumerate(layout):
        profile = _a2s_mixed_server.PROFILES[profile_name]
        game = get_game(profile.game)
        assert game is not None, profile.game
        # Offset rules: the game port the query port derives from; fixed or same
        # rules: the user typed the query port (several servers on one host).
        offset = game.query.value if game.query.rule is PortRule.OFFSET else 0
        rows.append(
            (i % MIXED_GUILDS + 1, f"{profile.name} {i:05d}", profile.game, port - offset, port)
        )
    return await _poll_rows(rows, rounds, loop_name, count_players=True)


async def _poll_protocols(
    layout: dict[str, list[list[Any]]], rounds: int, loop_name: str, cap: int | None = None
) -> dict[str, Any]:
    import bot.app  # noqa: F401 - the bot's own imports (discord.py...) count in its memory
    from bot.games import PortRule, get_game
    from bot.storage import NewServer, Store

    entries: list[tuple[str, str, int, int]] = []  # (protocol, game, game port, query port)
    for port, profile_name in layout["a2s"]:
        profile = _a2s_mixed_server.PROFILES[profile_name]
        game = get_game(profile.game)
        assert game is not None, profile.game
        offset = game.query.value if game.query.rule is PortRule.OFFSET else 0
        entries.append(("a2s", profile.game, port - offset, port))
    for port, kind in layout["other"]:
        entries.append((kind, PROTOCOL_GAMES[kind], port, port))
    protocol_of_game = {game: protocol for protocol, game, _, _ in entries}

    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(Path(folder) / "bench.sqlite3")
        try:
            for i, (protocol, game_key, game_port, query_port) in enumerate(entries):
                await store.servers.add(
                    NewServer(
                        i % PROTOCOL_GUILDS + 1,
                        f"{protocol} {i:05d}",
                        game_key,
                        "127.0.0.1",
                        game_port,
                        query_port,
                        None,
                        None,
                        1,
                    )
                )
            capped = None if cap is None else functools.partial(_capped, cap=cap)
            async with bench_poller(store, capped) as poller:
                result = await timed_rounds(poller, rounds)
                result["samples"] = await store.history.count()
                answered: dict[str, int] = {}
                listed: dict[str, int] = {}
                for server in poller.servers:
                    protocol = protocol_of_game[server.game]
                    info = poller.snapshot(server).info
                    if info is not None:
                        answered[protocol] = answered.get(protocol, 0) + 1
                        if info.players_known:
                            listed[protocol] = listed.get(protocol, 0) + 1
                result["by_protocol"] = answered
                result["listed_by_protocol"] = listed
        finally:
            await store.close()
    return {"loop": loop_name, **result}


def _capped(engine: Any, cap: int) -> Any:
    """Every query adapter with its connection cap set to ``cap``."""
    from bot.adapters.a2s import A2SAdapter
    from bot.adapters.bedrock import BedrockAdapter
    from bot.adapters.fivem import FiveMAdapter
    from bot.adapters.minecraft import MinecraftAdapter
    from bot.adapters.palworld import PalworldAdapter
    from bot.adapters.quake3 import Quake3Adapter
    from bot.adapters.registry import QueryAdapters
    from bot.adapters.satisfactory import SatisfactoryAdapter

    return QueryAdapters(
        [
            A2SAdapter(engine),
            MinecraftAdapter(max_connections=cap),
            BedrockAdapter(max_sockets=cap),
            FiveMAdapter(max_connections=cap),
            Quake3Adapter(max_sockets=cap),
            SatisfactoryAdapter(max_sockets=cap),
            PalworldAdapter(max_connections=cap),
        ]
    )


def child(argv: list[str]) -> int:
    import asyncio

    rounds = int(argv[1])
    factory = uvloop_factory() if argv[2] == "uvloop" else None
    if argv[0] == "mixed":
        # The layout (10,000 ports) comes on stdin: too long for one argv entry.
        job = _poll_mixed(json.loads(sys.stdin.read()), rounds, argv[2])
    elif argv[0] == "protocols":
        job = _poll_protocols(json.loads(sys.stdin.read()), rounds, argv[2])
    elif argv[0] == "protocols-uncapped":
        job = _poll_protocols(json.loads(sys.stdin.read()), rounds, argv[2], UNCAPPED)
    else:
        job = _poll(json.loads(argv[0]), rounds, argv[2])
    with asyncio.Runner(loop_factory=factory) as runner:
        result = runner.run(job)
    print(json.dumps(result), flush=True)
    return 0


# -- parent: fake servers, runs, table ----------------------------------------------------------


def _run_poller(job: str, rounds: int, loop_name: str, stdin: str | None = None) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_poller", "--child", job, str(rounds), loop_name],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _loops() -> list[str]:
    return ["asyncio"] if uvloop_factory() is None else ["asyncio", "uvloop"]


def _start_mixed_servers(count: int) -> tuple[subprocess.Popen[str], list[list[Any]]]:
    """``bench._a2s_mixed_server`` with ``count`` servers; the process and its [port, profile]s."""
    proc, layout = start_server_process("bench._a2s_mixed_server", str(count))
    return proc, list(layout)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc (Linux; 0.01 s ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start_protocol_servers() -> tuple[list[subprocess.Popen[str]], dict[str, list[list[Any]]]]:
    """The A2S share from ``bench._a2s_mixed_server``, the rest from
    ``bench._mixed_protocol_server``: both processes and the ports of each."""
    a2s, a2s_layout = start_server_process("bench._a2s_mixed_server", str(PROTOCOL_MIX["a2s"]))
    try:
        counts = [f"{kind}={n}" for kind, n in PROTOCOL_MIX.items() if kind != "a2s"]
        other, other_layout = start_server_process("bench._mixed_protocol_server", *counts)
    except BaseException:
        stop_server(a2s)
        raise
    return [a2s, other], {"a2s": list(a2s_layout), "other": list(other_layout)}


def run_protocols() -> str:
    """The mixed-protocol round, every event loop, PROTOCOL_RUNS runs each; its markdown."""
    # Rows: each event loop at the default caps, then asyncio with the caps lifted.
    variants = [(name, "protocols", name) for name in _loops()]
    variants.append((f"asyncio, caps {UNCAPPED:,}", "protocols-uncapped", "asyncio"))
    runs: dict[str, list[dict[str, Any]]] = {row: [] for row, _, _ in variants}
    procs, layout = _start_protocol_servers()
    try:
        for _ in range(PROTOCOL_RUNS):
            for row, job, loop_name in variants:
                before = sum(_cpu_seconds(p.pid) for p in procs)
                result = _run_poller(job, PROTOCOL_ROUNDS, loop_name, json.dumps(layout))
                after = sum(_cpu_seconds(p.pid) for p in procs)
                result["server_cpu"] = (after - before) / (PROTOCOL_ROUNDS + 1)
                runs[row].append(result)
    finally:
        for proc in procs:
            stop_server(proc)
    return _protocol_table(runs)


def main(argv: list[str]) -> int:
    if "--mixed" in argv:
        write_results("poller_mixed", run_protocols())
        return 0
    loops = _loops()
    small: dict[str, list[dict[str, Any]]] = {name: [] for name in loops}
    large: dict[str, list[dict[str, Any]]] = {name: [] for name in loops}
    proc, ports = start_a2s_servers(SERVERS)
    try:
        for _ in range(RUNS):
            for name in loops:  # interleaved, so CPU noise from others hits both alike
                small[name].append(_run_poller(json.dumps(ports), ROUNDS, name))
    finally:
        stop_server(proc)
    mixed, layout = _start_mixed_servers(MIXED_SERVERS)
    try:
        for _ in range(RUNS):
            for name in loops:
                before = _cpu_seconds(mixed.pid)
                result = _run_poller("mixed", MIXED_ROUNDS, name, json.dumps(layout))
                # The fake server idles while the poller registers its servers: its CPU
                # over a run is the rounds' (cold rounds answer more challenges).
                result["server_cpu"] = (_cpu_seconds(mixed.pid) - before) / (MIXED_ROUNDS + 1)
                large[name].append(result)
    finally:
        stop_server(mixed)
    write_results("poller", _table(small, large, layout))
    write_results("poller_mixed", run_protocols())
    return 0


def _protocol_table(runs: dict[str, list[dict[str, Any]]]) -> str:
    total = sum(PROTOCOL_MIX.values())
    mix = ", ".join(f"{kind} {n:,}" for kind, n in PROTOCOL_MIX.items())
    lines = [
        "# Poller benchmark: mixed protocols",
        "",
        f"{run_stamp()}.",
        "Other work may share the 2 cores, so absolute numbers are noisy: compare within "
        f"this run. Medians of {PROTOCOL_RUNS} runs per event loop within one invocation; warm "
        "= median of a run's warm rounds; CPU = the poller process's CPU time; peak RSS = the "
        "poller process's; fake servers' CPU = both fake-server processes, per round.",
        "",
        f"{total:,} registered servers ({PROTOCOL_GUILDS} guilds), each its own port on "
        f"loopback: {mix}. A2S as in the 10,000-server round (challenged PLAYERS, split Rust "
        "lists); Minecraft: status ping over TCP (handshake, status, ping) and Query over UDP "
        "(full player list); FiveM: dynamic.json + players.json over HTTP (info.json again "
        "only when `iv` changes, so cold rounds fetch three bodies, warm rounds two); Bedrock, "
        "Quake 3 (getstatus with players), Satisfactory: one datagram each way. Every adapter "
        "at its default connection cap (256; FiveM 85 queries = 255 connections) except in the "
        f"last row (every cap {UNCAPPED:,}: only the poller's own bound of 512 queries "
        f"remains); query timeout {QUERY_TIMEOUT:g} s. Each run: 1 cold "
        f"round, then {PROTOCOL_ROUNDS} warm rounds.",
        "",
        "| event loop, caps | cold round wall s | warm round wall s | warm round CPU s | "
        "answered / round | with player list | peak RSS MB | fake servers CPU s / round |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, results in runs.items():
        cold = statistics.median(r["walls"][0] for r in results)
        warm = statistics.median(statistics.median(r["walls"][1:]) for r in results)
        cpu = statistics.median(statistics.median(r["cpus"][1:]) for r in results)
        answered = min(min(r["answered"]) for r in results)
        listed = min(sum(r["listed_by_protocol"].values()) for r in results)
        rss = statistics.median(r["peak_rss_kib"] for r in results) / 1024
        server_cpu = statistics.median(r["server_cpu"] for r in results)
        lines.append(
            f"| {name} | {cold:.3f} | {warm:.3f} | {cpu:.3f} | {answered:,} / {total:,} "
            f"| {listed:,} | {rss:.0f} | {server_cpu:.2f} |"
        )
    lines += [
        "",
        "Answered in the last round, by protocol (worst run):",
        "",
        "| protocol | servers | answered | with player list |",
        "|---|---:|---:|---:|",
    ]
    every = [r for results in runs.values() for r in results]
    for kind, count in PROTOCOL_MIX.items():
        answered = min(r["by_protocol"].get(kind, 0) for r in every)
        listed = min(r["listed_by_protocol"].get(kind, 0) for r in every)
        lines.append(f"| {kind} | {count:,} | {answered:,} | {listed:,} |")
    lines.append("")
    return "\n".join(lines)


def _rows(runs: dict[str, list[dict[str, Any]]], servers: int, mixed: bool = False) -> list[str]:
    extra = " with player list | fake server CPU s / round |" if mixed else ""
    lines = [
        "| event loop | cold round wall s | warm round wall s | warm round CPU s "
        f"| answered / round | peak RSS MB |{extra}",
        "|---|---:|---:|---:|---:|---:|" + ("---:|---:|" if mixed else ""),
    ]
    for name, results in runs.items():
        cold = statistics.median(r["walls"][0] for r in results)
        warm = statistics.median(statistics.median(r["walls"][1:]) for r in results)
        cpu = statistics.median(statistics.median(r["cpus"][1:]) for r in results)
        answered = min(min(r["answered"]) for r in results)
        rss = statistics.median(r["peak_rss_kib"] for r in results) / 1024
        row = (
            f"| {name} | {cold:.3f} | {warm:.3f} | {cpu:.3f} | {answered:,} / {servers:,} "
            f"| {rss:.0f} |"
        )
        if mixed:
            listed = min(r["with_players"] for r in results)
            server_cpu = statistics.median(r["server_cpu"] for r in results)
            row += f" {listed:,} | {server_cpu:.2f} |"
        lines.append(row)
    return lines


def _table(
    small: dict[str, list[dict[str, Any]]],
    large: dict[str, list[dict[str, Any]]],
    layout: list[list[Any]],
) -> str:
    counts: dict[str, int] = {}
    for _, profile in layout:
        counts[profile] = counts.get(profile, 0) + 1
    mix = ", ".join(f"{name} {n:,}" for name, n in sorted(counts.items(), key=lambda x: -x[1]))
    return "\n".join(
        [
            "# Poller benchmark",
            "",
            f"{run_stamp()}.",
            "Other work may share the 2 cores, so absolute numbers are noisy: compare within "
            f"this run. Numbers are medians of {RUNS} runs per event loop within one invocation; "
            "warm = median of a run's warm rounds; CPU = the poller process's CPU time (all its "
            "threads); peak RSS = the poller process's.",
            "",
            f"## {SERVERS:,} servers, one game",
            "",
            f"{SERVERS:,} registered servers ({GUILDS} guilds), all answering from one fake-server "
            "process on loopback (INFO + PLAYERS with 32 players each, no challenge); the poller "
            f"runs in its own process with the bot's imports, SQLite history on. Each run: 1 cold "
            f"round, then {ROUNDS} warm rounds. Aim: a round under 2 s wall, under 150 MB RSS.",
            "",
            *_rows(small, SERVERS),
            "",
            f"## {MIXED_SERVERS:,} servers, mixed games",
            "",
            f"{MIXED_SERVERS:,} registered servers ({MIXED_GUILDS} guilds), each its own UDP port "
            "in one fake-server process on loopback (`bench/_a2s_mixed_server.py`): "
            f"{mix}. PLAYERS is challenged on every server, INFO on cs2/tf2 (cold rounds pay "
            "those round trips, warm rounds reuse the cached challenge); 0-80 % of the slots "
            "filled; DayZ and Valheim send empty names; Rust's big player lists come split. Each "
            f"round sends at least {2 * MIXED_SERVERS:,} queries (INFO + PLAYERS per server). "
            f"Each run: 1 cold round, then {MIXED_ROUNDS} warm rounds. "
            "'with player list': servers whose PLAYERS answer came back in the last round. "
            "Aim: a round under 2 s wall, under 250 MB peak RSS.",
            "",
            *_rows(large, MIXED_SERVERS, mixed=True),
            "",
        ]
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2:]))
    sys.exit(main(sys.argv[1:]))
