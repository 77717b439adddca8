"""The Satisfactory query adapter: neutral status, notes, raw fields and typed failures."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import pytest

from bot.adapters.query import QueryAdapter, QueryError, QueryFailure
from bot.adapters.satisfactory import _ERRORS, SatisfactoryAdapter
from bot.protocols import satisfactory
from tests.fakes.satisfactory_server import FakeSatisfactoryServer, Mode


def _closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_status_is_neutral_and_raw_fields_are_json() -> None:
    adapter: QueryAdapter = SatisfactoryAdapter()
    async with FakeSatisfactoryServer(name="Fabrik ü") as server:
        result = await adapter.query(*server.address, timeout=2.0)
    status = result.status
    assert (status.name, status.map, status.players, status.max_players, status.bots) == (
        "Fabrik ü",
        "",
        0,
        0,
        0,
    )
    assert not status.players_known  # the UDP query carries no player counts
    assert status.version == "CL 366202" and status.product == "Satisfactory"
    assert 0 < status.ping_ms < 1000 and result.notes == ()
    fields = adapter.raw_fields(result.raw)
    assert fields["state_name"] == "playing" and fields["modded"] is False
    assert fields["sub_states"][0] == {"id": 0, "version": 17, "kind": "server_game_state"}
    json.dumps(fields)
    assert adapter.raw_fields("x") == {}


@pytest.mark.parametrize(
    ("state", "note"),
    [(1, "no save loaded"), (2, "loading a save"), (7, "unknown server state 7")],
)
async def test_states_other_than_playing_become_notes(state: int, note: str) -> None:
    async with FakeSatisfactoryServer(state=state, flags=1) as server:
        result = await SatisfactoryAdapter().query(*server.address, timeout=2.0)
    assert len(result.notes) == 1 and note in result.notes[0]
    assert result.status.product == "Satisfactory (modded)"
    json.dumps(SatisfactoryAdapter().raw_fields(result.raw))


async def _failure_of(address: tuple[str, int], within: float = 0.3) -> QueryError:
    with pytest.raises(QueryError) as caught:
        await SatisfactoryAdapter().query(*address, timeout=within)
    assert caught.value.protocol == "satisfactory"
    return caught.value


async def test_silence_is_no_answer() -> None:
    async with FakeSatisfactoryServer(mode=Mode.SILENT) as server:
        error = await _failure_of(server.address)
    assert error.failure is QueryFailure.NO_ANSWER


@pytest.mark.parametrize(
    "mode",
    [Mode.GARBAGE, Mode.WRONG_TOKEN, Mode.OVERSIZED, Mode.TRUNCATED, Mode.NO_TERMINATOR],
)
async def test_bad_answers_are_not_this_protocol(mode: Mode) -> None:
    async with FakeSatisfactoryServer(mode=mode) as server:
        error = await _failure_of(server.address)
    assert error.failure is QueryFailure.NOT_THIS_PROTOCOL and "Satisfactory" in error.detail


async def test_closed_port_is_unreachable() -> None:
    error = await _failure_of(("127.0.0.1", _closed_udp_port()), within=2.0)
    assert error.failure is QueryFailure.UNREACHABLE


async def test_unresolvable_name_is_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fail(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", fail)
    error = await _failure_of(("no.such.host.example", 7777), within=1.0)
    assert error.failure is QueryFailure.DNS


def test_other_network_errors() -> None:
    error = _ERRORS.failure(
        satisfactory.SatisfactoryUnreachableError("network error: no route"), 1.0
    )
    assert error.failure is QueryFailure.NETWORK
