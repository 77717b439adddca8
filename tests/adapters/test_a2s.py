"""The A2S query adapter: neutral status, raw fields and typed failures, against the fake."""

from __future__ import annotations

import json
import socket
import time

import pytest

from bot.adapters.a2s import A2SAdapter, A2SAnswer
from bot.adapters.query import QueryError, QueryFailure
from bot.protocols.a2s import A2SEngine
from tests.adapters.statuses import headline
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec, PlayerSpec


async def test_status_is_neutral_and_raw_fields_are_json() -> None:
    info = InfoSpec(
        server_name="Fake EU", map_name="chernarusplus", player_count=2, max_players=60, bot_count=1
    )
    players = [PlayerSpec("ann", 5, 61.0), PlayerSpec("ben", 1, 2.0)]
    async with FakeA2SServer(info=info, players=players) as server, A2SEngine() as engine:
        adapter = A2SAdapter(engine)
        result = await adapter.query(*server.address, timeout=2.0)
    status = result.status
    assert headline(status) == ("Fake EU", "chernarusplus", 2, 60, 1)
    assert [p.name for p in status.player_list] == ["ann", "ben"] and status.players_known
    assert status.ping_ms >= 0
    fields = adapter.raw_fields(result.raw)
    assert fields["info"]["server_name"] == "Fake EU"
    assert [p["name"] for p in fields["players"]] == ["ann", "ben"]
    json.dumps(fields)  # JSON-ready as the CLI prints it


async def test_players_false_skips_the_player_request() -> None:
    async with FakeA2SServer(players=[PlayerSpec("ann")]) as server, A2SEngine() as engine:
        result = await A2SAdapter(engine).query(*server.address, timeout=2.0, players=False)
        requests = list(server.received)
    assert not result.status.players_known and result.status.player_list == ()
    assert isinstance(result.raw, A2SAnswer) and result.raw.players is None
    assert all(b"U" != r[4:5] for r in requests)  # no A2S_PLAYER (0x55) was sent


async def test_silence_is_no_answer_within_the_timeout() -> None:
    async with FakeA2SServer(silent=True) as server, A2SEngine() as engine:
        started = time.monotonic()
        with pytest.raises(QueryError) as caught:
            await A2SAdapter(engine).query(*server.address, timeout=0.3)
    assert caught.value.failure is QueryFailure.NO_ANSWER
    assert caught.value.protocol == "a2s"
    assert time.monotonic() - started < 1.5


async def test_unresolvable_host_is_dns() -> None:
    async with A2SEngine() as engine:
        with pytest.raises(QueryError) as caught:
            await A2SAdapter(engine).query("no-such-host.invalid", 27015, timeout=1.0)
    assert caught.value.failure is QueryFailure.DNS


async def test_closed_port_is_unreachable_or_silent() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    async with A2SEngine() as engine:
        with pytest.raises(QueryError) as caught:
            await A2SAdapter(engine).query("127.0.0.1", port, timeout=0.5)
    # Linux reports ICMP port unreachable on a connected UDP socket; the shared engine's socket
    # is not connected, so silence is just as right.
    assert caught.value.failure in (QueryFailure.UNREACHABLE, QueryFailure.NO_ANSWER)


async def test_players_failing_still_gives_a_status() -> None:
    async with FakeA2SServer(drop_requests=range(1, 64)) as server, A2SEngine() as engine:
        result = await A2SAdapter(engine).query(*server.address, timeout=0.5)
    assert result.status.name == InfoSpec().server_name
    assert not result.status.players_known


async def test_find_port_searches_near_the_game_port() -> None:
    async with FakeA2SServer() as server, A2SEngine() as engine:
        host, port = server.address
        found = await A2SAdapter(engine).find_port(host, port - 2, timeout=0.5)
    assert found == port
