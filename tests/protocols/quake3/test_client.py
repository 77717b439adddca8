"""``quake3.get_status`` / ``get_info`` end to end against the fake server on loopback."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import pytest

from bot.protocols import quake3
from bot.protocols.quake3 import (
    Q3ChallengeMismatchError,
    Q3Error,
    Q3MalformedError,
    Q3RefusedError,
    Q3ResolveError,
    Q3TimeoutError,
    Q3UnreachableError,
)
from tests.fakes.quake3_server import NOTES_STATUS, FakeQuake3Server, Mode, parse_request


def _closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


async def test_silent_server_times_out_on_time() -> None:
    async with FakeQuake3Server(mode=Mode.SILENT) as server:
        started = time.monotonic()
        with pytest.raises(Q3TimeoutError):
            await quake3.get_status(*server.address, timeout=0.3)
        assert 0.25 < time.monotonic() - started < 1.0
    assert server.requests == 2


@pytest.mark.parametrize(
    ("mode", "error", "reason"),
    [
        (Mode.GARBAGE, Q3MalformedError, "not out-of-band"),
        (Mode.WRONG_TOKEN, Q3ChallengeMismatchError, "mismatch"),
        (Mode.OVERSIZED, Q3MalformedError, "oversized"),
        (Mode.PRINT, Q3MalformedError, "unexpected packet"),
    ],
)
async def test_hostile_answers_end_in_the_typed_error(
    mode: Mode, error: type[Q3MalformedError], reason: str
) -> None:
    async with FakeQuake3Server(mode=mode) as server:
        with pytest.raises(error) as info:
            await quake3.get_status(*server.address, timeout=0.3)
    assert info.value.reason == reason


async def test_junk_before_the_answer_is_ignored() -> None:
    async with FakeQuake3Server(stray=3, delay=0.02) as server:
        status = await quake3.get_status(*server.address, timeout=1.0)
    assert status.map == "q3dm17"


async def test_a_flood_of_junk_fails_fast() -> None:
    async with FakeQuake3Server(stray=40) as server:
        started = time.monotonic()
        with pytest.raises(Q3MalformedError, match="not out-of-band"):
            await quake3.get_status(*server.address, timeout=5.0)
        assert time.monotonic() - started < 1.0


async def test_closed_port_is_refused_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(Q3RefusedError):
        await quake3.get_info("127.0.0.1", _closed_udp_port(), timeout=2.0)
    assert time.monotonic() - started < 1.0


async def test_unresolvable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fail(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", fail)
    with pytest.raises(Q3ResolveError, match="does not resolve"):
        await quake3.get_status("no.such.host.example", timeout=1.0)


async def test_the_timeout_covers_name_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    async def hang(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(10)

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", hang)
    started = time.monotonic()
    with pytest.raises(Q3TimeoutError):
        await quake3.get_info("slow.dns.example", timeout=0.2)
    assert time.monotonic() - started < 1.0


def test_every_error_is_a_q3_error() -> None:
    for cls in (
        Q3TimeoutError,
        Q3RefusedError,
        Q3ResolveError,
        Q3UnreachableError,
        Q3MalformedError,
        Q3ChallengeMismatchError,
    ):
        assert issubclass(cls, Q3Error)


@pytest.mark.parametrize(
    "kwargs", [{"port": 0}, {"port": 70000}, {"timeout": -1}, {"attempts": 0}, {"attempts": 9}]
)
async def test_bad_arguments(kwargs: dict[str, Any]) -> None:
    args: dict[str, Any] = {"port": 27960, "timeout": 1.0, **kwargs}
    with pytest.raises(ValueError):
        await quake3.get_status("127.0.0.1", **args)
