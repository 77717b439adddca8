"""Find a server's A2S query port from its game (connection) port.

The query port often differs from the port players connect to (ARK 7777 vs 27015, Arma 3 +1,
DayZ 27016…). We first try the ports the caller knows for the game (the bot takes them from its
catalogue: this package knows no games), then probe game_port-10..game_port+10 concurrently and
keep the first port whose A2S_INFO answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence

from bot.protocols.a2s.api import run
from bot.protocols.a2s.engine import A2SEngine

PROBE_SPAN = 10
# Without known ports: the game port, the one after it, then Source's defaults.
DEFAULT_OFFSETS = (0, 1)
DEFAULT_PORTS = (27015, 27016)


def candidate_ports(game_port: int, known: Sequence[int] = ()) -> tuple[list[int], list[int]]:
    """The ports to try first (``known`` in order, else the generic defaults), then the rest of
    the ±10 window; valid ports only, no duplicates."""
    first = list(known) or [game_port + o for o in DEFAULT_OFFSETS] + list(DEFAULT_PORTS)
    window = [game_port + d for d in range(-PROBE_SPAN, PROBE_SPAN + 1)]
    seen: set[int] = set()
    out: tuple[list[int], list[int]] = ([], [])
    for group, ports in zip(out, (first, window), strict=True):
        for port in ports:
            if 0 < port < 65536 and port not in seen:
                seen.add(port)
                group.append(port)
    return out


async def _first_answer(
    engine: A2SEngine,
    host: str,
    ports: Iterable[int],
    timeout: float,
) -> int | None:
    async def attempt(port: int) -> int:
        await engine.info((host, port), timeout)
        return port

    tasks = [asyncio.ensure_future(attempt(p)) for p in ports]
    if not tasks:
        return None
    try:
        for next_done in asyncio.as_completed(tasks):
            try:
                return await next_done
            except Exception:  # no answer, a closed port or a broken one: try the next port
                continue
        return None
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def afind_query_port(
    host: str,
    game_port: int,
    *,
    known: Sequence[int] = (),
    timeout: float = 1.0,
    engine: A2SEngine | None = None,
) -> int | None:
    """The first port near ``game_port`` that answers A2S_INFO, or None. ``known``: the query
    ports to try first (the game's), best first."""
    known, window = candidate_ports(game_port, known)
    own = engine is None
    eng = engine if engine is not None else A2SEngine()
    try:
        found = await _first_answer(eng, host, known, timeout)
        if found is None:
            found = await _first_answer(eng, host, window, timeout)
        return found
    finally:
        if own:
            eng.close()


def find_query_port(
    host: str, game_port: int, *, known: Sequence[int] = (), timeout: float = 1.0
) -> int | None:
    """Sync version of ``afind_query_port``."""
    return run(lambda: afind_query_port(host, game_port, known=known, timeout=timeout))
