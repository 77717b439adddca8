"""Scale-out benchmark: 2,000 servers polled by one process, or by two processes (two shards).

The fake servers run in another process (``bench._a2s_fake_server``: 2,000 UDP sockets, INFO and
PLAYERS(32) answers, no challenge). The servers are registered once in one SQLite file, spread
over 40 guilds whose ids Discord routes half to shard 0 and half to shard 1 (and, when a
PostgreSQL server answers on 127.0.0.1:5432, once more in a fresh PostgreSQL database created
from ``test`` and dropped afterwards). Then, for each database:

- one process polls everything (``SHARD_COUNT`` unset);
- two processes run at the same time with ``ShardFilter(2, (0,))`` and ``ShardFilter(2, (1,))``,
  as ``SHARD_IDS=0`` / ``SHARD_IDS=1`` would, sharing the same database (each writes the
  history of its own servers).

Each poller process is a fresh child with the bot's imports, the real ``A2SEngine``,
``AdapterStatusSource`` and ``Poller`` (history on), on uvloop when installed (as ``python -m bot``
runs). Each does one cold round, then ``ROUNDS`` warm ones. Reported per process: servers
polled, round wall time, CPU time per round and peak RSS.

Run: ``.venv/bin/python -m bench scale`` (under a minute per database).
"""

from __future__ import annotations

import json
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench._common import (
    ROOT,
    bench_poller,
    run_stamp,
    start_a2s_servers,
    stop_server,
    timed_rounds,
    uvloop_factory,
    write_results,
)

SERVERS = 2000
GUILDS = 40
SHARDS = 2
ROUNDS = 3
RUNS = 3
PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_ADMIN = f"postgresql://postgres@{PG_HOST}:{PG_PORT}/test"


def guild_ids() -> list[int]:
    """Realistic guild ids, alternating between the two shards by Discord's formula."""
    base = 1 << 36
    return [((base + n) << 22) | n for n in range(GUILDS)]


# -- child: one poller process ------------------------------------------------------------------


async def _poll(database: str, shard_ids: list[int], rounds: int) -> dict[str, Any]:
    import bot.app  # noqa: F401 - the bot's own imports (discord.py...) count in its memory
    from bot.sharding import ShardFilter

    shards = ShardFilter(SHARDS, tuple(shard_ids)) if shard_ids else ShardFilter.everything()
    store = await _open(database)
    try:
        async with bench_poller(store, shards=shards) as poller:
            result = await timed_rounds(poller, rounds)
    finally:
        await store.close()
    return {"shards": shard_ids, **result}


def child(argv: list[str]) -> int:
    import asyncio

    database, shard_text, rounds = argv[0], argv[1], int(argv[2])
    shard_ids = [int(s) for s in shard_text.split(",") if s]
    with asyncio.Runner(loop_factory=uvloop_factory()) as runner:
        result = runner.run(_poll(database, shard_ids, rounds))
    print(json.dumps(result), flush=True)
    return 0


# -- parent: fake servers, database, runs, table ------------------------------------------------


async def _open(database: str) -> Any:
    from bot.storage import Store

    if database.startswith("postgresql://"):
        return await Store.open_url(database)
    return await Store.open(Path(database))


async def _seed(database: str, ports: list[int]) -> None:
    from bot.storage import NewServer

    store = await _open(database)
    try:
        guilds = guild_ids()
        for i, port in enumerate(ports):
            row = (guilds[i % GUILDS], f"server {i:04d}", "csgo", "127.0.0.1", port, port)
            await store.servers.add(NewServer(*row, None, None, 1))
    finally:
        await store.close()


def _run_processes(database: str, groups: list[str]) -> list[dict[str, Any]]:
    """Start one poller process per shard group at once; wait for all of them."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.bench_scale", "--child", database, group, str(ROUNDS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for group in groups
    ]
    results: list[dict[str, Any]] = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        if proc.returncode != 0:
            raise RuntimeError(f"a poller process failed: {err.strip()[-500:]}")
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


DEPLOYMENTS: dict[str, list[str]] = {
    "1 process": [""],
    "2 processes (shards 0, 1)": ["0", "1"],
}


def _postgres_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1.0):
            return True
    except OSError:
        return False


async def _postgres(statement: str) -> None:
    import asyncpg

    admin = await asyncpg.connect(PG_ADMIN)
    try:
        await admin.execute(statement)
    finally:
        await admin.close()


Runs = dict[str, dict[str, list[list[dict[str, Any]]]]]


def _measure(database: str, ports: list[int]) -> dict[str, list[list[dict[str, Any]]]]:
    import asyncio

    asyncio.run(_seed(database, ports))
    runs: dict[str, list[list[dict[str, Any]]]] = {name: [] for name in DEPLOYMENTS}
    for _ in range(RUNS):
        for name, groups in DEPLOYMENTS.items():  # interleaved: noise hits both alike
            runs[name].append(_run_processes(database, groups))
    return runs


def main(argv: list[str]) -> int:
    import asyncio

    proc, ports = start_a2s_servers(SERVERS)
    runs: Runs = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            runs["SQLite"] = _measure(str(Path(folder) / "scale.sqlite3"), ports)
        if _postgres_reachable():
            name = f"outpost_bench_{secrets.token_hex(4)}"
            asyncio.run(_postgres(f"CREATE DATABASE {name}"))
            try:
                runs["PostgreSQL"] = _measure(
                    f"postgresql://postgres@{PG_HOST}:{PG_PORT}/{name}", ports
                )
            finally:
                asyncio.run(_postgres(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        else:
            print(f"PostgreSQL not reachable on {PG_HOST}:{PG_PORT}: SQLite only")
    finally:
        stop_server(proc)
    write_results("scale", _table(runs))
    return 0


def _table(runs: Runs) -> str:
    loop = "asyncio" if uvloop_factory() is None else "uvloop"
    lines = [
        "# Scale-out benchmark: one process vs two shard processes",
        "",
        f"{run_stamp()}, {loop} event loop.",
        f"{SERVERS:,} registered servers over {GUILDS} guilds (half on each of {SHARDS} shards), "
        "all answering from one fake-server process on loopback (INFO + PLAYERS with 32 players "
        "each). Databases: one shared SQLite file, then one shared PostgreSQL database on "
        "loopback when a server runs (history written every round). In the two-process rows "
        "both pollers run at the same time on the same machine.",
        f"Numbers are medians of {RUNS} runs (each process: 1 cold round, then {ROUNDS} warm "
        "rounds; warm = median of its warm rounds). Other processes share the 2 cores, so "
        "absolute numbers are noisy: compare within this run.",
        "",
        "| database | deployment | process | servers polled | cold round wall s "
        "| warm round wall s | warm round CPU s | peak RSS MB |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for database, by_deployment in runs.items():
        lines.extend(_rows(database, by_deployment))
    lines.append("")
    return "\n".join(lines)


def _rows(database: str, runs: dict[str, list[list[dict[str, Any]]]]) -> list[str]:
    lines: list[str] = []
    for name, results in runs.items():
        for index in range(len(DEPLOYMENTS[name])):
            mine = [run[index] for run in results]
            label = "all shards" if not mine[0]["shards"] else f"shard {mine[0]['shards'][0]}"
            cold = statistics.median(r["walls"][0] for r in mine)
            warm = statistics.median(statistics.median(r["walls"][1:]) for r in mine)
            cpu = statistics.median(statistics.median(r["cpus"][1:]) for r in mine)
            rss = statistics.median(r["peak_rss_kib"] for r in mine) / 1024
            answered = min(min(r["answered"]) for r in mine)
            lines.append(
                f"| {database} | {name} | {label} | {answered:,} / {mine[0]['targets']:,} "
                f"| {cold:.3f} | {warm:.3f} | {cpu:.3f} | {rss:.0f} |"
            )
    return lines


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.exit(child(sys.argv[2:]))
    sys.exit(main(sys.argv[1:]))
