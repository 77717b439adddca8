"""What every UDP query client promises, end to end against its fake on loopback: Bedrock's
``ping``, Quake 3's ``get_status`` and ``get_info``, Satisfactory's ``poll_state``.

They share the exchange (bot/protocols/udp_exchange.py) but each wires it to its own errors,
so each is held to the same contract here: hostile answers end in the package's typed error,
silence in its timeout on time, a junk flood fails fast, ICMP and DNS failures are the
package's classes, and arguments are checked before anything is sent. What only one protocol
does (its fields, resends, challenges) stays in its own tests/protocols/<name>/test_client.py.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.fakes.network_faults import closed_udp_port, names_do_not_resolve, names_never_resolve
from tests.protocols.udp_clients import CLIENTS, UdpClient

each_client = pytest.mark.parametrize("client", CLIENTS, ids=[c.name for c in CLIENTS])


@pytest.mark.parametrize(
    ("client", "mode", "error", "reason"),
    [(client, *case) for client in CLIENTS for case in client.hostile],
    ids=[f"{client.name}-{case[0].value}" for client in CLIENTS for case in client.hostile],
)
async def test_hostile_answers_end_in_the_typed_error(
    client: UdpClient, mode: Any, error: type[Exception], reason: str
) -> None:
    async with client.fake(mode=mode) as server:
        with pytest.raises(error) as info:
            await client.call(*server.address, timeout=0.3)
    assert info.value.reason == reason


@each_client
async def test_silent_server_times_out_on_time(client: UdpClient) -> None:
    async with client.fake(mode=client.silent) as server:
        started = time.monotonic()
        with pytest.raises(client.timeout) as info:
            await client.call(*server.address, timeout=0.3)
        assert 0.25 < time.monotonic() - started < 1.0
    assert isinstance(info.value, TimeoutError)
    assert server.requests == 2  # the default: one resend within the timeout


@each_client
async def test_a_flood_of_junk_fails_fast(client: UdpClient) -> None:
    async with client.fake(stray=40) as server:
        started = time.monotonic()
        with pytest.raises(client.malformed, match=client.junk):
            await client.call(*server.address, timeout=5.0)
        assert time.monotonic() - started < 1.0


@each_client
async def test_closed_port_is_refused_at_once(client: UdpClient) -> None:
    started = time.monotonic()
    with pytest.raises(client.refused):
        await client.call("127.0.0.1", closed_udp_port(), timeout=2.0)
    assert time.monotonic() - started < 1.0


@each_client
async def test_unresolvable_name(client: UdpClient, monkeypatch: pytest.MonkeyPatch) -> None:
    names_do_not_resolve(monkeypatch)
    with pytest.raises(client.resolve, match="does not resolve"):
        await client.call("no.such.host.example", timeout=1.0)


@each_client
async def test_the_timeout_covers_name_resolution(
    client: UdpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    names_never_resolve(monkeypatch)
    started = time.monotonic()
    with pytest.raises(client.timeout):
        await client.call("slow.dns.example", timeout=0.2)
    assert time.monotonic() - started < 1.0


@each_client
def test_every_error_is_the_package_error(client: UdpClient) -> None:
    for cls in (
        client.timeout,
        client.refused,
        client.resolve,
        client.unreachable,
        client.malformed,
        client.mismatch,
    ):
        assert issubclass(cls, client.package_error)


@each_client
@pytest.mark.parametrize(
    "kwargs",
    [
        {"port": 0},
        {"port": 70000},
        {"timeout": 0},
        {"timeout": -1},
        {"attempts": 0},
        {"attempts": 9},
        {"attempts": 99},
    ],
)
async def test_bad_arguments(client: UdpClient, kwargs: dict[str, Any]) -> None:
    args: dict[str, Any] = {"port": 1234, "timeout": 1.0, **kwargs}
    with pytest.raises(ValueError):
        await client.call("127.0.0.1", **args)
