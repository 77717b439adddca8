"""What the benchmark scripts share: the fake-server process, the event loop, the results file.

Not a benchmark itself (the leading underscore keeps it out of ``python -m bench``).
"""

from __future__ import annotations

import asyncio
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.adapters.registry import QueryAdapters
    from bot.protocols.a2s import A2SEngine
    from bot.services.status.poller import Poller

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = Path(__file__).parent / "results"
STOP_TIMEOUT = 10.0


async def until_stdin_closes(limit: float) -> None:
    """Wait (in a fake-server process) until the parent closes our stdin, or ``limit`` seconds."""
    loop = asyncio.get_running_loop()
    stdin_closed = loop.create_future()

    def on_stdin() -> None:
        if not os.read(sys.stdin.fileno(), 4096) and not stdin_closed.done():
            stdin_closed.set_result(None)

    loop.add_reader(sys.stdin.fileno(), on_stdin)
    try:
        await asyncio.wait_for(stdin_closed, limit)
    except TimeoutError:
        pass


def start_server_process(module: str, *args: str) -> tuple[subprocess.Popen[str], Any]:
    """Start ``python -m module args``; return it and the JSON of its first stdout line.

    The process stops when its stdin closes (see :func:`stop_server`) or by itself later.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise RuntimeError(f"the server process {module} did not start")
    return proc, json.loads(line)


def start_a2s_servers(count: int) -> tuple[subprocess.Popen[str], list[int]]:
    """``bench._a2s_fake_server`` with ``count`` UDP sockets; the process and their ports."""
    proc, ports = start_server_process("bench._a2s_fake_server", str(count))
    return proc, list(ports)


def stop_server(proc: subprocess.Popen[str]) -> None:
    """Close the fake server's stdin (its stop signal); kill it if it does not exit in time."""
    if proc.stdin is not None:
        proc.stdin.close()
    try:
        proc.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def uvloop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop factory when it is installed (the ``fast`` extra), else None."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run_stamp() -> str:
    """``Date: …; machine: N cores, arch, Python x.y.z`` for the head of a results file."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"Date: {now}; machine: {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}"
    )


def write_results(name: str, text: str) -> None:
    """Print the markdown and write it to ``bench/results/<name>.md``."""
    print(text)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"{name}.md").write_text(text)


async def timed_rounds(poller: Any, rounds: int) -> dict[str, Any]:
    """One cold round then ``rounds`` warm ones of a ``Poller``: wall and CPU time of each,
    servers answered and polled, and the process's peak RSS (KiB) afterwards."""
    walls: list[float] = []
    cpus: list[float] = []
    answered: list[int] = []
    targets = 0
    for _ in range(rounds + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        report = await poller.run_round()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        answered.append(report.answered)
        targets = report.targets
    return {
        "walls": walls,
        "cpus": cpus,
        "answered": answered,
        "targets": targets,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


QUERY_TIMEOUT = 3.0  # seconds a poll round waits for one server, in every poller bench


@asynccontextmanager
async def bench_poller(
    store: Any, adapters: Callable[[A2SEngine], QueryAdapters] | None = None, **options: Any
) -> AsyncIterator[Poller]:
    """The bot's ``Poller`` over ``store`` as the bot wires it: one ``A2SEngine``, the query
    adapters (the default ones, or ``adapters(engine)``), a round a minute and QUERY_TIMEOUT a
    server; ``options`` go to the ``Poller``. Adapters with an HTTP session are closed after."""
    # Imported here, not at the top: a bench's parent process never loads the bot.
    from bot.adapters.registry import default_query_adapters
    from bot.protocols.a2s import A2SEngine
    from bot.services.status.poller import Poller
    from bot.services.status.status_source import AdapterStatusSource

    async with A2SEngine() as engine:
        chosen = default_query_adapters(engine) if adapters is None else adapters(engine)
        try:
            yield Poller(
                store,
                AdapterStatusSource(chosen),
                interval=60.0,
                query_timeout=QUERY_TIMEOUT,
                **options,
            )
        finally:
            for adapter in chosen.values():
                close = getattr(adapter, "close", None)
                if close is not None:
                    await close()
