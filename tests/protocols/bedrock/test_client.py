"""``bedrock.ping`` end to end against the fake server on loopback."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import pytest

from bot.protocols import bedrock
from bot.protocols.bedrock import (
    BedrockError,
    BedrockMalformedError,
    BedrockMismatchError,
    BedrockRefusedError,
    BedrockResolveError,
    BedrockTimeoutError,
    BedrockUnreachableError,
)
from tests.fakes.bedrock_server import NOTES_MOTD, FakeBedrockServer, Mode, motd_string


def _closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


async def test_silent_server_times_out_on_time() -> None:
    async with FakeBedrockServer(mode=Mode.SILENT) as server:
        started = time.monotonic()
        with pytest.raises(BedrockTimeoutError) as info:
            await bedrock.ping(*server.address, timeout=0.3)
        assert 0.25 < time.monotonic() - started < 1.0
    assert isinstance(info.value, TimeoutError)
    assert server.requests == 2


async def test_stray_junk_before_the_pong_is_ignored() -> None:
    async with FakeBedrockServer(stray=1) as server:
        status = await bedrock.ping(*server.address, timeout=2.0)
    assert status.motd.name == "Fake Bedrock"


@pytest.mark.parametrize(
    ("mode", "error", "reason"),
    [
        (Mode.GARBAGE, BedrockMalformedError, "not a pong"),
        (Mode.WRONG_TOKEN, BedrockMismatchError, "mismatch"),
        (Mode.OVERSIZED, BedrockMalformedError, "oversized"),
        (Mode.TRUNCATED, BedrockMalformedError, "truncated"),
    ],
)
async def test_hostile_answers_end_in_the_typed_error(
    mode: Mode, error: type[BedrockMalformedError], reason: str
) -> None:
    async with FakeBedrockServer(mode=mode) as server:
        with pytest.raises(error) as info:
            await bedrock.ping(*server.address, timeout=0.3)
    assert info.value.reason == reason


async def test_a_flood_of_junk_fails_fast() -> None:
    async with FakeBedrockServer(stray=40) as server:
        started = time.monotonic()
        with pytest.raises(BedrockMalformedError, match="not a pong"):
            await bedrock.ping(*server.address, timeout=5.0)
        assert time.monotonic() - started < 1.0


async def test_not_a_motd() -> None:
    async with FakeBedrockServer("hello;world") as server:
        with pytest.raises(BedrockMalformedError, match="not a MOTD"):
            await bedrock.ping(*server.address, timeout=0.3)


async def test_a_late_valid_pong_still_wins_after_junk() -> None:
    async with FakeBedrockServer(stray=1, delay=0.05) as server:
        status = await bedrock.ping(*server.address, timeout=1.0)
    assert status.motd.players == 0


async def test_closed_port_is_refused_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(BedrockRefusedError):
        await bedrock.ping("127.0.0.1", _closed_udp_port(), timeout=2.0)
    assert time.monotonic() - started < 1.0


async def test_unresolvable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()

    async def fail(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(loop, "getaddrinfo", fail)
    with pytest.raises(BedrockResolveError, match="does not resolve"):
        await bedrock.ping("no.such.host.example", timeout=1.0)


async def test_the_timeout_covers_name_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()

    async def hang(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(10)

    monkeypatch.setattr(loop, "getaddrinfo", hang)
    started = time.monotonic()
    with pytest.raises(BedrockTimeoutError):
        await bedrock.ping("slow.dns.example", timeout=0.2)
    assert time.monotonic() - started < 1.0


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


async def test_every_error_is_a_bedrock_error() -> None:
    for cls in (
        BedrockTimeoutError,
        BedrockRefusedError,
        BedrockResolveError,
        BedrockUnreachableError,
        BedrockMalformedError,
        BedrockMismatchError,
    ):
        assert issubclass(cls, BedrockError)


@pytest.mark.parametrize(
    "kwargs", [{"port": 0}, {"port": 70000}, {"timeout": 0}, {"attempts": 0}, {"attempts": 99}]
)
async def test_bad_arguments(kwargs: dict[str, Any]) -> None:
    args: dict[str, Any] = {"port": 19132, "timeout": 1.0, **kwargs}
    with pytest.raises(ValueError):
        await bedrock.ping("127.0.0.1", **args)
