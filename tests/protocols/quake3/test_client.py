"""``quake3.get_status`` / ``get_info`` end to end against the fake server on loopback.

The contract it shares with the other UDP clients (hostile answers, silence, junk floods,
ICMP, DNS, argument checks) is in tests/protocols/test_udp_clients.py.
"""

from __future__ import annotations

import pytest

from bot.protocols import quake3
from bot.protocols.quake3 import Q3ChallengeMismatchError, Q3TimeoutError
from tests.fakes.quake3_server import NOTES_STATUS, FakeQuake3Server, Mode, parse_request


async def test_get_status_returns_players_and_latency() -> None:
    players = [(12, 48, "^1No^7va"), (3, 999, "joining")]
    async with FakeQuake3Server(players=players) as server:
        status = await quake3.get_status(*server.address, timeout=2.0)
    assert status.hostname == "Fake Arena" and status.map == "q3dm17"
    assert status.max_players == 16 and status.needs_password is False
    assert [p.name for p in status.players] == ["Nova", "joining"]
    assert status.players[1].connecting
    assert 0 < status.latency < 1.0
    # The challenge went out and came back.
    request = parse_request(server.received[0])
    assert request is not None and status.challenge == request[1]
    assert server.requests == 1


async def test_get_info_returns_counts() -> None:
    async with FakeQuake3Server(players=[(1, 40, "a"), (2, 0, "bot")]) as server:
        info = await quake3.get_info(*server.address, timeout=2.0)
    assert (info.clients, info.humans, info.bots, info.max_players) == (2, 1, 1, 16)
    assert info.hostname == "Fake Arena" and info.challenge is not None


async def test_the_notes_capture_served_verbatim() -> None:
    # It echoes no challenge: accepted by default, refused when one is required.
    async with FakeQuake3Server(raw=NOTES_STATUS) as server:
        status = await quake3.get_status(*server.address, timeout=2.0)
        assert status.players[0].name == "Nova"
        with pytest.raises(Q3ChallengeMismatchError):
            await quake3.get_status(*server.address, timeout=0.3, require_challenge=True)


async def test_an_engine_that_echoes_no_challenge() -> None:
    async with FakeQuake3Server(mode=Mode.NO_CHALLENGE) as server:
        status = await quake3.get_status(*server.address, timeout=2.0)
    assert status.challenge is None and status.hostname == "Fake Arena"


async def test_lost_request_is_resent() -> None:
    async with FakeQuake3Server(drop_first=1) as server:
        status = await quake3.get_status(*server.address, timeout=0.6)
    assert server.requests == 2 and status.latency < 0.2
    first, second = (parse_request(d) for d in server.received)
    assert first is not None and second is not None and first[1] != second[1]


async def test_a_rate_limited_server_is_a_timeout() -> None:
    async with FakeQuake3Server(rate_limit=1) as server:
        await quake3.get_info(*server.address, timeout=1.0)
        with pytest.raises(Q3TimeoutError) as info:
            await quake3.get_info(*server.address, timeout=0.3, attempts=1)
    assert isinstance(info.value, TimeoutError)
    assert server.requests == 2


async def test_junk_before_the_answer_is_ignored() -> None:
    async with FakeQuake3Server(stray=3, delay=0.02) as server:
        status = await quake3.get_status(*server.address, timeout=1.0)
    assert status.map == "q3dm17"
