"""The python-a2s compatible module functions, sync and async."""

from __future__ import annotations

import asyncio
import importlib.util
import socket
import time
from typing import Any

import pytest

from bot.protocols import a2s
from bot.protocols.a2s import A2SEngine, api
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec, PlayerSpec

RULES = {f"r{i}": str(i) for i in range(300)}


def test_public_names_mirror_python_a2s() -> None:
    import a2s as python_a2s

    for name in ("info", "players", "rules", "ainfo", "aplayers", "arules"):
        assert callable(getattr(a2s, name))
    for name in ("SourceInfo", "GoldSrcInfo", "Player", "BrokenMessageError"):
        assert hasattr(python_a2s, name) and hasattr(a2s, name)
    assert issubclass(a2s.BufferExhaustedError, a2s.BrokenMessageError)
    assert a2s.DEFAULT_TIMEOUT == 3.0 and a2s.DEFAULT_ENCODING == "utf-8"


def test_sync_functions(threaded_server: Any) -> None:
    server = threaded_server(
        InfoSpec(), [PlayerSpec("a", 1, 2.0)], RULES, info_challenge=True, split_size=1248
    )
    info = a2s.info(server.address, timeout=2)
    assert isinstance(info, a2s.SourceInfo) and info.ping > 0
    assert [p.name for p in a2s.players(server.address, 2)] == ["a"]
    assert a2s.rules(server.address, 2) == RULES
    raw = a2s.rules(server.address, 2, encoding=None)
    assert raw[b"r1"] == b"1"


def test_sync_timeout_is_builtin_timeout_error(threaded_server: Any) -> None:
    server = threaded_server(silent=True)
    with pytest.raises(TimeoutError):
        a2s.info(server.address, timeout=0.2)


def test_sync_resolution_error() -> None:
    with pytest.raises(socket.gaierror):
        a2s.info(("no-such-host.invalid", 27015), timeout=1)


async def test_async_functions_share_a_default_engine() -> None:
    async with FakeA2SServer(rules=RULES, split_size=1248) as server:
        assert (await a2s.ainfo(server.address)).server_name == "Test Server"
        assert await a2s.aplayers(server.address) == []
        assert await a2s.arules(server.address) == RULES
        engine = a2s.default_engine()
        assert engine is a2s.default_engine()
        # Nobody closes the default engine: it must not keep sockets open while idle.
        assert engine._socks == {}
        results = await asyncio.gather(*[a2s.ainfo(server.address) for _ in range(10)])
        assert len(results) == 10


async def test_encoding_none_keeps_bytes() -> None:
    spec = InfoSpec(server_name=b"caf\xe9")
    async with FakeA2SServer(spec, [PlayerSpec(b"\xff")]) as server:
        info = await a2s.ainfo(server.address, 2, None)
        assert info.server_name == b"caf\xe9"
        assert (await a2s.ainfo(server.address, 2)).server_name == "caf\ufffd"
        assert (await a2s.aplayers(server.address, 2, None))[0].name == b"\xff"


def test_fast_loop_is_uvloop_when_installed() -> None:
    loop = api.new_event_loop()
    try:
        expected = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
        assert type(loop).__module__.startswith(expected)
    finally:
        loop.close()


def test_models_are_frozen_with_slots() -> None:
    player = a2s.Player(0, "a", 1, 2.0)
    with pytest.raises(AttributeError):
        player.name = "b"  # type: ignore[misc]
    assert not hasattr(player, "__dict__")


# -- the timeout bounds the whole call --------------------------------------------------------


async def test_concurrent_calls_to_a_silent_server_each_end_at_their_timeout() -> None:
    # Queries to one address take turns; before, each waited for the previous one's whole
    # timeout first, so players and rules gathered with info took 2x and 3x the timeout.
    timeout = 0.5
    async with FakeA2SServer(silent=True) as server:
        loop = asyncio.get_running_loop()
        started = loop.time()
        ended: list[float] = []

        async def one(call: Any) -> None:
            with pytest.raises(TimeoutError):
                await call(server.address, timeout=timeout)
            ended.append(loop.time() - started)

        await asyncio.gather(one(a2s.ainfo), one(a2s.aplayers), one(a2s.arules))
    assert len(ended) == 3
    assert max(ended) < 1.8 * timeout  # three timeouts in a row would be 3x


def test_sync_timeout_covers_name_resolution(
    threaded_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = threaded_server(silent=True)
    original = A2SEngine._resolve

    async def slow_resolve(self: A2SEngine, host: str, port: int) -> Any:
        await asyncio.sleep(0.6)
        return await original(self, "127.0.0.1", port)

    monkeypatch.setattr(A2SEngine, "_resolve", slow_resolve)
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        a2s.players(("slow.example", server.address[1]), timeout=0.4)
    assert time.monotonic() - started < 0.9  # resolution + a whole timeout would be 1.0
