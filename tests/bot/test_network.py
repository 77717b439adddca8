"""The real network adapters against the fake game servers on loopback."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from bot.adapters.registry import default_query_adapters
from bot.games import RconKind
from bot.services.servers.network import AdapterQueryClient, rcon_login_test
from bot.services.servers.probes import LoginStatus, QueryError, QueryFailure
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec
from tests.fakes.battleye_server import FakeBattlEyeServer
from tests.fakes.rcon_server import FakeRCONServer


@pytest.fixture
def silent_udp_port() -> Iterator[int]:
    """A bound UDP port that never answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


def closed_tcp_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port


async def test_a2s_info() -> None:
    info = InfoSpec(server_name="Fake EU", map_name="chernarusplus", player_count=7, max_players=60)
    async with FakeA2SServer(info=info) as server:
        answer = await AdapterQueryClient(default_query_adapters()).info(
            *server.address, timeout=2.0
        )
    assert (answer.name, answer.map, answer.players, answer.max_players) == (
        "Fake EU",
        "chernarusplus",
        7,
        60,
    )
    assert answer.port == server.address[1]
    assert 0 <= answer.ping_ms < 2000


async def test_a2s_silence_is_no_answer(silent_udp_port: int) -> None:
    with pytest.raises(QueryError) as info:
        await AdapterQueryClient(default_query_adapters()).info(
            "127.0.0.1", silent_udp_port, timeout=0.3
        )
    assert info.value.failure in (QueryFailure.NO_ANSWER, QueryFailure.UNREACHABLE)


async def test_a2s_bad_host_is_dns_failure() -> None:
    with pytest.raises(QueryError) as info:
        await AdapterQueryClient(default_query_adapters()).info(
            "no-such-host.invalid", 27015, timeout=1.0
        )
    assert info.value.failure is QueryFailure.DNS


@pytest.mark.parametrize(
    ("game", "below"),
    [
        ("arma3", 1),  # within the ±10 window around the game port
        ("pavlov", 400),  # Pavlov's query port is the game port + 400 (catalogue)
    ],
)
async def test_find_query_port(game: str, below: int) -> None:
    async with FakeA2SServer() as server:
        host, port = server.address
        found = await AdapterQueryClient(
            default_query_adapters(), probe_timeout=0.5
        ).find_query_port(host, port - below, game)
    assert found == port


async def _right_then_wrong(kind: RconKind, address: tuple[str, int]) -> list[LoginStatus]:
    """The outcomes of a login test to ``address`` with the password "secret", then with a
    wrong one."""
    host, port = address
    return [
        (await rcon_login_test(kind, host, port, password, timeout=2.0)).status
        for password in ("secret", "wrong")
    ]


async def test_source_login_outcomes() -> None:
    async with FakeRCONServer(password="secret", max_failed_auth=5) as server:
        outcomes = await _right_then_wrong(RconKind.SOURCE, server.address)
    assert outcomes == [LoginStatus.OK, LoginStatus.REFUSED]
    closed = await rcon_login_test(
        RconKind.SOURCE, "127.0.0.1", closed_tcp_port(), "secret", timeout=1.0
    )
    assert closed.status is LoginStatus.UNREACHABLE


async def test_source_login_after_ip_ban_is_a_dropped_login() -> None:
    # srcds drops a banned IP at login: said as such, not as a refused password.
    async with FakeRCONServer(password="secret", max_failed_auth=1) as server:
        host, port = server.address
        await rcon_login_test(RconKind.SOURCE, host, port, "wrong", timeout=2.0)
        banned = await rcon_login_test(RconKind.SOURCE, host, port, "secret", timeout=2.0)
    assert banned.status is LoginStatus.DROPPED


async def test_battleye_login_outcomes(silent_udp_port: int) -> None:
    async with FakeBattlEyeServer("secret") as server:
        outcomes = await _right_then_wrong(RconKind.BATTLEYE, server.address)
    assert outcomes == [LoginStatus.OK, LoginStatus.REFUSED]
    silent = await rcon_login_test(
        RconKind.BATTLEYE, "127.0.0.1", silent_udp_port, "secret", timeout=0.4
    )
    assert silent.status is LoginStatus.NO_ANSWER


async def test_no_rcon_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="no login"):
        await rcon_login_test(RconKind.NONE, "127.0.0.1", 1, "x", timeout=0.1)
