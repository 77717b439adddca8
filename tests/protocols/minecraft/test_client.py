"""status() end to end against the fake server: modern, legacy fallback, hostile servers."""

from __future__ import annotations

import asyncio
import errno
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.protocols.minecraft import (
    AnswerTooLarge,
    JavaPlayers,
    JavaVersion,
    MinecraftEncodeError,
    MinecraftRefused,
    MinecraftTimeout,
    MinecraftUnreachable,
    MinecraftUnresolved,
    NotMinecraft,
    legacy_status,
    query,
    status,
    status_sync,
)
from bot.protocols.minecraft.slp import MAX_STATUS_JSON_BYTES
from tests.fakes.minecraft_server import DEFAULT_STATUS, FakeMinecraftServer, Handshake, LegacySpec
from tests.fakes.threaded import Threaded
from tests.protocols.minecraft.helpers import FAVICON, PNG_1X1

TIMEOUT = 0.5
# Scheduling slack on a loaded 2-core machine.
SLACK = 0.4


async def test_modern_status() -> None:
    async with FakeMinecraftServer(pong_delay=0.05) as server:
        result = await status(*server.address, timeout=2)
    assert result.version == JavaVersion("1.21.4", 769)
    assert result.players is not None and result.players.online == 2
    assert [p.name for p in result.players.sample or ()] == ["Alex", "Steve"]
    assert result.motd == "A Minecraft Server here"
    assert result.enforces_secure_chat is True and result.legacy is False
    # The latency is the ping/pong round trip, which the server delayed by 50 ms.
    assert result.latency_ms is not None and 50 <= result.latency_ms < 2000
    assert server.handshakes == [Handshake(-1, "127.0.0.1", server.address[1], 1)]
    assert len(server.pings) == 1 and server.connections == 1


async def test_a_large_fragmented_answer_near_the_bound() -> None:
    big: dict[str, Any] = {**DEFAULT_STATUS, "favicon": FAVICON}
    big["description"] = {"text": "x" * (MAX_STATUS_JSON_BYTES - len(json.dumps(big)) - 100)}
    async with FakeMinecraftServer(status=big, fragment=1400, tail=b'{"bcc":"tail"}') as server:
        result = await status(*server.address, timeout=3)
    assert result.favicon == PNG_1X1
    assert result.motd == "x" * len(result.motd) and len(result.motd) == 2048  # clipped
    assert result.raw["description"] == big["description"]


async def test_protocol_version_is_sent_as_given() -> None:
    async with FakeMinecraftServer() as server:
        await status(*server.address, timeout=2, protocol_version=767)
    assert server.handshakes[0].protocol_version == 767


@pytest.mark.parametrize("on_modern", ["kick", "close"])
async def test_legacy_fallback_for_a_1_6_server(on_modern: str) -> None:
    spec = LegacySpec(protocol=78, version="1.6.4", motd="§aOld but gold", online=3, max_players=8)
    async with FakeMinecraftServer(mode="legacy", on_modern=on_modern, legacy=spec) as server:
        result = await status(*server.address, timeout=2)
    assert result.legacy is True
    assert result.version == JavaVersion("1.6.4", 78)
    assert result.players == JavaPlayers(3, 8)
    assert result.motd == "Old but gold"
    assert result.latency_ms is not None and result.latency_ms >= 0
    assert server.connections == 2
    # One 1.6 request with MC|PingHost naming the host and port, in one piece.
    request = server.legacy_requests[0]
    assert request.startswith(b"\x01\xfa\x00\x0b" + "MC|PingHost".encode("utf-16-be"))
    assert request.endswith("127.0.0.1".encode("utf-16-be") + server.address[1].to_bytes(4, "big"))


async def test_legacy_fallback_for_a_pre_1_4_server() -> None:
    async with FakeMinecraftServer(
        mode="pre14", legacy=LegacySpec(motd="Beta", online=1)
    ) as server:
        result = await status(*server.address, timeout=2)
    assert (result.version, result.players, result.motd) == (
        JavaVersion("<1.4", -1),
        JavaPlayers(1, 20),
        "Beta",
    )


async def test_without_fallback_a_legacy_server_is_not_minecraft() -> None:
    async with FakeMinecraftServer(mode="legacy") as server:
        with pytest.raises(NotMinecraft):
            await status(*server.address, timeout=2, legacy_fallback=False)
    assert server.connections == 1


async def test_legacy_status_alone_against_a_modern_server() -> None:
    async with FakeMinecraftServer(legacy=LegacySpec(protocol=127, version="1.21.4")) as server:
        result = await legacy_status(*server.address, timeout=2)
    assert result.version == JavaVersion("1.21.4", 127) and result.legacy


@pytest.mark.parametrize("hostile", ["silent", "drip"])
async def test_timeouts_are_bounded(hostile: str) -> None:
    async with FakeMinecraftServer(hostile=hostile, drip_delay=0.05) as server:
        started = time.monotonic()
        with pytest.raises(MinecraftTimeout) as caught:
            await status(*server.address, timeout=TIMEOUT)
        elapsed = time.monotonic() - started
    assert TIMEOUT - 0.05 <= elapsed < TIMEOUT + SLACK
    assert isinstance(caught.value, TimeoutError)


@pytest.mark.parametrize("hostile", ["oversized_length", "oversized_string"])
async def test_oversized_answers_are_refused_at_once_and_not_retried(hostile: str) -> None:
    async with FakeMinecraftServer(hostile=hostile) as server:
        started = time.monotonic()
        with pytest.raises(AnswerTooLarge):
            await status(*server.address, timeout=5)
        assert time.monotonic() - started < 1
    assert server.connections == 1


async def test_a_real_json_over_the_bound_is_refused() -> None:
    too_big = {"description": "x" * MAX_STATUS_JSON_BYTES}
    async with FakeMinecraftServer(status=too_big) as server:
        with pytest.raises(AnswerTooLarge):
            await status(*server.address, timeout=3)


@pytest.mark.parametrize("hostile", ["garbage", "close"])
async def test_other_protocols_and_closed_connections(hostile: str) -> None:
    async with FakeMinecraftServer(hostile=hostile) as server:
        with pytest.raises(NotMinecraft) as caught:
            await status(*server.address, timeout=2)
    assert "legacy ping" in str(caught.value)
    assert server.connections == 2


async def test_invalid_json_is_not_minecraft() -> None:
    async with FakeMinecraftServer(status="<html>", mode="modern") as server:
        with pytest.raises(NotMinecraft, match="not JSON"):
            await status(*server.address, timeout=2, legacy_fallback=False)


@pytest.mark.parametrize("pong", ["none", "wrong"])
async def test_a_missing_or_wrong_pong_leaves_no_latency(pong: str) -> None:
    async with FakeMinecraftServer(pong=pong) as server:
        result = await status(*server.address, timeout=2)
    assert result.latency_ms is None and result.players is not None


async def test_a_silent_pong_returns_the_status_at_the_deadline() -> None:
    async with FakeMinecraftServer(pong="silent") as server:
        started = time.monotonic()
        result = await status(*server.address, timeout=TIMEOUT)
        assert time.monotonic() - started < TIMEOUT + SLACK
    assert result.latency_ms is None and result.motd


async def test_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(MinecraftRefused):
        await status("127.0.0.1", port, timeout=2)


async def test_a_name_that_does_not_resolve(monkeypatch: pytest.MonkeyPatch) -> None:
    # No real DNS in tests: the stdlib lookup is made to fail the way getaddrinfo does.
    async def no_address(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio, "open_connection", no_address)
    with pytest.raises(MinecraftUnresolved):
        await status("unknown.example", 25565, timeout=1)


async def test_names_that_are_no_dns_names_are_unresolved() -> None:
    # The stdlib's IDNA codec refuses these before any lookup: no DNS traffic.
    for host in ("a" * 64 + ".example", "bad..name"):
        with pytest.raises(MinecraftUnresolved):
            await status(host, 25565, timeout=1)
        with pytest.raises(MinecraftUnresolved):
            await query(host, 25565, timeout=1)


async def test_no_route_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_route(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.EHOSTUNREACH, "No route to host")

    monkeypatch.setattr(asyncio, "open_connection", no_route)
    with pytest.raises(MinecraftUnreachable, match="No route"):
        await status("192.0.2.1", 25565, timeout=1)


async def test_a_handshake_host_over_255_characters_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_open = asyncio.open_connection
    async with FakeMinecraftServer() as server:

        async def to_the_fake(host: str, port: int) -> Any:  # a long name resolving, in effect
            return await real_open(*server.address)

        monkeypatch.setattr(asyncio, "open_connection", to_the_fake)
        with pytest.raises(MinecraftEncodeError):
            await status(".".join(["a" * 60] * 5), 25565, timeout=1)
    assert server.handshakes == []


@pytest.fixture
def threaded_server() -> Iterator[FakeMinecraftServer]:
    with Threaded(FakeMinecraftServer()) as server:
        yield server


def test_blocking_wrapper(threaded_server: FakeMinecraftServer) -> None:
    result = status_sync(*threaded_server.address, timeout=2)
    assert result.players is not None and result.players.max == 20
