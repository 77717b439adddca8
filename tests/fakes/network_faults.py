"""Network failures a test can stage on loopback without a real network: a UDP port nobody
listens on (the kernel answers ICMP port unreachable), a resolver that fails or hangs (no real
DNS in tests: the running loop's ``getaddrinfo`` is replaced), a TCP listener that never
answers, an HTTP server that is not the one the client looks for, and a resolver that refuses
every address."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

from bot.adapters.admin import AddressNotAllowed

TcpHandler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def closed_udp_port() -> int:
    """A loopback UDP port that was free a moment ago and is closed now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def names_do_not_resolve(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every lookup on the running loop fails the way an unknown name does."""

    async def fail(*args: Any, **kwargs: Any) -> Any:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", fail)


def names_never_resolve(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every lookup on the running loop hangs (a resolver that never answers)."""

    async def hang(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(10)

    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", hang)


@asynccontextmanager
async def tcp_script(handle: TcpHandler) -> AsyncIterator[int]:
    """The port of a loopback TCP server that runs ``handle`` on every connection (a peer a
    test scripts byte by byte: a desynchronised stream, a wrong protocol, an endless answer)."""
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        server.close()
        await server.wait_closed()


def silent_tcp() -> AbstractAsyncContextManager[int]:
    """The port of a TCP listener that accepts and never says a word."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    return tcp_script(hold)


@asynccontextmanager
async def http_status_site(status: int) -> AsyncIterator[int]:
    """The port of an HTTP server answering every GET with ``status`` (some other web server)."""

    async def answer(request: web.Request) -> web.Response:
        return web.Response(status=status, text="no")

    app = web.Application()
    app.router.add_get("/{tail:.*}", answer)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    assert site._server is not None
    try:
        yield int(site._server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]
    finally:
        await runner.cleanup()


async def refuse_address(host: str) -> str:
    """An admin target's ``resolve`` under which every host is a refused (private) address."""
    raise AddressNotAllowed("internal addresses are refused")
