"""What every HTTP query adapter (FiveM, Palworld) promises on failure: a hostile or absent
server becomes the neutral ``QueryFailure`` the services act on, named with the adapter's
protocol, and never says the password. Each adapter's status and raw fields are tested in its
own file."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest

from bot.adapters.fivem import FiveMAdapter
from bot.adapters.http_query import QueryCall
from bot.adapters.palworld import PalworldAdapter
from bot.adapters.query import QueryAdapter, QueryError, QueryFailure
from tests.fakes.fivem_server import FakeFiveMServer
from tests.fakes.http_fake import HttpFake
from tests.fakes.palworld_server import FakePalworldServer

PASSWORD = "adapter-secret-pw"


@dataclass(frozen=True)
class HttpAdapter:
    """One adapter over an HTTP API, its fake server, and the password it queries with."""

    protocol: str
    adapter: Callable[[], QueryAdapter]
    fake: Callable[..., HttpFake]  # modes=... -> the protocol's fake server
    password: str | None
    default_port: int
    # (the fake's modes, the failure they must end in)
    hostile: tuple[tuple[dict[str, str], QueryFailure], ...]

    async def failure_of(self, host: str, port: int, timeout: float) -> QueryError:
        with pytest.raises(QueryError) as caught:
            await self.adapter().query(host, port, timeout=timeout, password=self.password)
        assert caught.value.protocol == self.protocol
        assert self.password is None or self.password not in caught.value.detail
        return caught.value


ADAPTERS = [
    HttpAdapter(
        protocol="fivem",
        adapter=FiveMAdapter,
        fake=FakeFiveMServer,
        password=None,
        default_port=30120,
        hostile=(
            ({"/info.json": "wrong-json"}, QueryFailure.NOT_THIS_PROTOCOL),
            ({"/info.json": "missing"}, QueryFailure.NOT_THIS_PROTOCOL),
            ({"/info.json": "redirect"}, QueryFailure.NOT_THIS_PROTOCOL),
            ({"/players.json": "huge"}, QueryFailure.NOT_THIS_PROTOCOL),
            ({"/players.json": "rate-limited"}, QueryFailure.SERVER_ERROR),
            ({"/info.json": "error"}, QueryFailure.SERVER_ERROR),
            ({"/players.json": "slow"}, QueryFailure.NO_ANSWER),
        ),
    ),
    HttpAdapter(
        protocol="palworld",
        adapter=PalworldAdapter,
        fake=partial(FakePalworldServer, password=PASSWORD),
        password=PASSWORD,
        default_port=8212,
        hostile=(
            ({"info": "html"}, QueryFailure.NOT_THIS_PROTOCOL),
            ({"metrics": "wrong-json"}, QueryFailure.NOT_THIS_PROTOCOL),
            ({"players": "huge"}, QueryFailure.NOT_THIS_PROTOCOL),
            ({"info": "redirect"}, QueryFailure.NOT_THIS_PROTOCOL),
            ({"metrics": "error"}, QueryFailure.SERVER_ERROR),
            ({"info": "echo-auth"}, QueryFailure.SERVER_ERROR),
            ({"metrics": "hang"}, QueryFailure.NO_ANSWER),
        ),
    ),
]
HOSTILE = [(case, modes, failure) for case in ADAPTERS for modes, failure in case.hostile]


def _hostile_id(value: Any) -> str:
    if isinstance(value, HttpAdapter):
        return value.protocol
    if isinstance(value, dict):
        return ",".join(f"{route}={mode}" for route, mode in value.items())
    return str(value.name).lower()


@pytest.mark.parametrize(("case", "modes", "failure"), HOSTILE, ids=_hostile_id)
async def test_protocol_errors_map_to_failures(
    case: HttpAdapter, modes: dict[str, str], failure: QueryFailure
) -> None:
    # Only the server that never finishes (a slow body, a hang) needs the short timeout; the
    # others answer at once, but reading a huge body up to its bound takes longer than 0.5 s
    # on a loaded machine.
    timeout = 0.5 if failure is QueryFailure.NO_ANSWER else 5.0
    async with case.fake(modes=modes) as server:
        error = await case.failure_of(*server.address, timeout=timeout)
    assert error.failure is failure


@pytest.mark.parametrize("case", ADAPTERS, ids=[a.protocol for a in ADAPTERS])
async def test_network_errors_map_to_failures(case: HttpAdapter) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, never listening: the connection is refused
        refused = await case.failure_of("127.0.0.1", sock.getsockname()[1], timeout=1.0)
    dns = await case.failure_of("no-such-host.invalid", case.default_port, timeout=1.0)
    assert refused.failure is QueryFailure.UNREACHABLE
    assert dns.failure is QueryFailure.DNS


def test_a_query_call_never_shows_its_password() -> None:
    # A call may be logged while it is debugged; the AdminPassword it carries must not be.
    call = QueryCall(
        session=None, host="h", port=1, remaining=1.0, players=False, password=PASSWORD
    )  # type: ignore[arg-type]
    assert PASSWORD not in repr(call) and PASSWORD not in str(call)
