"""Rust WebRCON on one connection: our ``WebRconClient`` beside a bare aiohttp WebSocket floor.

The server is ``bench._webrcon_fake_server`` (aiohttp.web, Rust's envelopes) in another
process. Measured, never asserted, each on one connection:

* sequential commands/s: ``echo N`` one after the other;
* pipelined commands/s: the same with 64 in flight (our client's default ``max_in_flight``):
  64 workers, each sending its next command when its reply came;
* events/s: a burst of pushes (half chat, half console join/leave lines) from ``burst N``
  until the last is received; ours parses each into a typed event (``ChatMessage``,
  ``PlayerJoined``, ``PlayerLeft``) and queues it for ``events()``, the floor only
  ``json.loads`` each frame. Client CPU per event: this process's CPU time over the burst.

The floor is the same traffic with bare aiohttp: ``ws_connect``, ``send_str`` of the request
JSON, ``receive`` and ``json.loads``, replies matched by Identifier in a dict; no command
validation, no timeouts per request, no keep-alive, no reconnect, no event parsing.

Every figure is the median of RUNS runs, clients interleaved; other jobs share the 2 cores, so
compare rows of one run. Run: ``.venv/bin/python -m bench webrcon`` (under a minute).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

from bench._common import (
    run_stamp,
    start_server_process,
    stop_server,
    uvloop_factory,
    write_results,
)

RUNS = 5
COMMANDS = 2000
PIPELINED = 10_000
IN_FLIGHT = 64
EVENTS = 20_000
PASSWORD = "bench-password"
TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Rates:
    sequential: float
    pipelined: float
    events: float
    cpu_per_event: float  # seconds


class Client(Protocol):
    async def command(self, text: str) -> str: ...

    async def burst(self, count: int) -> None: ...

    async def close(self) -> None: ...


# -- ours ------------------------------------------------------------------------------------------


class Ours:
    def __init__(self, port: int) -> None:
        from bot.protocols.webrcon import WebRconClient

        # The queue holds a whole burst: events/s measures parsing, not the drop policy.
        self.client = WebRconClient(
            "127.0.0.1", port, PASSWORD, timeout=TIMEOUT, max_events=EVENTS + 16
        )

    async def start(self) -> None:
        await self.client.start()
        self.events = self.client.events()

    async def command(self, text: str) -> str:
        return await self.client.command(text)

    async def burst(self, count: int) -> None:
        from bot.protocols.webrcon import Connected, Disconnected

        # ``burst`` prints nothing, as ``say`` does: allow_empty returns once the keep-alive
        # probe sent after it is answered, which the server does after the last push.
        await self.client.command(f"burst {count}", allow_empty=True)
        seen = 0
        async for event in self.events:
            if isinstance(event, Connected | Disconnected):
                continue
            seen += 1
            if seen == count:
                return

    async def close(self) -> None:
        await self.client.close()


# -- floor -----------------------------------------------------------------------------------------


def _request(identifier: int, text: str) -> str:
    return json.dumps({"Identifier": identifier, "Message": text, "Name": "WebRcon"})


class Floor:
    def __init__(self, port: int) -> None:
        self.url = f"ws://127.0.0.1:{port}/{PASSWORD}"
        self.ids = itertools.count(1000)
        self.waiting: dict[int, asyncio.Future[str]] = {}
        self.pushes: asyncio.Queue[Any] = asyncio.Queue()

    async def start(self) -> None:
        self.session = aiohttp.ClientSession()
        self.ws = await self.session.ws_connect(self.url, autoping=False, max_msg_size=1 << 20)
        self.reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            data = json.loads(msg.data)
            identifier = data["Identifier"]
            waiter = self.waiting.pop(identifier, None)
            if waiter is not None:
                waiter.set_result(data["Message"])
            else:
                self.pushes.put_nowait(data)

    async def command(self, text: str) -> str:
        identifier = next(self.ids)
        waiter = asyncio.get_running_loop().create_future()
        self.waiting[identifier] = waiter
        await self.ws.send_str(_request(identifier, text))
        return await waiter

    async def burst(self, count: int) -> None:
        await self.ws.send_str(_request(0, f"burst {count}"))
        for _ in range(count):
            await self.pushes.get()

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()
        await self.session.close()


# -- measuring -------------------------------------------------------------------------------------


async def measure(client: Any) -> Rates:
    await client.start()
    try:
        await client.command("warm up")
        started = time.perf_counter()
        for i in range(COMMANDS):
            await client.command(f"echo {i}")
        sequential = COMMANDS / (time.perf_counter() - started)

        per_worker = PIPELINED // IN_FLIGHT

        async def worker(n: int) -> None:
            for i in range(per_worker):
                await client.command(f"echo {n}.{i}")

        started = time.perf_counter()
        await asyncio.gather(*(worker(n) for n in range(IN_FLIGHT)))
        pipelined = per_worker * IN_FLIGHT / (time.perf_counter() - started)

        started, cpu = time.perf_counter(), time.process_time()
        await client.burst(EVENTS)
        wall = time.perf_counter() - started
        cpu_used = time.process_time() - cpu
        return Rates(sequential, pipelined, EVENTS / wall, cpu_used / EVENTS)
    finally:
        await client.close()


CLIENTS: dict[str, Callable[[int], Any]] = {"ours": Ours, "floor": Floor}


def main(argv: list[str]) -> int:
    loops: dict[str, Any] = {"asyncio": None}
    factory = uvloop_factory()
    if factory is not None:
        loops["uvloop"] = factory
    results: dict[tuple[str, str], list[Rates]] = {}
    proc, (port,) = start_server_process("bench._webrcon_fake_server", PASSWORD)
    started = time.perf_counter()
    try:
        for _ in range(RUNS):
            for loop_name, loop_factory in loops.items():
                for name, make in CLIENTS.items():  # interleaved: noise hits both alike
                    with asyncio.Runner(loop_factory=loop_factory) as runner:
                        rates = runner.run(_one(make, port))
                    results.setdefault((name, loop_name), []).append(rates)
    finally:
        stop_server(proc)
    write_results("webrcon", _table(results, loops, time.perf_counter() - started))
    return 0


async def _one(make: Callable[[int], Any], port: int) -> Rates:
    return await measure(make(port))


def _table(results: dict[tuple[str, str], list[Rates]], loops: dict[str, Any], took: float) -> str:
    lines = [
        "# Rust WebRCON benchmark",
        "",
        f"{run_stamp()}. Fake server (`bench/_webrcon_fake_server.py`, aiohttp.web) in another "
        f"process; medians of {RUNS} runs, clients interleaved. Other work may share the 2 "
        "cores: compare rows of this run only. One connection per client and run.",
        "",
        "| event loop | client | sequential cmd/s | pipelined cmd/s (64 in flight) | events/s "
        "| client CPU µs / event | vs floor: cmd/s seq / pipelined / events/s |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for loop_name in loops:
        floor = _medians(results[("floor", loop_name)])
        for name, label in (
            ("ours", "**ours** (`WebRconClient`)"),
            ("floor", "floor: bare aiohttp"),
        ):
            m = _medians(results[(name, loop_name)])
            ratio = (
                f"{100 * m[0] / floor[0]:.0f}% / {100 * m[1] / floor[1]:.0f}% "
                f"/ {100 * m[2] / floor[2]:.0f}%"
            )
            lines.append(
                f"| {loop_name} | {label} | {m[0]:,.0f} | {m[1]:,.0f} | {m[2]:,.0f} "
                f"| {1e6 * m[3]:.1f} | {ratio} |"
            )
    lines += [
        "",
        f"Sequential: {COMMANDS:,} `echo` commands one after the other. Pipelined: {PIPELINED:,} "
        f"over {IN_FLIGHT} workers. Events: a burst of {EVENTS:,} pushes (half chat, half "
        "join/leave lines), timed from the request until the last is received (ours: parsed "
        "and taken from `events()`, the `burst` request sent with `allow_empty`, so one more "
        "round trip; floor: `json.loads`). Client CPU per event: this process's CPU over the "
        f"burst (the server runs in another), each client's own cost. Took {took:.0f} s.",
        "",
    ]
    return "\n".join(lines)


def _medians(rates: list[Rates]) -> tuple[float, float, float, float]:
    return (
        statistics.median(r.sequential for r in rates),
        statistics.median(r.pipelined for r in rates),
        statistics.median(r.events for r in rates),
        statistics.median(r.cpu_per_event for r in rates),
    )


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
