"""What every UDP query adapter (Bedrock, Quake 3, Satisfactory) promises on failure: the
protocol's typed errors become the neutral ``QueryFailure`` the services act on, named with the
adapter's protocol. Each adapter's status and raw fields are tested in its own file."""

from __future__ import annotations

import errno
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bot.adapters import bedrock as bedrock_adapter
from bot.adapters import quake3 as quake3_adapter
from bot.adapters import satisfactory as satisfactory_adapter
from bot.adapters.query import QueryAdapter, QueryError, QueryFailure
from tests.fakes.network_faults import closed_udp_port, names_do_not_resolve
from tests.protocols.udp_clients import BEDROCK, QUAKE3_STATUS, SATISFACTORY, UdpClient


@dataclass(frozen=True)
class UdpAdapter:
    """One adapter over a UDP client, and how its failures name the protocol."""

    protocol: str
    adapter: Callable[[], QueryAdapter]
    errors: Any  # the adapter module's _ERRORS (a bot.adapters.query error table)
    client: UdpClient  # the protocol call it wraps, its fake and its errors
    not_this_detail: str  # what the failure's detail says of an answer that is not this protocol
    default_port: int

    async def failure_of(self, address: tuple[str, int], within: float = 0.3) -> QueryError:
        with pytest.raises(QueryError) as caught:
            await self.adapter().query(*address, timeout=within)
        assert caught.value.protocol == self.protocol
        return caught.value

    @property
    def hostile_modes(self) -> list[Any]:
        # Every answer the client refuses as hostile is "not this protocol" to the services.
        return [mode for mode, _, _ in self.client.hostile]


ADAPTERS = [
    UdpAdapter(
        protocol="bedrock",
        adapter=bedrock_adapter.BedrockAdapter,
        errors=bedrock_adapter._ERRORS,
        client=BEDROCK,
        not_this_detail="not a Bedrock pong",
        default_port=19132,
    ),
    UdpAdapter(
        protocol="quake3",
        adapter=quake3_adapter.Quake3Adapter,
        errors=quake3_adapter._ERRORS,
        client=QUAKE3_STATUS,
        not_this_detail="Quake 3",
        default_port=27960,
    ),
    UdpAdapter(
        protocol="satisfactory",
        adapter=satisfactory_adapter.SatisfactoryAdapter,
        errors=satisfactory_adapter._ERRORS,
        client=SATISFACTORY,
        not_this_detail="Satisfactory",
        default_port=7777,
    ),
]
each_adapter = pytest.mark.parametrize("case", ADAPTERS, ids=[a.protocol for a in ADAPTERS])


@each_adapter
async def test_silence_is_no_answer(case: UdpAdapter) -> None:
    async with case.client.fake(mode=case.client.silent) as server:
        error = await case.failure_of(server.address)
    assert error.failure is QueryFailure.NO_ANSWER and "0.3 s" in error.detail


@pytest.mark.parametrize(
    ("case", "mode"),
    [(case, mode) for case in ADAPTERS for mode in case.hostile_modes],
    ids=[f"{case.protocol}-{mode.value}" for case in ADAPTERS for mode in case.hostile_modes],
)
async def test_bad_answers_are_not_this_protocol(case: UdpAdapter, mode: Any) -> None:
    async with case.client.fake(mode=mode) as server:
        error = await case.failure_of(server.address)
    assert error.failure is QueryFailure.NOT_THIS_PROTOCOL and case.not_this_detail in error.detail


@each_adapter
async def test_closed_port_is_unreachable(case: UdpAdapter) -> None:
    error = await case.failure_of(("127.0.0.1", closed_udp_port()), within=2.0)
    assert error.failure is QueryFailure.UNREACHABLE


@each_adapter
async def test_unresolvable_name_is_dns(case: UdpAdapter, monkeypatch: pytest.MonkeyPatch) -> None:
    names_do_not_resolve(monkeypatch)
    error = await case.failure_of(("no.such.host.example", case.default_port), within=1.0)
    assert error.failure is QueryFailure.DNS


@each_adapter
def test_other_network_errors(case: UdpAdapter) -> None:
    cause = OSError(errno.ENETUNREACH, "Network is unreachable")
    error = case.errors.failure(case.client.unreachable(f"network error: {cause}"), 1.0)
    assert error.failure is QueryFailure.NETWORK and "unreachable" in error.detail
