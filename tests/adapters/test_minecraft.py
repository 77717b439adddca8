"""The Minecraft query adapter: neutral status, Query names, raw fields, typed failures."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import socket
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.adapters import minecraft as adapter_module
from bot.adapters.minecraft import QUERY_OFF_NOTE, MinecraftAdapter, MinecraftAnswer
from bot.adapters.query import QueryAdapter, QueryError, QueryFailure
from bot.protocols.minecraft import SrvResolver
from tests.fakes.dns_server import FakeDNSServer
from tests.fakes.minecraft_query_server import FakeQueryServer
from tests.fakes.minecraft_server import ALEX, DEFAULT_STATUS, FakeMinecraftServer
from tests.protocols.minecraft.helpers import FAVICON, PNG_1X1

STATUS: dict[str, Any] = {
    **DEFAULT_STATUS,
    "description": {"text": "§6Survival\n§7  1.21 · whitelist"},
    "favicon": FAVICON,
    "players": {
        "max": 50,
        "online": 3,
        "sample": [
            ALEX,
            {"name": "§aJoin our Discord!", "id": "00000000-0000-0000-0000-000000000000"},
        ],
    },
}


@contextlib.asynccontextmanager
async def status_and_query(
    **query_knobs: Any,
) -> AsyncIterator[tuple[FakeMinecraftServer, FakeQueryServer]]:
    """A status server and a Query server on the same port number, as vanilla runs them."""
    for _ in range(20):
        server = FakeMinecraftServer(status=STATUS)
        await server.start()
        query = FakeQueryServer(port=server.address[1], **query_knobs)
        try:
            await query.start()
        except OSError:  # that UDP port is taken: try another
            await server.stop()
            continue
        try:
            yield server, query
        finally:
            query.close()
            await server.stop()
        return
    pytest.fail("no port free for both TCP and UDP")


def test_it_is_a_query_adapter() -> None:
    adapter: QueryAdapter = MinecraftAdapter()
    assert (adapter.protocol, adapter.transport) == ("minecraft", "TCP")
    assert adapter.label == "Minecraft status ping"


async def test_status_with_the_names_from_query() -> None:
    async with status_and_query(players=["Alex", "Steve", "Ünïcode"]) as (server, _query):
        adapter = MinecraftAdapter()
        result = await adapter.query(*server.address, timeout=2.0)
    status = result.status
    assert status.name == "Survival 1.21 · whitelist"
    assert (status.players, status.max_players, status.bots) == (3, 50, 0)
    assert (status.version, status.product, status.map) == (
        "1.21.4",
        "Minecraft: Java Edition",
        "world",
    )
    assert not status.password and not status.vac
    assert [p.name for p in status.player_list] == ["Alex", "Steve", "Ünïcode"]
    assert status.players_known and status.ping_ms >= 0
    assert result.icon == PNG_1X1 and result.notes == ()
    assert isinstance(result.raw, MinecraftAnswer) and result.raw.query is not None
    fields = adapter.raw_fields(result.raw)
    assert fields["status"]["players"]["online"] == 3
    assert fields["status"]["favicon_bytes"] == len(PNG_1X1)
    assert fields["query"]["players"] == ("Alex", "Steve", "Ünïcode")
    json.dumps(fields)  # JSON-ready as the CLI prints it
    assert adapter.raw_fields(None) == {}


async def test_without_query_the_sample_gives_the_names_it_has() -> None:
    # Nothing on the UDP port: ICMP port unreachable, so Query is known to be off at once.
    async with FakeMinecraftServer(status=STATUS) as server:
        started = time.monotonic()
        result = await MinecraftAdapter().query(*server.address, timeout=2.0)
        assert time.monotonic() - started < 1.0
    status = result.status
    # The nil-UUID hover line is not a player; 1 name of 3 online.
    assert [p.name for p in status.player_list] == ["Alex"]
    assert not status.players_known and status.players == 3
    assert result.notes == (QUERY_OFF_NOTE,)
    assert isinstance(result.raw, MinecraftAnswer) and result.raw.query is None


async def test_players_false_asks_no_query() -> None:
    async with status_and_query() as (server, query):
        result = await MinecraftAdapter().query(*server.address, timeout=2.0, players=False)
    assert query.requests == []
    assert isinstance(result.raw, MinecraftAnswer) and result.raw.query is None


async def test_a_silent_query_costs_a_grace_and_is_left_alone_after_two_polls() -> None:
    async with status_and_query(silent=True) as (server, query):
        adapter = MinecraftAdapter()
        started = time.monotonic()
        result = await adapter.query(*server.address, timeout=3.0)
        # The status takes milliseconds here; Query adds its grace, not the 3 s timeout.
        assert time.monotonic() - started < adapter_module.QUERY_GRACE_SECONDS + 0.5
        assert result.notes == (QUERY_OFF_NOTE,)
        await adapter.query(*server.address, timeout=3.0)
        asked = len(query.requests)
        assert asked >= 2
        third = await adapter.query(*server.address, timeout=3.0)
        assert len(query.requests) == asked  # not asked again for QUERY_OFF_SECONDS
    assert third.status.players == 3 and third.notes == (QUERY_OFF_NOTE,)


async def test_srv_on_the_default_port_moves_status_and_query() -> None:
    async with status_and_query(players=["Zed"]) as (server, query):
        port = server.address[1]
        async with FakeDNSServer(
            {"_minecraft._tcp.play.example": [(0, 0, port, "localhost")]}
        ) as dns:
            adapter = MinecraftAdapter(resolver=SrvResolver([dns.host], dns.port))
            result = await adapter.query("play.example", 25565, timeout=3.0)
    assert server.handshakes[0].host == "localhost" and server.handshakes[0].port == port
    assert [p.name for p in result.status.player_list] == ["Zed"]
    assert query.requests  # Query went to the SRV target's port too


async def test_another_port_asks_no_srv() -> None:
    async with FakeDNSServer({}) as dns, FakeMinecraftServer() as server:
        adapter = MinecraftAdapter(resolver=SrvResolver([dns.host], dns.port), use_query=False)
        await adapter.query(*server.address, timeout=2.0)
    assert dns.questions == []


async def test_a_legacy_server_still_gives_a_status() -> None:
    async with FakeMinecraftServer(mode="legacy") as server:
        result = await MinecraftAdapter(use_query=False).query(*server.address, timeout=2.0)
    assert result.status.version == "1.6.4" and result.status.max_players == 20
    assert isinstance(result.raw, MinecraftAnswer) and result.raw.status.legacy


@pytest.mark.parametrize(
    ("knobs", "failure", "limit"),
    [
        ({"hostile": "silent"}, QueryFailure.NO_ANSWER, 0.4),
        # Answered at once: a generous timeout, so a loaded machine cannot turn the fake's
        # late answer into "no answer".
        ({"hostile": "garbage"}, QueryFailure.NOT_THIS_PROTOCOL, 3.0),
        ({"hostile": "oversized_length"}, QueryFailure.NOT_THIS_PROTOCOL, 3.0),
    ],
)
async def test_failures_of_a_server(
    knobs: dict[str, Any], failure: QueryFailure, limit: float
) -> None:
    async with FakeMinecraftServer(**knobs) as server:
        started = time.monotonic()
        with pytest.raises(QueryError) as caught:
            await MinecraftAdapter().query(*server.address, timeout=limit)
        assert time.monotonic() - started < limit + 0.5
    assert caught.value.failure is failure and caught.value.protocol == "minecraft"


async def test_a_closed_port_is_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(QueryError) as caught:
        await MinecraftAdapter().query("127.0.0.1", port, timeout=1.0)
    assert caught.value.failure is QueryFailure.UNREACHABLE


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), QueryFailure.DNS),
        (OSError(errno.ENETUNREACH, "Network is unreachable"), QueryFailure.NETWORK),
    ],
)
async def test_network_failures(
    monkeypatch: pytest.MonkeyPatch, error: OSError, failure: QueryFailure
) -> None:
    async def fail(*args: Any, **kwargs: Any) -> Any:
        raise error

    monkeypatch.setattr(asyncio, "open_connection", fail)
    with pytest.raises(QueryError) as caught:
        await MinecraftAdapter(use_query=False).query("192.0.2.1", 25570, timeout=1.0)
    assert caught.value.failure is failure


async def test_a_name_that_is_no_dns_name_is_dns() -> None:
    with pytest.raises(QueryError) as caught:
        await MinecraftAdapter().query("bad..name", 25570, timeout=1.0)
    assert caught.value.failure is QueryFailure.DNS
