"""query() end to end against the fake GS4 server: answers, silence, loss, strays, bounds."""

from __future__ import annotations

import socket
import time

import pytest

from bot.protocols.minecraft import MinecraftTimeout, NotMinecraft, QueryDisabled, query, query_sync
from bot.protocols.minecraft import client as client_module
from tests.fakes.minecraft_query_server import FakeQueryServer

SLACK = 0.4


@pytest.fixture(autouse=True)
def fast_resend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "QUERY_RESEND_INTERVAL", 0.05)


async def test_full_stat() -> None:
    async with FakeQueryServer(players=["Alex", "Steve", "Ünïcode"]) as server:
        stat = await query(*server.address, timeout=2)
    assert stat.motd == "A Minecraft Server"
    assert (stat.game_type, stat.game_id, stat.version, stat.map_name) == (
        "SMP",
        "MINECRAFT",
        "1.21.4",
        "world",
    )
    assert (stat.online, stat.max_players, stat.host_port) == (2, 20, 25565)
    assert stat.software == "Paper on 1.21.4-R0.1"
    assert stat.players == ("Alex", "Steve", "Ünïcode")
    # Handshake, then the stat request with the token as i32 BE and 4 bytes of padding.
    handshake, request = server.requests
    assert handshake[:3] == b"\xfe\xfd\x09" and len(handshake) == 7
    token = next(iter(server.tokens.values()))
    assert request == b"\xfe\xfd\x00" + handshake[3:7] + token.to_bytes(4, "big") + bytes(4)


async def test_silence_is_query_disabled_within_the_timeout() -> None:
    async with FakeQueryServer(silent=True) as server:
        started = time.monotonic()
        with pytest.raises(QueryDisabled) as caught:
            await query(*server.address, timeout=0.4)
        assert time.monotonic() - started < 0.4 + SLACK
    assert caught.value.refused is False
    assert len(server.requests) > 2  # resent while waiting


async def test_a_closed_udp_port_is_query_disabled_at_once() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(QueryDisabled) as caught:
        await query("127.0.0.1", port, timeout=2)
    assert caught.value.refused is True
    assert time.monotonic() - started < 1


async def test_a_handshake_without_a_stat_is_a_timeout_not_disabled() -> None:
    async with FakeQueryServer(answer_stat=False) as server:
        with pytest.raises(MinecraftTimeout) as caught:
            await query(*server.address, timeout=0.3)
    assert not isinstance(caught.value, QueryDisabled)


async def test_lost_datagrams_are_resent() -> None:
    async with FakeQueryServer(drop_first=3) as server:
        stat = await query(*server.address, timeout=2)
    assert stat.online == 2 and len(server.requests) >= 5


async def test_an_expired_token_gets_a_new_handshake() -> None:
    # The first token expires at once; after the unanswered stat request the client asks again.
    async with FakeQueryServer(token_lifetime=0.0) as server:
        with pytest.raises(MinecraftTimeout):
            await query(*server.address, timeout=0.3)
    handshakes = [r for r in server.requests if r[2] == 9]
    assert len(handshakes) >= 2


async def test_stray_datagrams_of_other_sessions_are_ignored() -> None:
    async with FakeQueryServer(stray=True) as server:
        stat = await query(*server.address, timeout=2)
    assert stat.players == ("Alex", "Steve")


async def test_a_malformed_stat_is_not_minecraft() -> None:
    async with FakeQueryServer(raw_stat=bytes(11) + b"numplayers\x00many\x00\x00") as server:
        with pytest.raises(NotMinecraft):
            await query(*server.address, timeout=2)


async def test_a_huge_player_section_is_clipped() -> None:
    names = [f"p{i:05d}" for i in range(6000)]
    async with FakeQueryServer(players=names) as server:
        stat = await query(*server.address, timeout=2)
    assert len(stat.players) == 4096 and stat.players[0] == "p00000"


def test_blocking_wrapper() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(QueryDisabled):
        query_sync("127.0.0.1", port, timeout=1)
