"""Source RCON throughput: our client against the `rcon` package and raw-socket floors.

The server is the fake from ``tests/fakes/rcon_server.py`` (Minecraft profile: the only one on
which the `rcon` package's clients get through auth and long answers reliably) running in another
process. Clients are measured round-robin, one round per run, so that load from other processes
hits them all alike; every figure is the median of the runs. Compare rows of one run only.
"""

from __future__ import annotations

import asyncio
import os
import platform
import socket
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rcon.source import Client
from rcon.source import rcon as rcon_oneshot

from bench._common import ROOT, stop_server, uvloop_factory, write_results
from bot.protocols import rcon as ours

RUNS = 5
SEQUENTIAL = 5000
PIPELINED = 10000
WINDOW = 100
BIG_FETCHES = 10
ONESHOT = 40
BIG_SIZE = 100_000
PASSWORD = "secret"
PROFILE = "minecraft"

_HEADER = struct.Struct("<iii")
Address = tuple[str, int]
Timer = Callable[[], float]  # runs one measurement, returns seconds per unit


def _packet(id_: int, type_: int, body: bytes) -> bytes:
    return _HEADER.pack(len(body) + 10, id_, type_) + body + b"\x00\x00"


def _timed(count: int, step: Callable[[], object]) -> float:
    start = time.perf_counter()
    for _ in range(count):
        step()
    return (time.perf_counter() - start) / count


# -- raw-socket floor: the least work a correct blocking client can do -------------------------


class RawClient:
    """Blocking socket, pre-encoded packets, no validation beyond the size field."""

    def __init__(self, address: Address) -> None:
        self.sock = socket.create_connection(address)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.sock.sendall(_packet(1, 3, PASSWORD.encode()))
        while self.read()[1] != 2:
            pass

    def read(self) -> tuple[int, int, bytes]:
        while True:
            if len(self.buf) >= 4:
                size = int.from_bytes(self.buf[:4], "little")
                if len(self.buf) >= size + 4:
                    _, id_, type_ = _HEADER.unpack_from(self.buf)
                    body = bytes(self.buf[12 : size + 2])
                    del self.buf[: size + 4]
                    return id_, type_, body
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("server closed")
            self.buf += chunk

    def one_packet(self) -> bytes:
        """Command, then a single packet back: no end detection (wrong for long answers)."""
        self.sock.sendall(_packet(2, 2, b"echo x"))
        return self.read()[2]

    def with_sentinel(self, command: bytes = b"echo x") -> bytes:
        self.sock.sendall(_packet(2, 2, command) + _packet(3, 2, b""))
        parts = []
        while True:
            id_, _, body = self.read()
            if id_ == 3:
                return b"".join(parts)
            parts.append(body)

    def pipelined(self) -> None:
        request = _packet(2, 2, b"echo x") + _packet(3, 2, b"")
        for _ in range(PIPELINED // WINDOW):
            self.sock.sendall(request * WINDOW)
            ended = 0
            while ended < WINDOW:
                if self.read()[0] == 3:
                    ended += 1

    def big(self) -> None:
        assert len(self.with_sentinel(b"big")) == BIG_SIZE


# -- bare asyncio: the least an asyncio client can do ---------------------------------------------


class _BareProtocol(asyncio.Protocol):
    def __init__(self) -> None:
        self.buf = bytearray()
        self.waiter: asyncio.Future[None] | None = None

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while len(self.buf) >= 4:
            size = int.from_bytes(self.buf[:4], "little")
            if len(self.buf) < size + 4:
                break
            _, id_, type_ = _HEADER.unpack_from(self.buf)
            del self.buf[: size + 4]
            if (type_ == 2 or id_ == 3) and self.waiter is not None and not self.waiter.done():
                self.waiter.set_result(None)


class Bare:
    def __init__(self, runner: asyncio.Runner, address: Address) -> None:
        self.runner = runner
        self.transport, self.proto = runner.run(self._open(address))

    async def _open(self, address: Address) -> tuple[asyncio.Transport, _BareProtocol]:
        loop = asyncio.get_running_loop()
        transport, proto = await loop.create_connection(_BareProtocol, *address)
        proto.waiter = loop.create_future()
        transport.write(_packet(1, 3, PASSWORD.encode()))
        await proto.waiter
        return transport, proto

    async def _seq(self) -> float:
        loop = asyncio.get_running_loop()
        request = _packet(2, 2, b"echo x") + _packet(3, 2, b"")
        start = time.perf_counter()
        for _ in range(SEQUENTIAL):
            self.proto.waiter = loop.create_future()
            self.transport.write(request)
            await self.proto.waiter
        return (time.perf_counter() - start) / SEQUENTIAL

    def seq(self) -> float:
        return self.runner.run(self._seq())


# -- our asyncio client --


class Ours:
    def __init__(self, runner: asyncio.Runner, address: Address) -> None:
        self.runner = runner
        self.address = address
        self.conn: ours.RCONConnection = runner.run(self._open())

    async def _open(self) -> ours.RCONConnection:
        return await ours.connect(self.address, PASSWORD, profile=PROFILE)

    async def _seq(self) -> float:
        start = time.perf_counter()
        for _ in range(SEQUENTIAL):
            await self.conn.execute("echo x")
        return (time.perf_counter() - start) / SEQUENTIAL

    async def _pipe(self) -> float:
        start = time.perf_counter()
        for _ in range(PIPELINED // WINDOW):
            await asyncio.gather(*(self.conn.execute("echo x") for _ in range(WINDOW)))
        return (time.perf_counter() - start) / PIPELINED

    async def _big(self) -> float:
        start = time.perf_counter()
        for _ in range(BIG_FETCHES):
            assert len(await self.conn.execute("big", raw=True)) == BIG_SIZE
        return (time.perf_counter() - start) / BIG_FETCHES

    async def _oneshot(self) -> float:
        start = time.perf_counter()
        for _ in range(ONESHOT):
            await ours.aexecute(self.address, PASSWORD, "echo x", profile=PROFILE)
        return (time.perf_counter() - start) / ONESHOT

    def run(self, factory: Callable[[], Coroutine[Any, Any, float]]) -> Timer:
        return lambda: self.runner.run(factory())

    def close(self) -> None:
        self.conn.close()
        self.runner.run(self.conn.wait_closed())


def _theirs_oneshot(runner: asyncio.Runner, address: Address) -> Timer:
    async def measure() -> float:
        start = time.perf_counter()
        for _ in range(ONESHOT):
            await rcon_oneshot("echo", "x", host=address[0], port=address[1], passwd=PASSWORD)
        return (time.perf_counter() - start) / ONESHOT

    return lambda: runner.run(measure())


# -- report --


@dataclass
class Row:
    name: str
    timers: dict[str, Timer]  # metric -> one measurement
    samples: dict[str, list[float]] = field(default_factory=dict)

    def median(self, metric: str) -> float | None:
        values = self.samples.get(metric)
        return statistics.median(values) if values else None


def _start_server() -> tuple[subprocess.Popen[str], Address]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.fakes.rcon_server",
            "--profile",
            PROFILE,
            "--big",
            str(BIG_SIZE),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    port = int(proc.stdout.readline())
    return proc, ("127.0.0.1", port)


def _rate(row: Row, metric: str) -> str:
    value = row.median(metric)
    return "—" if value is None else f"{1 / value:,.0f}"


def _ms(row: Row, metric: str) -> str:
    value = row.median(metric)
    return "—" if value is None else f"{value * 1000:.2f}"


def _blocking_row(name: str, execute: Callable[[str], object]) -> Row:
    """A blocking client's row: sequential small commands and big fetches, the same commands
    for ours and theirs so the two rows compare like with like."""
    return Row(
        name,
        {
            "seq": lambda: _timed(SEQUENTIAL, lambda: execute("echo x")),
            "big": lambda: _timed(BIG_FETCHES, lambda: execute("big")),
        },
    )


def main(argv: list[str]) -> int:
    proc, address = _start_server()
    runners = [asyncio.Runner()]
    uv = uvloop_factory()
    if uv is not None:
        runners.append(asyncio.Runner(loop_factory=uv))
    closers: list[Callable[[], None]] = []
    try:
        raw = RawClient(address)
        closers.append(raw.sock.close)
        bare = Bare(runners[0], address)
        closers.append(bare.transport.close)
        rows = [
            Row(
                "raw socket, 1 packet/command (no end detection)",
                {"seq": lambda: _timed(SEQUENTIAL, raw.one_packet)},
            ),
            Row(
                "raw socket + sentinel (floor)",
                {
                    "seq": lambda: _timed(SEQUENTIAL, raw.with_sentinel),
                    "pipe": lambda: _timed(1, raw.pipelined) / PIPELINED,
                    "big": lambda: _timed(BIG_FETCHES, raw.big),
                },
            ),
            Row("bare asyncio Protocol + sentinel (asyncio floor)", {"seq": bare.seq}),
        ]
        for runner, label in zip(runners, ["asyncio", "uvloop"], strict=False):
            client = Ours(runner, address)
            closers.append(client.close)
            rows.append(
                Row(
                    f"**ours**, {label}",
                    {
                        "seq": client.run(client._seq),
                        "pipe": client.run(client._pipe),
                        "big": client.run(client._big),
                        "oneshot": client.run(client._oneshot),
                    },
                )
            )
        blocking = ours.RCON(address, PASSWORD, profile=PROFILE)
        blocking.connect()
        blocking.authenticate()
        closers.append(blocking.close)
        rows.append(_blocking_row("ours, blocking `RCON`", blocking.execute))
        theirs = Client(*address, passwd=PASSWORD, timeout=10)
        theirs.connect(login=True)
        closers.append(theirs.close)
        rows.append(_blocking_row("`rcon` 2.4.9 `source.Client` (blocking)", theirs.run))
        rows.append(
            Row(
                "`rcon` 2.4.9 `source.rcon()` (async one-shot)",
                {"oneshot": _theirs_oneshot(runners[0], address)},
            )
        )
        for run in range(RUNS):
            # Rotate the start so no client always runs right after the same neighbour.
            for row in rows[run % len(rows) :] + rows[: run % len(rows)]:
                for metric, timer in row.timers.items():
                    row.samples.setdefault(metric, []).append(timer())
    finally:
        for close in reversed(closers):
            close()
        for runner in runners:
            runner.close()
        stop_server(proc)

    lines = [
        "# Source RCON benchmark",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; fake server (`{PROFILE}` profile) in another process. "
        f"Numbers are medians of {RUNS} runs, clients measured round-robin within each run; "
        "other jobs share the CPU, so compare rows of this run only.",
        "",
        f"| client | sequential cmd/s | pipelined cmd/s ({WINDOW} in flight) | "
        "100 KB answer (ms) | one-shot connect+auth+cmd /s |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row.name} | {_rate(row, 'seq')} | {_rate(row, 'pipe')} | {_ms(row, 'big')} | "
            f"{_rate(row, 'oneshot')} |"
        )
    floor, bare_row, mine = rows[1], rows[2], rows[3]

    def ratio(a: Row, b: Row, metric: str) -> float:
        x, y = a.median(metric), b.median(metric)
        assert x is not None and y is not None
        return y / x  # durations: higher ratio = a is faster

    lines += [
        "",
        f"Ours (asyncio): {ratio(mine, floor, 'seq'):.0%} of the blocking floor's sequential "
        f"rate, {ratio(mine, floor, 'pipe'):.0%} of its pipelined rate, "
        f"{1 / ratio(mine, floor, 'big'):.2f}x its 100 KB time; "
        f"{ratio(mine, bare_row, 'seq'):.0%} of the bare asyncio client's sequential rate.",
        "",
        "Every client except the 1-packet floor and the `rcon` package sends a sentinel after "
        "each command (the server does two commands' work for it): that is what lets a client "
        "know a long answer is complete. The `rcon` package gets 100 KB answers here only "
        "because the Minecraft profile splits at 4096-byte bodies and answers its probe; on "
        "SRCDS it returns the first packet (tests/protocols/rcon/test_peers.py).",
    ]
    write_results("rcon", "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
