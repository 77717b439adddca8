"""``satisfactory.poll_state`` end to end against the fake server on loopback."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import pytest

from bot.protocols import satisfactory
from bot.protocols.satisfactory import (
    SatisfactoryCookieMismatchError,
    SatisfactoryError,
    SatisfactoryMalformedError,
    SatisfactoryRefusedError,
    SatisfactoryResolveError,
    SatisfactoryTimeoutError,
    SatisfactoryUnreachableError,
    ServerState,
)
from tests.fakes.satisfactory_server import FakeSatisfactoryServer, Mode, parse_poll


def _closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


async def test_silent_server_times_out_on_time() -> None:
    async with FakeSatisfactoryServer(mode=Mode.SILENT) as server:
        started = time.monotonic()
        with pytest.raises(SatisfactoryTimeoutError) as info:
            await satisfactory.poll_state(*server.address, timeout=0.3)
        assert 0.25 < time.monotonic() - started < 1.0
    assert isinstance(info.value, TimeoutError)
    assert server.requests == 2


@pytest.mark.parametrize(
    ("mode", "error", "reason"),
    [
        (Mode.GARBAGE, SatisfactoryMalformedError, "not this protocol"),
        (Mode.WRONG_TOKEN, SatisfactoryCookieMismatchError, "mismatch"),
        (Mode.OVERSIZED, SatisfactoryMalformedError, "oversized"),
        (Mode.TRUNCATED, SatisfactoryMalformedError, "truncated"),
        (Mode.NO_TERMINATOR, SatisfactoryMalformedError, "no terminator"),
        (Mode.WIDE_SUB_STATES, SatisfactoryMalformedError, "length mismatch"),
    ],
)
async def test_hostile_answers_end_in_the_typed_error(
    mode: Mode, error: type[SatisfactoryMalformedError], reason: str
) -> None:
    async with FakeSatisfactoryServer(mode=mode) as server:
        with pytest.raises(error) as info:
            await satisfactory.poll_state(*server.address, timeout=0.3)
    assert info.value.reason == reason


async def test_junk_before_the_answer_is_ignored() -> None:
    async with FakeSatisfactoryServer(stray=2, delay=0.02) as server:
        state = await satisfactory.poll_state(*server.address, timeout=1.0)
    assert state.name == "Satisfactory Server"


async def test_a_flood_of_junk_fails_fast() -> None:
    async with FakeSatisfactoryServer(stray=40) as server:
        started = time.monotonic()
        with pytest.raises(SatisfactoryMalformedError, match="not this protocol"):
            await satisfactory.poll_state(*server.address, timeout=5.0)
        assert time.monotonic() - started < 1.0


async def test_closed_port_is_refused_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(SatisfactoryRefusedError):
        await satisfactory.poll_state("127.0.0.1", _closed_udp_port(), timeout=2.0)
    assert time.monotonic() - started < 1.0


async def test_unresolvable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fail(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", fail)
    with pytest.raises(SatisfactoryResolveError, match="does not resolve"):
        await satisfactory.poll_state("no.such.host.example", timeout=1.0)


async def test_the_timeout_covers_name_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    async def hang(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(10)

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", hang)
    started = time.monotonic()
    with pytest.raises(SatisfactoryTimeoutError):
        await satisfactory.poll_state("slow.dns.example", timeout=0.2)
    assert time.monotonic() - started < 1.0


def test_every_error_is_a_satisfactory_error() -> None:
    for cls in (
        SatisfactoryTimeoutError,
        SatisfactoryRefusedError,
        SatisfactoryResolveError,
        SatisfactoryUnreachableError,
        SatisfactoryMalformedError,
        SatisfactoryCookieMismatchError,
    ):
        assert issubclass(cls, SatisfactoryError)


@pytest.mark.parametrize(
    "kwargs", [{"port": 0}, {"port": 70000}, {"timeout": 0}, {"attempts": 0}, {"attempts": 9}]
)
async def test_bad_arguments(kwargs: dict[str, Any]) -> None:
    args: dict[str, Any] = {"port": 7777, "timeout": 1.0, **kwargs}
    with pytest.raises(ValueError):
        await satisfactory.poll_state("127.0.0.1", **args)
