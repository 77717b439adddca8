"""Connection caps of the adapters that open a socket per query, and the shared HTTP session.

Each adapter's protocol call is replaced by a fake that counts the calls in flight (its
answer a real one, taken once from the protocol's fake server), then 1,000 queries start at
once: the count never passes the cap, the cap is reached, every query answers. The wait for a
slot counts against the query's own timeout, and slots come back on every path (errors,
cancellation while waiting and while holding). The HTTP adapters are also run against a lean
counting HTTP server: the open connections never pass ``max_connections``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest

from bot.adapters.bedrock import BedrockAdapter
from bot.adapters.caps import ConnectionCap
from bot.adapters.fivem import FiveMAdapter
from bot.adapters.minecraft import MAX_CONNECTIONS, MinecraftAdapter
from bot.adapters.palworld import PalworldAdapter
from bot.adapters.quake3 import Quake3Adapter
from bot.adapters.query import QueryError, QueryFailure
from bot.adapters.satisfactory import SatisfactoryAdapter
from bot.adapters.udp_query import MAX_SOCKETS
from bot.protocols import bedrock, fivem, minecraft, palworld, quake3, satisfactory
from bot.protocols.palworld import PalworldClient
from tests.fakes import fivem_server, palworld_server
from tests.fakes.fivem_server import FakeFiveMServer
from tests.fakes.minecraft_server import FakeMinecraftServer
from tests.fakes.palworld_server import FakePalworldServer
from tests.protocols.udp_clients import BEDROCK, QUAKE3_STATUS, SATISFACTORY, UdpClient

QUERIES = 1000

# -- the fake protocol call ----------------------------------------------------------------------


class Gauge:
    """Counts the protocol calls in flight; each waits for ``gate`` (or a moment)."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.now = 0
        self.peak = 0
        self.calls = 0
        self.timeouts: list[float] = []
        self.sessions: set[int] = set()
        self.gate: asyncio.Event | None = None
        self.error: Exception | None = None

    async def call(self, timeout: float) -> Any:  # what the adapter passed
        self.calls += 1
        self.timeouts.append(timeout)
        self.now += 1
        self.peak = max(self.peak, self.now)
        try:
            if self.gate is not None:
                await self.gate.wait()
            else:
                await asyncio.sleep(0.001)  # long enough for the others to pile up
            if self.error is not None:
                raise self.error
            return self.answer
        finally:
            self.now -= 1


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[int | None], Any]  # cap (None: the default) -> adapter
    patch: Callable[[pytest.MonkeyPatch, Gauge], None]
    answer: Callable[[], Awaitable[Any]]  # one real answer, from the protocol's fake server
    error: Exception  # what the protocol raises for a refused port
    password: str | None = None


def _kw(name: str, cap: int | None) -> dict[str, int]:
    return {} if cap is None else {name: cap}


async def _real_answer(fake: Callable[[], Any], call: Callable[..., Awaitable[Any]]) -> Any:
    """One answer of ``call`` from the protocol's fake server, for the gauge to hand out."""
    async with fake() as server:
        return await call(*server.address, timeout=2.0)


async def _palworld_status(host: str, port: int, *, timeout: float) -> Any:
    return await PalworldClient(host, port, password="secret", timeout=timeout).status()


def _gauge_in_place_of(module: Any, name: str) -> Callable[[pytest.MonkeyPatch, Gauge], None]:
    """A patch putting the gauge in place of ``module.name(host, port, *, timeout)``."""

    def patch(mp: pytest.MonkeyPatch, gauge: Gauge) -> None:
        async def call(host: str, port: int, *, timeout: float) -> Any:
            return await gauge.call(timeout)

        mp.setattr(module, name, call)

    return patch


def _patch_minecraft(mp: pytest.MonkeyPatch, gauge: Gauge) -> None:
    async def query(host: str, port: int, *, timeout: float) -> Any:
        raise minecraft.QueryDisabled("off", refused=True)

    _gauge_in_place_of(minecraft, "status")(mp, gauge)
    mp.setattr(minecraft, "query", query)


def _patch_fivem(mp: pytest.MonkeyPatch, gauge: Gauge) -> None:
    async def fetch_status(host: str, port: int, *, timeout: float, **kw: Any) -> Any:
        gauge.sessions.add(id(kw["session"]))
        return await gauge.call(timeout)

    mp.setattr(fivem, "fetch_status", fetch_status)


def _patch_palworld(mp: pytest.MonkeyPatch, gauge: Gauge) -> None:
    async def status(self: PalworldClient, *, players: bool = True) -> Any:
        gauge.sessions.add(id(self._session))
        return await gauge.call(self.timeout)

    mp.setattr(PalworldClient, "status", status)


def _udp_case(name: str, adapter: Callable[..., Any], module: Any, client: UdpClient) -> Case:
    """A UDP query adapter's case: capped by ``max_sockets``, its one protocol call (named as in
    ``module``, where the adapter looks it up) gauged, the answer taken from the client's fake."""
    return Case(
        name,
        lambda cap: adapter(**_kw("max_sockets", cap)),
        _gauge_in_place_of(module, client.call.__name__),
        partial(_real_answer, client.fake, client.call),
        client.refused("refused"),
    )


CASES = [
    _udp_case("bedrock", BedrockAdapter, bedrock, BEDROCK),
    _udp_case("quake3", Quake3Adapter, quake3, QUAKE3_STATUS),
    _udp_case("satisfactory", SatisfactoryAdapter, satisfactory, SATISFACTORY),
    Case(
        "minecraft",
        lambda cap: MinecraftAdapter(**_kw("max_connections", cap)),
        _patch_minecraft,
        partial(_real_answer, FakeMinecraftServer, minecraft.status),
        minecraft.MinecraftRefused("refused"),
    ),
    Case(
        "fivem",
        # Three connections a query: a cap of 3 is one query at a time.
        lambda cap: FiveMAdapter(**_kw("max_connections", None if cap is None else 3 * cap)),
        _patch_fivem,
        partial(_real_answer, FakeFiveMServer, fivem.fetch_status),
        fivem.FiveMUnreachable("refused", reason="refused"),
    ),
    Case(
        "palworld",
        lambda cap: PalworldAdapter(**_kw("max_connections", None if cap is None else 3 * cap)),
        _patch_palworld,
        partial(_real_answer, FakePalworldServer, _palworld_status),
        palworld.PalworldUnreachable("refused", reason="refused"),
        password="secret",
    ),
]
IDS = [case.name for case in CASES]


async def _gauged(
    case: Case, monkeypatch: pytest.MonkeyPatch, cap: int | None
) -> tuple[Any, Gauge]:
    gauge = Gauge(await case.answer())
    case.patch(monkeypatch, gauge)
    return case.make(cap), gauge


async def _query(case: Case, adapter: Any, index: int = 0, timeout: float = 5.0) -> Any:
    return await adapter.query("127.0.0.1", 20000 + index, timeout=timeout, password=case.password)


# -- the cap itself ------------------------------------------------------------------------------


async def test_a_cap_holds_under_a_thousand_holders_and_frees_every_slot() -> None:
    cap = ConnectionCap(256, protocol="test")
    peak = 0

    async def hold() -> float:
        nonlocal peak
        async with cap.slot(5.0) as remaining:
            peak = max(peak, cap.in_use)
            await asyncio.sleep(0)
            return remaining

    left = await asyncio.gather(*(hold() for _ in range(QUERIES)))
    assert peak == 256 and cap.in_use == 0
    assert all(0.0 < value <= 5.0 for value in left)


def test_a_cap_serves_one_event_loop_after_another() -> None:
    cap = ConnectionCap(1, protocol="test")

    async def contend() -> None:
        async def hold() -> None:
            async with cap.slot(1.0):
                await asyncio.sleep(0.001)

        await asyncio.gather(hold(), hold())  # the second waits on the semaphore

    asyncio.run(contend())
    asyncio.run(contend())  # a semaphore bound to the first loop would raise here
    assert cap.in_use == 0


def test_a_cap_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ConnectionCap(0, protocol="test")


# -- every adapter -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_the_cap_holds_under_a_thousand_concurrent_queries(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter, gauge = await _gauged(case, monkeypatch, None)
    results = await asyncio.gather(*(_query(case, adapter, i) for i in range(QUERIES)))
    assert len(results) == QUERIES and gauge.calls == QUERIES
    # Reached and never passed: MAX_* of a UDP or Minecraft adapter, a third for HTTP.
    expected = (
        MAX_SOCKETS if case.name in {"bedrock", "quake3", "satisfactory"} else MAX_CONNECTIONS
    )
    if case.name in {"fivem", "palworld"}:
        expected //= 3
    assert adapter.cap.limit == expected
    assert gauge.peak == expected and adapter.cap.in_use == 0
    if case.name in {"fivem", "palworld"}:
        # One session for the whole burst, closed after it.
        assert len(gauge.sessions) == 1 and adapter.session.sessions_opened == 1
        assert not adapter.session.open


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_waiting_for_a_slot_counts_against_the_timeout(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter, gauge = await _gauged(case, monkeypatch, 1)
    gauge.gate = asyncio.Event()
    first = asyncio.create_task(_query(case, adapter, 0))
    await asyncio.sleep(0.01)
    started = time.monotonic()
    with pytest.raises(QueryError) as caught:
        await _query(case, adapter, 1, timeout=0.1)
    assert 0.09 <= time.monotonic() - started < 0.5
    assert caught.value.failure is QueryFailure.NO_ANSWER and gauge.calls == 1
    assert "already in flight" in caught.value.detail

    # A query that waited 0.2 s of its 1 s has at most 0.8 s left for the protocol.
    second = asyncio.create_task(_query(case, adapter, 2, timeout=1.0))
    await asyncio.sleep(0.2)
    gauge.gate.set()
    await first
    await second
    assert gauge.timeouts[0] == pytest.approx(5.0, abs=0.05)
    assert gauge.timeouts[1] <= 0.81
    assert adapter.cap.in_use == 0


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_slots_come_back_on_errors_and_cancellation(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter, gauge = await _gauged(case, monkeypatch, 1)
    gauge.error = case.error
    with pytest.raises(QueryError) as caught:
        await _query(case, adapter)
    assert caught.value.failure is QueryFailure.UNREACHABLE and adapter.cap.in_use == 0

    gauge.error = None
    gauge.gate = asyncio.Event()
    holding = asyncio.create_task(_query(case, adapter, 1))
    waiting = asyncio.create_task(_query(case, adapter, 2))
    await asyncio.sleep(0.01)
    assert adapter.cap.in_use == 1 and gauge.now == 1
    waiting.cancel()
    holding.cancel()
    for task in (waiting, holding):
        with pytest.raises(asyncio.CancelledError):
            await task
    assert adapter.cap.in_use == 0 and gauge.now == 0
    gauge.gate.set()
    assert (await _query(case, adapter, 3)).status is not None
    if case.name in {"fivem", "palworld"}:
        assert not adapter.session.open


# -- HTTP adapters against a counting server -----------------------------------------------------


class _CountingHttp(asyncio.Protocol):
    """One connection: one GET, a canned JSON answer after a short delay, then close."""

    def __init__(self, owner: CountingHttpServer) -> None:
        self.owner = owner
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.owner.open += 1
        self.owner.accepted += 1
        self.owner.peak = max(self.owner.peak, self.owner.open)

    def connection_lost(self, exc: Exception | None) -> None:
        self.owner.open -= 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if b"\r\n\r\n" in self.buffer and len(self.buffer) < 16384:
            path = self.buffer.split(b" ", 2)[1].decode()
            asyncio.get_running_loop().call_later(0.005, self._answer, path)
            self.buffer = b"x" * 16384  # one request per connection

    def _answer(self, path: str) -> None:
        assert self.transport is not None
        body = self.owner.bodies.get(path)
        status = b"200 OK" if body is not None else b"404 Not Found"
        body = body if body is not None else b"{}"
        head = (
            b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n"
        )
        self.transport.write(head + body)
        self.transport.close()


class CountingHttpServer:
    """Listeners on several ports of 127.0.0.1, counting the connections open at once."""

    def __init__(self, bodies: dict[str, bytes], ports: int) -> None:
        self.bodies = bodies
        self.ports = ports
        self.open = 0
        self.peak = 0
        self.accepted = 0
        self.addresses: list[tuple[str, int]] = []
        self._servers: list[asyncio.Server] = []

    async def __aenter__(self) -> CountingHttpServer:
        loop = asyncio.get_running_loop()
        for _ in range(self.ports):
            server = await loop.create_server(lambda: _CountingHttp(self), "127.0.0.1", 0)
            self._servers.append(server)
            self.addresses.append(("127.0.0.1", server.sockets[0].getsockname()[1]))
        return self

    async def __aexit__(self, *exc: object) -> None:
        for server in self._servers:
            server.close()
        for server in self._servers:
            await server.wait_closed()


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


HTTP_CASES = {
    "fivem": (
        FiveMAdapter,
        {
            "/info.json": _json(fivem_server.sample_info()),
            "/dynamic.json": _json(fivem_server.sample_dynamic()),
            "/players.json": _json(fivem_server.sample_players()),
        },
    ),
    "palworld": (
        PalworldAdapter,
        {
            "/v1/api/info": _json(palworld_server.sample_info()),
            "/v1/api/metrics": _json(
                palworld_server.sample_metrics()
                | {"currentplayernum": len(palworld_server.sample_players())}
            ),
            "/v1/api/players": _json({"players": palworld_server.sample_players()}),
        },
    ),
}


@pytest.mark.parametrize("name", sorted(HTTP_CASES))
async def test_open_http_connections_stay_under_the_cap(name: str) -> None:
    make, bodies = HTTP_CASES[name]
    adapter = make(max_connections=6)  # two queries of three requests at once
    async with CountingHttpServer(bodies, ports=10) as server:
        results = await asyncio.gather(
            *(
                adapter.query(*server.addresses[i % 10], timeout=5.0, password="secret")
                for i in range(60)
            )
        )
    assert all(r.status.name for r in results)
    # Never past the cap, and the cap was what held them back (60 queries wanted 180).
    assert 3 <= server.peak <= 6 and server.accepted >= 60 * 2
    assert adapter.session.sessions_opened == 1 and not adapter.session.open


async def test_close_closes_the_shared_session_and_later_queries_open_another() -> None:
    adapter = FiveMAdapter()
    bodies = HTTP_CASES["fivem"][1]
    async with CountingHttpServer(bodies, ports=1) as server:
        gate = asyncio.Event()
        async with adapter.session.use() as session:
            # A query in flight while the bot shuts down: its session is closed under it.
            async def shutdown() -> None:
                await adapter.close()
                gate.set()

            await asyncio.gather(shutdown(), gate.wait())
            assert session.closed and not adapter.session.open
        await adapter.close()  # nothing open: nothing to do
        result = await adapter.query(*server.addresses[0], timeout=5.0)
    assert result.status.name and adapter.session.sessions_opened == 2
    assert not adapter.session.open
