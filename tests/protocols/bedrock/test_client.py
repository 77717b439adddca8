"""``bedrock.ping`` end to end against the fake server on loopback.

The contract it shares with the other UDP clients (hostile answers, silence, junk floods,
ICMP, DNS, argument checks) is in tests/protocols/test_udp_clients.py.
"""

from __future__ import annotations

import socket

import pytest

from bot.protocols import bedrock
from bot.protocols.bedrock import BedrockMalformedError, BedrockTimeoutError
from tests.fakes.bedrock_server import NOTES_MOTD, FakeBedrockServer, Mode, motd_string


async def test_ping_returns_typed_status_and_latency() -> None:
    async with FakeBedrockServer(motd_string(players=3, name="§aHello"), server_guid=99) as server:
        status = await bedrock.ping(*server.address, timeout=2.0)
    assert status.motd.name == "Hello" and status.motd.players == 3
    assert status.server_guid == 99
    assert 0 < status.latency < 1.0
    assert server.requests == 1  # answered at once: no resend


async def test_ping_the_notes_capture() -> None:
    async with FakeBedrockServer(NOTES_MOTD) as server:
        status = await bedrock.ping(*server.address, timeout=2.0)
    assert status.motd.name == "GayBowser" and status.motd.max_players == 69


async def test_lost_ping_is_resent_within_the_timeout() -> None:
    async with FakeBedrockServer(drop_first=1) as server:
        status = await bedrock.ping(*server.address, timeout=0.6, attempts=2)
    assert server.requests == 2
    # Measured from the resend it answers, not from the first ping.
    assert status.latency < 0.2


async def test_one_attempt_sends_once() -> None:
    async with FakeBedrockServer(mode=Mode.SILENT) as server:
        with pytest.raises(BedrockTimeoutError):
            await bedrock.ping(*server.address, timeout=0.3, attempts=1)
    assert server.requests == 1


async def test_stray_junk_before_the_pong_is_ignored() -> None:
    async with FakeBedrockServer(stray=1) as server:
        status = await bedrock.ping(*server.address, timeout=2.0)
    assert status.motd.name == "Fake Bedrock"


async def test_not_a_motd() -> None:
    async with FakeBedrockServer("hello;world") as server:
        with pytest.raises(BedrockMalformedError, match="not a MOTD"):
            await bedrock.ping(*server.address, timeout=0.3)


async def test_a_late_valid_pong_still_wins_after_junk() -> None:
    async with FakeBedrockServer(stray=1, delay=0.05) as server:
        status = await bedrock.ping(*server.address, timeout=1.0)
    assert status.motd.players == 0


async def test_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        server = await FakeBedrockServer(host="::1").__aenter__()
    except OSError:
        pytest.skip("no IPv6 loopback")
    try:
        status = await bedrock.ping("::1", server.address[1], timeout=2.0)
    finally:
        await server.__aexit__()
    assert status.motd.edition is bedrock.Edition.POCKET
