"""Poller benchmark: poll rounds over 1,000 registered servers on loopback.

The fake servers run in another process (``bench._a2s_fake_server``: one process holding 1,000
UDP sockets, INFO and PLAYERS(32) answers, no challenge). The poller runs in a fresh child
process of its own, as the bot builds it: the real ``OutpostBot`` module imported (so discord.py
counts in the memory), a SQLite store with 1,000 servers over 10 guilds, one ``A2SEngine``, the
real ``A2SStatusSource`` and ``Poller`` (history written every round). Each run does one cold
round (sockets, empty caches) then ``ROUNDS`` warm ones; reported: wall time and CPU time
(``time.process_time`` of the poller process) per round, and the poller process's peak RSS.

Run: ``.venv/bin/python -m bench poller``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench._common import (
    ROOT,
    run_stamp,
    start_a2s_servers,
    stop_server,
    timed_rounds,
    uvloop_factory,
    write_results,
)

SERVERS = 1000
GUILDS = 10
ROUNDS = 5
RUNS = 3
QUERY_TIMEOUT = 3.0


# -- child: the poller process ----------------------------------------------------------------


async def _poll(ports: list[int], rounds: int, loop_name: str) -> dict[str, Any]:
    import bot.app  # noqa: F401 - the bot's own imports (discord.py...) count in its memory
    from bot.protocols.a2s import A2SEngine
    from bot.services.poller import Poller
    from bot.services.status_source import A2SStatusSource
    from bot.storage import NewServer, Store

    with tempfile.TemporaryDirectory() as folder:
        store = await Store.open(Path(folder) / "bench.sqlite3")
        try:
            for i, port in enumerate(ports):
                await store.servers.add(NewServer(
                    i % GUILDS + 1, f"server {i:04d}", "csgo", "127.0.0.1", port, port,
                    None, None, 1,
                ))
            async with A2SEngine() as engine:
                poller = Poller(store, A2SStatusSource(engine), interval=60.0,
                                query_timeout=QUERY_TIMEOUT)
                result = await timed_rounds(poller, rounds)
                result["samples"] = await store.history.count()
        finally:
            await store.close()
    return {"loop": loop_name, **result}


def child(argv: list[str]) -> int:
    import asyncio

    ports = json.loads(argv[0])
    rounds = int(argv[1])
    factory = uvloop_factory() if argv[2] == "uvloop" else None
    with asyncio.Runner(loop_factory=factory) as runner:
        result = runner.run(_poll(ports, rounds, argv[2]))
    print(json.dumps(result), flush=True)
    return 0


# -- parent: fake servers, runs, table ----------------------------------------------------------


def _run_poller(ports: list[int], loop_name: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_poller", "--child", json.dumps(ports), str(ROUNDS),
         loop_name],
        capture_output=True, text=True, cwd=ROOT, timeout=600, check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _loops() -> list[str]:
    return ["asyncio"] if uvloop_factory() is None else ["asyncio", "uvloop"]


def main(argv: list[str]) -> int:
    proc, ports = start_a2s_servers(SERVERS)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in _loops()}
    try:
        for _ in range(RUNS):
            for name in runs:  # interleaved, so CPU noise from others hits both alike
                runs[name].append(_run_poller(ports, name))
    finally:
        stop_server(proc)
    write_results("poller", _table(runs))
    return 0


def _table(runs: dict[str, list[dict[str, Any]]]) -> str:
    lines = [
        "# Poller benchmark",
        "",
        f"{run_stamp()}.",
        f"{SERVERS:,} registered servers ({GUILDS} guilds), all answering from one fake-server "
        "process on loopback (INFO + PLAYERS with 32 players each); the poller runs in its own "
        "process with the bot's imports, SQLite history on.",
        f"Numbers are medians of {RUNS} runs (each: 1 cold round, then {ROUNDS} warm rounds; "
        "warm = median of the warm rounds). Other processes share the CPU, so absolute numbers "
        "are noisy: compare within this run. Aim: a round under 2 s wall, under 150 MB RSS.",
        "",
        "| event loop | cold round wall s | warm round wall s | warm round CPU s "
        "| answered / round | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, results in runs.items():
        cold = statistics.median(r["walls"][0] for r in results)
        warm = statistics.median(statistics.median(r["walls"][1:]) for r in results)
        cpu = statistics.median(statistics.median(r["cpus"][1:]) for r in results)
        answered = min(min(r["answered"]) for r in results)
        rss = statistics.median(r["peak_rss_kib"] for r in results) / 1024
        lines.append(
            f"| {name} | {cold:.3f} | {warm:.3f} | {cpu:.3f} | {answered:,} / {SERVERS:,} "
            f"| {rss:.0f} |"
        )
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2:]))
    sys.exit(main(sys.argv[1:]))
