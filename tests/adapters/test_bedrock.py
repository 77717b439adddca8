"""The Bedrock query adapter: neutral status, raw fields and typed failures, against the fake."""

from __future__ import annotations

import asyncio
import errno
import json
import socket
from typing import Any

import pytest

from bot.adapters.bedrock import _ERRORS, BedrockAdapter
from bot.adapters.query import QueryAdapter, QueryError, QueryFailure
from bot.protocols import bedrock
from tests.fakes.bedrock_server import NOTES_MOTD, FakeBedrockServer, Mode, motd_string


def _closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_status_is_neutral_and_raw_fields_are_json() -> None:
    motd = motd_string(name="§aSky§r Wars", players=7, max_players=40, level_name="Lobby")
    adapter: QueryAdapter = BedrockAdapter()
    async with FakeBedrockServer(motd, server_guid=42) as server:
        result = await adapter.query(*server.address, timeout=2.0)
    status = result.status
    assert (status.name, status.map, status.players, status.max_players, status.bots) == (
        "Sky Wars",
        "Lobby",
        7,
        40,
        0,
    )
    assert status.version == "1.21.2" and status.product == "Minecraft: Bedrock Edition"
    assert not status.password and not status.vac
    assert status.player_list == () and not status.players_known  # the pong names nobody
    assert 0 < status.ping_ms < 1000
    fields = adapter.raw_fields(result.raw)
    assert fields["server_guid"] == 42
    assert fields["motd"]["edition"] == "MCPE" and fields["motd"]["name_raw"] == "§aSky§r Wars"
    json.dumps(fields)
    assert adapter.raw_fields(object()) == {}


async def test_the_notes_capture_with_an_empty_version() -> None:
    async with FakeBedrockServer(NOTES_MOTD) as server:
        result = await BedrockAdapter().query(*server.address, timeout=2.0)
    # The version name is empty there: the protocol number stands in.
    assert result.status.version == "protocol 422"
    assert result.status.name == "GayBowser" and result.status.map == ""


async def test_education_edition_product() -> None:
    async with FakeBedrockServer(motd_string(edition="MCEE")) as server:
        result = await BedrockAdapter().query(*server.address, timeout=2.0)
    assert result.status.product == "Minecraft Education"


async def _failure_of(address: tuple[str, int], within: float = 0.3) -> QueryError:
    with pytest.raises(QueryError) as caught:
        await BedrockAdapter().query(*address, timeout=within)
    assert caught.value.protocol == "bedrock"
    return caught.value


async def test_silence_is_no_answer() -> None:
    async with FakeBedrockServer(mode=Mode.SILENT) as server:
        error = await _failure_of(server.address)
    assert error.failure is QueryFailure.NO_ANSWER and "0.3 s" in error.detail


@pytest.mark.parametrize("mode", [Mode.GARBAGE, Mode.WRONG_TOKEN, Mode.OVERSIZED, Mode.TRUNCATED])
async def test_bad_answers_are_not_this_protocol(mode: Mode) -> None:
    async with FakeBedrockServer(mode=mode) as server:
        error = await _failure_of(server.address)
    assert error.failure is QueryFailure.NOT_THIS_PROTOCOL and "not a Bedrock pong" in error.detail


async def test_closed_port_is_unreachable() -> None:
    error = await _failure_of(("127.0.0.1", _closed_udp_port()), within=2.0)
    assert error.failure is QueryFailure.UNREACHABLE


async def test_unresolvable_name_is_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    async def fail(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", fail)
    error = await _failure_of(("no.such.host.example", 19132), within=1.0)
    assert error.failure is QueryFailure.DNS


def test_other_network_errors() -> None:
    cause = OSError(errno.ENETUNREACH, "Network is unreachable")
    error = _ERRORS.failure(bedrock.BedrockUnreachableError(f"network error: {cause}"), 1.0)
    assert error.failure is QueryFailure.NETWORK and "unreachable" in error.detail
