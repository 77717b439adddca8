"""Find a server's A2S query port from its game (connection) port.

The query port often differs from the port players connect to (ARK 7777 vs 27015, Arma 3 +1,
DayZ 27016…). We first try the game's known query ports, then probe game_port-10..game_port+10
concurrently and keep the first port whose A2S_INFO answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from bot.protocols.a2s.api import run
from bot.protocols.a2s.engine import A2SEngine

PROBE_SPAN = 10
# Offsets from the game port, then absolute defaults, per game (from server docs and the
# references' issue threads); "" is used when the game is unknown.
KNOWN_QUERY_PORTS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "": ((0, 1), (27015, 27016)),
    "arma3": ((1,), ()),
    "dayz": ((1,), (27016,)),
    "ark": ((19238,), (27015,)),
    "rust": ((0, 1), (28016,)),
    "conan": ((), (27015,)),
    "valheim": ((1,), ()),
    "7dtd": ((0,), ()),
    "source": ((0,), ()),
}


def _split_candidates(game_port: int, game: str | None) -> tuple[list[int], list[int]]:
    offsets, absolute = KNOWN_QUERY_PORTS.get((game or "").lower(), KNOWN_QUERY_PORTS[""])
    known = [game_port + o for o in offsets] + list(absolute)
    window = [game_port + d for d in range(-PROBE_SPAN, PROBE_SPAN + 1)]
    seen: set[int] = set()
    out: tuple[list[int], list[int]] = ([], [])
    for group, ports in zip(out, (known, window), strict=True):
        for port in ports:
            if 0 < port < 65536 and port not in seen:
                seen.add(port)
                group.append(port)
    return out


def candidate_ports(game_port: int, game: str | None = None) -> list[int]:
    """Known query ports first (in order), then the ±10 window; no duplicates."""
    known, window = _split_candidates(game_port, game)
    return known + window


async def _first_answer(
    engine: A2SEngine,
    host: str,
    ports: Iterable[int],
    timeout: float,  # noqa: ASYNC109
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
    game: str | None = None,
    timeout: float = 1.0,  # noqa: ASYNC109
    engine: A2SEngine | None = None,
) -> int | None:
    """The first port near ``game_port`` that answers A2S_INFO, or None."""
    known, window = _split_candidates(game_port, game)
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
    host: str, game_port: int, *, game: str | None = None, timeout: float = 1.0
) -> int | None:
    """Sync version of ``afind_query_port``."""
    return run(lambda: afind_query_port(host, game_port, game=game, timeout=timeout))
