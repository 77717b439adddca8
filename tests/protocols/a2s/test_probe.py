"""find_query_port: known offsets first, then the ±10 window, concurrently."""

from __future__ import annotations

from typing import Any

from bot.protocols.a2s import A2SEngine, afind_query_port, find_query_port
from bot.protocols.a2s.probe import candidate_ports
from tests.fakes.a2s_server import FakeA2SServer


def test_candidates_known_first_then_window() -> None:
    # The caller passes the game's ports (the bot, from its catalogue); none: generic defaults.
    first, window = candidate_ports(7777, [27015])
    assert first == [27015]
    assert window == list(range(7767, 7788))
    first, window = candidate_ports(2302, [2303, 2302])
    assert first == [2303, 2302] and 2302 not in window and 2303 not in window
    assert candidate_ports(1000)[0] == [1000, 1001, 27015, 27016]
    assert candidate_ports(100, [0, 70000, 101])[0] == [101]  # invalid ports are dropped


async def test_finds_query_port_in_window() -> None:
    async with FakeA2SServer() as server:
        host, port = server.address
        async with A2SEngine() as engine:
            found = await afind_query_port(host, port - 7, timeout=0.5, engine=engine)
        assert found == port


async def test_known_offset_wins_over_window() -> None:
    """Two ports answer: game_port + 1 (a known offset) and game_port - 1 (window only)."""
    async with FakeA2SServer() as low:
        game_port = low.address[1] + 1
        async with FakeA2SServer(port=game_port + 1) as known:
            found = await afind_query_port("127.0.0.1", game_port, timeout=0.5)
    assert found == known.address[1]


async def test_nothing_answers_returns_none() -> None:
    async with FakeA2SServer(silent=True) as server:
        found = await afind_query_port("127.0.0.1", server.address[1], timeout=0.2)
    assert found is None


async def test_known_ports_outside_the_window() -> None:
    async with FakeA2SServer() as server:
        host, port = server.address
        found = await afind_query_port(host, port - 400, known=[port], timeout=0.5)
    assert found == port


def test_sync_probe(threaded_server: Any) -> None:
    server = threaded_server()
    assert find_query_port("127.0.0.1", server.address[1] + 4, timeout=0.5) == server.address[1]
