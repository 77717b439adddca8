"""The admin password (and its Basic token) never shows: not in errors, chains, reprs or logs."""

from __future__ import annotations

import asyncio
import base64
import logging
import socket
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from bot.protocols.palworld import PalworldClient, PalworldError
from tests.fakes.network_faults import tcp_script
from tests.fakes.palworld_server import FakePalworldServer
from tests.protocols.leaks import record_texts

PASSWORD = "Hunter2-very-secret"
TOKEN = base64.b64encode(f"admin:{PASSWORD}".encode()).decode()
SECRETS = (PASSWORD, TOKEN)


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def assert_error_clean(error: BaseException) -> None:
    """The error, everything chained to it and its printed traceback hold no secret."""
    seen: set[int] = set()
    pending: list[BaseException] = [error]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        assert_clean(str(current))
        assert_clean(repr(current))
        assert_clean(repr(current.args))
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                pending.append(linked)
    assert_clean("".join(traceback.format_exception(error)))


@asynccontextmanager
async def raw_server(answer: bytes) -> AsyncIterator[int]:
    """A TCP server that sends ``answer`` to whatever it is asked, then closes."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(4096)
        writer.write(answer)
        await writer.drain()
        writer.close()

    async with tcp_script(handle) as port:
        yield port


Call = Callable[[PalworldClient], Awaitable[object]]
CALLS: list[tuple[str, Call]] = [
    ("info", lambda c: c.info()),
    ("status", lambda c: c.status()),
    ("kick", lambda c: c.kick("steam_1", "bye")),
    ("shutdown", lambda c: c.shutdown(10, "bye")),
]


async def _failure(client: PalworldClient, call: Call) -> PalworldError:
    try:
        await call(client)
    except PalworldError as exc:
        return exc
    raise AssertionError("the call succeeded")


@pytest.fixture(autouse=True)
def _everything_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # aiohttp's loggers and ours, at every level


@pytest.fixture(autouse=True)
def _no_record_holds_a_secret(caplog: pytest.LogCaptureFixture) -> object:
    yield
    for text in record_texts(caplog):
        assert_clean(text)


def test_client_repr() -> None:
    client = PalworldClient("127.0.0.1", password=PASSWORD)
    assert_clean(repr(client))
    assert_clean(str(vars(client).get("host")))


@pytest.mark.parametrize(("name", "call"), CALLS)
async def test_wrong_password_and_hostile_answers(name: str, call: Call) -> None:
    async with FakePalworldServer(password="other") as server:
        client = PalworldClient(*server.address, password=PASSWORD, timeout=2)
        assert_error_clean(await _failure(client, call))  # 401
        server.password = PASSWORD
        server.modes = {route: "echo-auth" for route in ("info", "kick", "shutdown")}
        # A server that repeats the header and the password in its error text.
        assert_error_clean(await _failure(client, call))
        server.modes = {route: "hang" for route in ("info", "kick", "shutdown")}
        client.timeout = 0.2
        assert_error_clean(await _failure(client, call))  # timeout
        server.modes = {route: "huge" for route in ("info", "metrics", "players")}
        if name in ("info", "status"):
            client.timeout = 5
            assert_error_clean(await _failure(client, call))  # body too large


@pytest.mark.parametrize(
    "answer",
    [
        b"garbage\r\n\r\n",  # aiohttp: ClientResponseError, whose repr holds the headers
        b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{}",  # payload shorter than declared
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",  # broken chunking
        b"HTTP/1.1 500 Oops\r\nX: " + b"a" * 20_000 + b"\r\n\r\n",  # header past the bound
        b"",  # closed without an answer
    ],
)
async def test_broken_http_wraps_aiohttp_errors(answer: bytes) -> None:
    async with raw_server(answer) as port:
        client = PalworldClient("127.0.0.1", port, password=PASSWORD, timeout=2)
        for _, call in CALLS:
            assert_error_clean(await _failure(client, call))


async def test_unreachable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        client = PalworldClient("127.0.0.1", sock.getsockname()[1], password=PASSWORD)
        for _, call in CALLS:
            assert_error_clean(await _failure(client, call))


async def test_successful_calls_log_nothing_secret(caplog: pytest.LogCaptureFixture) -> None:
    async with FakePalworldServer(password=PASSWORD) as server:
        client = PalworldClient(*server.address, password=PASSWORD, timeout=2)
        await client.status()
        await client.announce("hi")
        await client.ban("steam_1", "x")
    assert any("palworld" in r.getMessage() for r in caplog.records)  # something was logged
