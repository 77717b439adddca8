"""BattlEye RCON: our client against berconpy's AsyncRCONClient (ArmaClient) and a raw floor.

The server is ``tests/fakes/battleye_server.py`` in another process, controlled over a pipe.
Measured, never asserted:

* commands/s: sequential ``players`` commands, lossless;
* events/s: a burst of server messages, received *and acknowledged*, lossless;
* under 5% loss each way (the fake drops datagrams in both directions): lost and duplicated
  events of a 500-message burst, failed commands of 100 — once with a server that answers a
  re-sent command again ("replay") and once with one that ignores it, like berconpy's own server
  ("ignore"). The lossy runs use a 0.1 s command retry interval for every client and a 0.3 s
  server re-send interval (BattlEye: 2 s) so the benchmark stays short.

Every figure is the median of 5 runs; other jobs share the 2 cores, so compare rows of one run.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import multiprocessing
import os
import platform
import statistics
import time
import warnings
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from typing import Any

from bench._common import write_results

RUNS = 5
COMMANDS = 300
EVENTS = 2000
LOSSY_EVENTS = 500
LOSSY_COMMANDS = 100
LOSS = 0.05
RETRY_INTERVAL = 0.1
RESEND_INTERVAL = 0.3
PASSWORD = "bench"
_NOISE: Counter[str] = Counter()
Address = tuple[str, int]


# -- server process ----------------------------------------------------------------------------


def _serve(conn: Connection, faults: dict[str, Any]) -> None:
    asyncio.run(_serve_async(conn, faults))


async def _serve_async(conn: Connection, faults: dict[str, Any]) -> None:
    from tests.fakes.battleye_server import FakeBattlEyeServer

    loop = asyncio.get_running_loop()
    requests: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
    loop.add_reader(conn.fileno(), lambda: requests.put_nowait(conn.recv()))
    async with FakeBattlEyeServer(PASSWORD, **faults) as server:
        conn.send(server.address)
        while True:
            op, *args = await requests.get()
            if op == "push":
                count, prefix = args
                await server.push_messages(f"{prefix} {i}" for i in range(count))
                conn.send("ok")
            elif op == "settle":
                try:
                    async with asyncio.timeout(args[0]):
                        await server.wait_acked()
                    conn.send("acked")
                except TimeoutError:
                    conn.send("timeout")
            elif op == "restart":
                await server.restart()
                conn.send("ok")
            else:
                conn.send("bye")
                return


class ServerProcess:
    def __init__(self, **faults: Any) -> None:
        self._conn, child = multiprocessing.Pipe()
        self._proc = multiprocessing.Process(target=_serve, args=(child, faults), daemon=True)
        self._proc.start()
        self.address: Address = self._conn.recv()

    async def call(self, *request: Any) -> Any:
        self._conn.send(request)
        loop = asyncio.get_running_loop()
        # Waiting in a thread keeps our event loop free to receive the messages meanwhile.
        return await loop.run_in_executor(None, self._conn.recv)

    def close(self) -> None:
        with contextlib.suppress(OSError, EOFError):
            self._conn.send(("stop",))
            self._conn.recv()
        self._proc.join(5)


# -- the three clients behind one small interface ----------------------------------------------


class Session(abc.ABC):
    """Connected client: ``command()`` and a counter of received message texts."""

    received: list[str]

    @abc.abstractmethod
    async def command(self, text: str) -> bool:
        """True when the command was answered."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Disconnect."""


class ClientSession(Session):
    """A library client (ours or berconpy): ``client.connect()`` entered at start, left at close."""

    client: Any
    error: type[Exception]  # what the client raises for a refused command
    _cm: Any = None

    async def start(self, address: Address) -> None:
        self._cm = self.client.connect(*address, PASSWORD)
        await self._cm.__aenter__()

    async def command(self, text: str) -> bool:
        try:
            await self.client.send_command(text)
        except self.error:
            return False
        return True

    async def close(self) -> None:
        await self._cm.__aexit__(None, None, None)


@dataclass
class Runner:
    name: str
    open: Callable[[Address, float], Awaitable[Session]]


class OursSession(ClientSession):
    def __init__(self, interval: float) -> None:
        from bot.protocols.battleye import (
            BattlEyeClient,
            ClientConfig,
            ProtocolConfig,
            RCONCommandError,
        )

        config = ClientConfig(
            protocol=ProtocolConfig(command_interval=interval, message_hold=3.0),
            fetch_players_on_login=False,
        )
        self.client = BattlEyeClient(config)
        self.error = RCONCommandError
        self.received = []
        self.client.add_listener("raw_event", self.received.append)


async def open_ours(address: Address, interval: float) -> Session:
    session = OursSession(interval)
    await session.start(address)
    return session


class BerconpySession(ClientSession):
    def __init__(self, interval: float) -> None:
        import berconpy

        commander = berconpy.AsyncCommander(command_interval=interval)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cls = berconpy.AsyncRCONClient
        self.client = cls(protocol=berconpy.ArmaConnector(commander=commander))
        self.error = berconpy.RCONCommandError
        self.received = []

        async def on_message(text: str) -> None:
            self.received.append(text)

        self.client.add_listener("on_message", on_message)


async def open_berconpy(address: Address, interval: float) -> Session:
    session = BerconpySession(interval)
    await session.start(address)
    return session


def _frame(body: bytes) -> bytes:
    return b"BE" + zlib.crc32(body).to_bytes(4, "little") + body


class FloorSession(Session, asyncio.DatagramProtocol):
    """The least a client can do: ack every message (pre-built acks), count, no CRC check, no
    retransmission, no dedupe. One try per command."""

    ACKS = [_frame(bytes((0xFF, 2, seq))) for seq in range(256)]

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.received = []
        self.transport: asyncio.DatagramTransport | None = None
        self.waiters: dict[int, asyncio.Future[None]] = {}
        self.login: asyncio.Future[None] | None = None
        self.seq = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def datagram_received(self, data: bytes, addr: Any) -> None:
        kind = data[7]
        assert self.transport is not None
        if kind == 2:
            self.transport.sendto(self.ACKS[data[8]])
            self.received.append(data[9:].decode("utf-8", "replace"))
        elif kind == 1:
            fut = self.waiters.pop(data[8], None)
            if fut is not None and not fut.done():
                fut.set_result(None)
        elif kind == 0 and self.login is not None and not self.login.done():
            self.login.set_result(None)

    async def command(self, text: str) -> bool:
        assert self.transport is not None
        seq, self.seq = self.seq, (self.seq + 1) % 256
        fut = asyncio.get_running_loop().create_future()
        self.waiters[seq] = fut
        self.transport.sendto(_frame(bytes((0xFF, 1, seq)) + text.encode()))
        try:
            await asyncio.wait_for(fut, self.interval * 3)
        except TimeoutError:
            self.waiters.pop(seq, None)
            return False
        return True

    async def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def open_floor(address: Address, interval: float) -> Session:
    loop = asyncio.get_running_loop()
    session = FloorSession(interval)
    await loop.create_datagram_endpoint(lambda: session, remote_addr=address)
    session.login = loop.create_future()
    assert session.transport is not None
    for _ in range(10):  # the login itself may be lost in the lossy runs
        session.transport.sendto(_frame(b"\xff\x00" + PASSWORD.encode()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(session.login), 0.5)
            return session
    raise TimeoutError("floor client: no login answer")


RUNNERS = [
    Runner("**ours** (`BattlEyeClient`)", open_ours),
    Runner("berconpy 3.1.4 `AsyncRCONClient`", open_berconpy),
    Runner("raw asyncio floor (no retries, no dedupe)", open_floor),
]


# -- measurements ------------------------------------------------------------------------------


async def _wait_count(session: Session, prefix: str, count: int, limit: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    # Scan only what arrived since the last look: the poll must not cost more as texts pile
    # up, or it eats the CPU the client under test needs (the same for every client).
    seen = found = 0
    while True:
        received = session.received
        found += sum(1 for t in received[seen:] if t.startswith(prefix))
        seen = len(received)
        if found >= count or loop.time() > deadline:
            return
        await asyncio.sleep(0.001)


async def measure_commands(server: ServerProcess, runner: Runner) -> float:
    await server.call("restart")
    session = await runner.open(server.address, 1.0)
    try:
        start = time.perf_counter()
        for _ in range(COMMANDS):
            await session.command("players")
        return COMMANDS / (time.perf_counter() - start)
    finally:
        await session.close()


async def measure_events(server: ServerProcess, runner: Runner, tag: str) -> tuple[float, float]:
    """Events/s, and CPU seconds per event spent in this (client) process."""
    await server.call("restart")
    session = await runner.open(server.address, 1.0)
    try:
        await asyncio.sleep(0.05)  # let the login message and cache fetches pass
        start, cpu_start = time.perf_counter(), time.process_time()
        await server.call("push", EVENTS, tag)
        await _wait_count(session, tag, EVENTS, 30)
        elapsed = time.perf_counter() - start
        # The server is in another process: this is the client's own cost (plus the poll
        # above, the same for every client). Wall time alone mostly measures the server.
        cpu = time.process_time() - cpu_start
        await server.call("settle", 10)  # "received and acknowledged": the server saw the acks
        return EVENTS / elapsed, cpu / EVENTS
    finally:
        await session.close()


@dataclass
class LossyResult:
    lost: int
    duplicated: int
    failed: int


async def measure_lossy(
    server: ServerProcess, runner: Runner, tag: str, *, events: bool
) -> LossyResult:
    await server.call("restart")
    session = await runner.open(server.address, RETRY_INTERVAL)
    try:
        lost = duplicated = failed = 0
        if events:
            await asyncio.sleep(0.05)
            await server.call("push", LOSSY_EVENTS, tag)
            await server.call("settle", 15)
            await _wait_count(session, tag, LOSSY_EVENTS, 2)  # ours may hold a gap a moment
            counts = Counter(t for t in session.received if t.startswith(tag))
            lost = sum(1 for i in range(LOSSY_EVENTS) if counts[f"{tag} {i}"] == 0)
            duplicated = sum(n - 1 for n in counts.values() if n > 1)
        for _ in range(LOSSY_COMMANDS):
            failed += not await session.command("players")
        return LossyResult(lost, duplicated, failed)
    finally:
        await session.close()


def _fmt_range(values: list[int]) -> str:
    return f"{statistics.median(values):g} ({min(values)}–{max(values)})"


async def run_all() -> str:
    # berconpy raises inside datagram_received when a message overtakes its login answer;
    # count those instead of printing tracebacks in the middle of the table.
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(lambda _loop, _ctx: _NOISE.update(["berconpy"]))
    rates: dict[str, tuple[list[float], list[float], list[float]]] = {
        r.name: ([], [], []) for r in RUNNERS
    }
    lossy: dict[tuple[str, str], list[LossyResult]] = {}
    clean = ServerProcess()
    try:
        for run in range(RUNS):
            for runner in RUNNERS:
                rates[runner.name][0].append(await measure_commands(clean, runner))
                rate, cpu = await measure_events(clean, runner, f"e{run}")
                rates[runner.name][1].append(rate)
                rates[runner.name][2].append(cpu)
    finally:
        clean.close()
    for mode in ("replay", "ignore"):
        server = ServerProcess(
            loss=LOSS, resend_interval=RESEND_INTERVAL, duplicate_commands=mode, seed=11
        )
        try:
            for run in range(RUNS):
                for runner in RUNNERS:
                    # Events do not depend on the mode: measured once, with "replay".
                    result = await measure_lossy(server, runner, f"l{run}", events=mode == "replay")
                    lossy.setdefault((runner.name, mode), []).append(result)
        finally:
            server.close()

    floor_events = statistics.median(rates[RUNNERS[2].name][1])
    floor_cpu = statistics.median(rates[RUNNERS[2].name][2])
    lines = [
        "| client | commands/s | events/s (received + acked) | % of floor events/s "
        "| client CPU µs/event | floor CPU / client CPU "
        f"| lost events of {LOSSY_EVENTS} | duplicated events | failed commands of "
        f"{LOSSY_COMMANDS} (server replays) | failed commands (server ignores re-sends) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for runner in RUNNERS:
        cmds, evs, cpus = rates[runner.name]
        replay, ignore = lossy[(runner.name, "replay")], lossy[(runner.name, "ignore")]
        both = replay
        lines.append(
            f"| {runner.name} | {statistics.median(cmds):,.0f} | {statistics.median(evs):,.0f} "
            f"| {100 * statistics.median(evs) / floor_events:.0f}% "
            f"| {1e6 * statistics.median(cpus):.1f} "
            f"| {100 * floor_cpu / statistics.median(cpus):.0f}% "
            f"| {_fmt_range([r.lost for r in both])} "
            f"| {_fmt_range([r.duplicated for r in both])} "
            f"| {_fmt_range([r.failed for r in replay])} "
            f"| {_fmt_range([r.failed for r in ignore])} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    logging.getLogger("berconpy").setLevel(logging.CRITICAL)
    logging.getLogger("bot.protocols.battleye").setLevel(logging.CRITICAL)
    started = time.perf_counter()
    table = asyncio.run(run_all())
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = (
        "# BattlEye RCON benchmark\n\n"
        f"Run {stamp} on {os.cpu_count()} cores, Python {platform.python_version()}; fake server "
        "(`tests/fakes/battleye_server.py`) in another process. Numbers are medians of "
        f"{RUNS} runs (loss columns: median (min–max) over the runs). Other jobs share the CPU, "
        "so compare rows of this run only.\n\n"
        f"{table}\n\n"
        f"Commands: {COMMANDS} sequential `players`. Events: a burst of {EVENTS} messages; the "
        "time runs from the push until the last one is received, and the server confirms every "
        "acknowledgement. "
        "Client CPU: CPU time of the benchmark process (the server runs in another) over the "
        "burst, per event; since the fake server bounds the wall-clock rate, this is the figure "
        "that shows each client's own cost. "
        f"Loss: {LOSS:.0%} of datagrams dropped in each direction; command "
        f"retry interval {RETRY_INTERVAL} s for every client (ours and berconpy: 3 tries with "
        "the same sequence number; ours then re-asks read-only commands up to twice under a "
        f"new one; the floor tries once), server re-send interval {RESEND_INTERVAL} s. "
        f"berconpy raised {_NOISE['berconpy']} exception(s) inside its datagram handler "
        "(a message overtaking its login answer), ignored here. Took "
        f"{time.perf_counter() - started:.0f} s.\n"
    )
    write_results("battleye", text)
    return 0
