"""The asyncio engine against the fake server: challenges, splits, loss, load, errors."""

from __future__ import annotations

import asyncio
import asyncio.selector_events
import socket
import sys
from typing import Any

import pytest

from bot.protocols.a2s import A2SEngine, BrokenMessageError, EngineClosedError, SourceInfo, api
from bot.protocols.a2s.engine import RECV_BUFFER
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec, PlayerSpec, ServerFleet

PLAYERS = [PlayerSpec(f"player{i}", i, 60.0 * i) for i in range(32)]
RULES = {f"sv_rule_{i:03d}": f"value-{i}" * 3 for i in range(400)}


def _server(**kw: Any) -> FakeA2SServer:
    return FakeA2SServer(InfoSpec(), list(PLAYERS), dict(RULES), **kw)


class InFlightPeak:
    """The most exchanges the engine ever had in flight at once (its ``_start`` wrapped)."""

    def __init__(self, engine: A2SEngine) -> None:
        self.peak = 0
        original = engine._start

        def counting(*args: Any) -> Any:
            self.peak = max(self.peak, len(engine._active) + 1)
            return original(*args)

        engine._start = counting  # type: ignore[method-assign]


async def _all_three(engine: A2SEngine, server: FakeA2SServer) -> None:
    info = await engine.info(server.address, timeout=2)
    assert isinstance(info, SourceInfo) and info.server_name == "Test Server"
    players = await engine.players(server.address, timeout=2)
    assert [p.name for p in players] == [p.name for p in PLAYERS]
    rules = await engine.rules(server.address, timeout=2)
    assert rules == RULES and not rules.truncated


async def test_challenges_on_every_request_type() -> None:
    async with _server(info_challenge=True, split_size=1248) as server, A2SEngine() as engine:
        await _all_three(engine, server)
        assert server.challenges_sent == 1  # then cached for players and rules


async def test_two_challenge_rounds() -> None:
    async with _server(info_challenge=True, challenge_rounds=2) as server, A2SEngine() as engine:
        await engine.info(server.address, timeout=2)
        assert server.challenges_sent == 2


async def test_challenge_cached_then_refreshed_on_new_0x41() -> None:
    async with _server() as server, A2SEngine() as engine:
        await engine.players(server.address, timeout=2)
        before = server.requests
        await engine.players(server.address, timeout=2)
        assert server.requests == before + 1  # cached challenge: one round trip
        server.rotate_challenge()
        await engine.players(server.address, timeout=2)
        assert server.requests == before + 3  # stale -> new 0x41 -> answered


@pytest.mark.parametrize(
    "knobs",
    [
        {"split_size": 1248},
        {"split_size": 500, "compress": True},
        {"split_size": 1400, "goldsrc_splits": True},
        {"split_size": 700, "reorder": True, "duplicate": True},
        {"split_size": 1248, "stray": True},
        {"stray": True, "double_header": True},
    ],
    ids=["source", "bzip2", "goldsrc", "reorder-dup", "stray", "gmod-header"],
)
async def test_multi_packet_variants(knobs: dict[str, Any]) -> None:
    async with _server(**knobs) as server, A2SEngine() as engine:
        await _all_three(engine, server)


async def test_goldsrc_splits_detected_from_protocol_48() -> None:
    info = InfoSpec(protocol=48, app_id=10, folder="cstrike", game="Counter-Strike")
    async with FakeA2SServer(info, [], dict(RULES), split_size=1400, goldsrc_splits=True) as srv:
        async with A2SEngine() as engine:
            assert (await engine.info(srv.address, 2)).protocol == 48
            assert await engine.rules(srv.address, 2) == RULES


async def test_split_without_size_field_for_protocol_7_css() -> None:
    info = InfoSpec(protocol=7, app_id=240)
    async with (
        FakeA2SServer(info, [], dict(RULES), split_size=1000, split_size_field=False) as srv,
        A2SEngine() as engine,
    ):
        await engine.info(srv.address, 2)
        assert await engine.rules(srv.address, 2) == RULES


async def test_large_unsplit_datagram() -> None:
    """DayZ sends 2,500-byte rules unsplit; buffers take up to 64 KiB."""
    big = {f"k{i:05d}": "v" * 40 for i in range(1200)}  # about 60 KB in one datagram
    async with FakeA2SServer(rules=big) as server, A2SEngine() as engine:
        assert RECV_BUFFER >= 65507
        assert await engine.rules(server.address, 2) == big


async def test_truncated_rules_are_partial() -> None:
    async with _server(truncate=1260) as server, A2SEngine() as engine:
        rules = await engine.rules(server.address, 2)
        assert rules.truncated and 0 < len(rules) < len(RULES)


async def test_lost_request_is_resent() -> None:
    async with _server(drop_requests={0}) as server:
        async with A2SEngine(resend_interval=0.05) as engine:
            info = await engine.info(server.address, timeout=2)
    assert info.server_name == "Test Server"
    assert server.requests == 2


async def test_lost_answer_is_recovered() -> None:
    async with _server(drop_responses={0, 1}, challenge=False) as server:
        async with A2SEngine(resend_interval=0.05) as engine:
            assert len(await engine.players(server.address, timeout=2)) == 32
    assert server.requests == 3


async def test_lost_fragment_is_recovered_by_resend() -> None:
    async with _server(split_size=1248, challenge=False, drop_responses={1}) as server:
        async with A2SEngine(resend_interval=0.05) as engine:
            assert await engine.rules(server.address, timeout=2) == RULES


async def test_silent_server_times_out_with_builtin_timeout_error() -> None:
    async with _server(silent=True) as server, A2SEngine() as engine:
        with pytest.raises(TimeoutError):
            await engine.info(server.address, timeout=0.3)
        assert server.requests >= 2  # resent within the timeout


async def test_slow_answer_within_timeout() -> None:
    async with _server(delay=0.1) as server, A2SEngine(resend_interval=1.0) as engine:
        assert (await engine.info(server.address, timeout=2)).server_name == "Test Server"


async def test_server_changed_live() -> None:
    async with _server() as server, A2SEngine() as engine:
        assert (await engine.info(server.address, 2)).map_name == "de_dust2"
        server.info.map_name = "cs_office"
        server.players = []
        assert (await engine.info(server.address, 2)).map_name == "cs_office"
        assert await engine.players(server.address, 2) == []
        server.silent = True
        with pytest.raises(TimeoutError):
            await engine.info(server.address, 0.2)


async def test_ipv6_and_hostname() -> None:
    async with FakeA2SServer(host="::1") as v6, FakeA2SServer() as v4, A2SEngine() as engine:
        assert (await engine.info(v6.address, 2)).server_name == "Test Server"
        assert (await engine.info(("localhost", v4.address[1]), 2)).server_name == "Test Server"
        assert (await engine.info(("[::1]".strip("[]"), v6.address[1]), 2)).port == 27015


async def test_unresolvable_host_raises_gaierror() -> None:
    async with A2SEngine() as engine:
        with pytest.raises(socket.gaierror):
            await engine.info(("no-such-host.invalid", 27015), 1)


def _closed_port_error() -> type[Exception]:
    """What a closed port raises on the running loop: Linux reports ICMP errors to the
    selector loop (IP_RECVERR); elsewhere, and on uvloop, the query times out."""
    loop = asyncio.get_running_loop()
    linux = sys.platform.startswith("linux")
    if linux and isinstance(loop, asyncio.selector_events.BaseSelectorEventLoop):
        return ConnectionRefusedError
    return TimeoutError


def _closed_port() -> int:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


async def test_closed_port_raises_connection_refused() -> None:
    async with A2SEngine() as engine:
        with pytest.raises(_closed_port_error()):
            await engine.info(("127.0.0.1", _closed_port()), 1)


async def test_broken_answer_raises_broken_message() -> None:
    async with FakeA2SServer(responses={"info": b"I\x11no-terminator"}) as srv:
        async with A2SEngine() as engine:
            with pytest.raises(BrokenMessageError):
                await engine.info(srv.address, 1)


async def test_concurrent_queries_to_one_address_are_serialised() -> None:
    async with _server(info_challenge=True, split_size=1248) as server, A2SEngine() as engine:
        results = await asyncio.gather(
            *[q(server.address, 2) for q in (engine.info, engine.players, engine.rules) * 5]
        )
    assert all(r == RULES for r in results[2::3])
    assert all(len(r) == 32 for r in results[1::3])


async def test_many_servers_one_socket_under_load() -> None:
    """500 queries over 100 servers in flight at once, on one UDP socket."""
    fleet = ServerFleet([_server(split_size=1248, info_challenge=i % 2 == 0) for i in range(100)])
    async with fleet, A2SEngine() as engine:
        calls = []
        for server in fleet.servers:
            calls += [engine.info(server.address, 5), engine.rules(server.address, 5)]
            calls += [engine.players(server.address, 5) for _ in range(3)]
        results = await asyncio.gather(*calls)
        assert len(engine._socks) == 1
        assert engine.in_flight == 0
    assert sum(1 for r in results if r == RULES) == 100
    assert sum(1 for r in results if isinstance(r, list) and len(r) == 32) == 300


async def test_concurrency_cap() -> None:
    servers = [_server(delay=0.02, challenge=False) for _ in range(20)]
    for server in servers:
        await server.start()
    engine = A2SEngine(max_in_flight=4)
    in_flight = InFlightPeak(engine)
    try:
        await asyncio.gather(*[engine.players(s.address, 5) for s in servers])
    finally:
        engine.close()
        for server in servers:
            await server.close()
    assert in_flight.peak == 4


async def test_close_fails_queries_in_flight() -> None:
    async with _server(silent=True) as server:
        engine = A2SEngine()
        task = asyncio.ensure_future(engine.info(server.address, 5))
        for _ in range(100):  # a few loop turns: resolve, then send
            if engine._active:
                break
            await asyncio.sleep(0)
        assert engine._active
        engine.close()
        with pytest.raises(ConnectionAbortedError):
            await task
        with pytest.raises(EngineClosedError):
            await engine.info(server.address, 1)


async def test_cancelled_slot_waiter_does_not_leak_a_slot() -> None:
    async with _server(delay=0.05) as a, _server() as b, _server() as c:
        async with A2SEngine(max_in_flight=1) as engine:
            first = asyncio.ensure_future(engine.info(a.address, 2))
            second = asyncio.ensure_future(engine.info(b.address, 2))
            await asyncio.sleep(0)
            second.cancel()
            assert (await first).server_name == "Test Server"
            assert (await engine.info(c.address, 2)).server_name == "Test Server"
            assert engine._free == 1 and not engine._queues


async def test_cancelled_waiter_does_not_block_the_address() -> None:
    async with _server(delay=0.05) as server, A2SEngine() as engine:
        first = asyncio.ensure_future(engine.info(server.address, 2))
        second = asyncio.ensure_future(engine.info(server.address, 2))
        third = asyncio.ensure_future(engine.info(server.address, 2))
        await asyncio.sleep(0)
        second.cancel()
        assert (await first).server_name == (await third).server_name == "Test Server"
        with pytest.raises(asyncio.CancelledError):
            await second


async def test_challenge_round_limit_raises() -> None:
    async with _server(challenge_rounds=10) as server, A2SEngine(max_challenge_rounds=3) as eng:
        with pytest.raises(BrokenMessageError):
            await eng.players(server.address, 2)


def test_engine_on_the_fast_loop_survives_closed_ports() -> None:
    """On uvloop (used when installed), libuv kills a polled socket on POLLERR, so ICMP errors
    stay off: a closed port times out and the engine keeps working."""

    async def main() -> None:
        async with _server() as server, A2SEngine() as engine:
            with pytest.raises(_closed_port_error()):
                await engine.info(("127.0.0.1", _closed_port()), 0.2)
            assert (await engine.info(server.address, 2)).server_name == "Test Server"
            await _all_three(engine, server)

    api.run(main, fast=True)


async def test_many_queries_fail_alone_and_release_everything() -> None:
    closed = _closed_port()
    async with _server() as good, _server(silent=True) as silent:
        async with A2SEngine(max_in_flight=3) as engine:
            addresses = [
                good.address,
                silent.address,
                ("no-such-host.invalid", 27015),
                good.address,
                ("127.0.0.1", closed),
                good.address,
            ]
            results = await asyncio.gather(
                *[engine.players(a, 0.3) for a in addresses], return_exceptions=True
            )
            assert [type(r).__name__ for r in results] == [
                "PlayerList",
                "TimeoutError",
                "gaierror",
                "PlayerList",
                _closed_port_error().__name__,
                "PlayerList",
            ]
            assert engine._free == 3 and not engine._queues and not engine._active


async def test_many_servers_stay_under_the_cap() -> None:
    fleet = ServerFleet([_server(split_size=1248, challenge=i % 3 == 0) for i in range(40)])
    async with fleet, A2SEngine(max_in_flight=16) as engine:
        in_flight = InFlightPeak(engine)
        addresses = [s.address for s in fleet.servers] * 3
        rules, info = await asyncio.gather(
            asyncio.gather(*[engine.rules(a, 5) for a in addresses]),
            engine.info(fleet.servers[0].address, 5),
        )
    assert all(r == RULES for r in rules)
    assert info.server_name == "Test Server"
    assert in_flight.peak <= 16


async def test_cancelling_queued_queries_releases_everything() -> None:
    async with _server(silent=True) as a, _server(silent=True) as b, _server() as c:
        async with A2SEngine(max_in_flight=2) as engine:
            addresses = [a.address, b.address, a.address, c.address]
            task = asyncio.gather(*[engine.info(address, 5) for address in addresses])
            for _ in range(50):
                if len(engine._active) == 2:
                    break
                await asyncio.sleep(0)
            assert len(engine._active) == 2
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            for _ in range(5):  # done-callbacks of the cancelled queries
                await asyncio.sleep(0)
            assert engine._free == 2 and not engine._queues and not engine._active
            assert (await engine.info(c.address, 2)).server_name == "Test Server"


async def test_min_query_gap_spaces_queries_to_one_server() -> None:
    """§1A.3 SHOULD rate-limit: servers with STEAM_GAMESERVER_RATE_LIMIT_200MS drop bursts."""
    gap = 0.05
    async with _server(challenge=False) as server, _server(challenge=False) as other:
        async with A2SEngine(min_query_gap=gap) as engine:
            loop = asyncio.get_running_loop()
            start = loop.time()
            await asyncio.gather(*[engine.info(server.address, 2) for _ in range(3)])
            assert loop.time() - start >= 2 * gap * 0.99
            start = loop.time()
            addresses = [server.address] * 2 + [other.address]
            results = await asyncio.gather(*[engine.info(a, 2) for a in addresses])
            assert all(r.server_name == "Test Server" for r in results)
            assert loop.time() - start >= gap * 0.99
            assert engine._free == engine.max_in_flight and not engine._queues


async def test_query_cancelled_while_spacing_releases_everything() -> None:
    async with _server(challenge=False) as server:
        async with A2SEngine(min_query_gap=10.0) as engine:
            await engine.info(server.address, 2)
            task = asyncio.ensure_future(engine.info(server.address, 2))
            for _ in range(5):
                await asyncio.sleep(0)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert engine._free == engine.max_in_flight and not engine._queues
