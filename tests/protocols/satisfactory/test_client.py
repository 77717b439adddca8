"""``satisfactory.poll_state`` end to end against the fake server on loopback.

The contract it shares with the other UDP clients (hostile answers, silence, junk floods,
ICMP, DNS, argument checks) is in tests/protocols/test_udp_clients.py.
"""

from __future__ import annotations

from bot.protocols import satisfactory
from bot.protocols.satisfactory import ServerState
from tests.fakes.satisfactory_server import FakeSatisfactoryServer, parse_poll


async def test_poll_returns_the_state_and_latency() -> None:
    async with FakeSatisfactoryServer(name="Fabrik ü", flags=1) as server:
        state = await satisfactory.poll_state(*server.address, timeout=2.0)
    assert state.state is ServerState.PLAYING and state.net_cl == 366202
    assert state.name == "Fabrik ü" and state.modded
    assert len(state.sub_states) == 4
    assert 0 < state.latency < 1.0
    assert server.requests == 1 and parse_poll(server.received[0]) is not None


async def test_loading_server() -> None:
    async with FakeSatisfactoryServer(state=2) as server:
        state = await satisfactory.poll_state(*server.address, timeout=2.0)
    assert state.state is ServerState.LOADING and not state.https_api_available


async def test_lost_poll_is_resent_with_a_new_cookie() -> None:
    async with FakeSatisfactoryServer(drop_first=1) as server:
        state = await satisfactory.poll_state(*server.address, timeout=0.6)
    assert server.requests == 2 and state.latency < 0.2
    cookies = {parse_poll(datagram) for datagram in server.received}
    assert len(cookies) == 2


async def test_junk_before_the_answer_is_ignored() -> None:
    async with FakeSatisfactoryServer(stray=2, delay=0.02) as server:
        state = await satisfactory.poll_state(*server.address, timeout=1.0)
    assert state.name == "Satisfactory Server"
