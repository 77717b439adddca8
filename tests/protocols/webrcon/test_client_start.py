"""Starting in the background, waiting for the connection, resolving each attempt."""

from __future__ import annotations

import asyncio

import pytest

from bot.protocols.webrcon import (
    ClientState,
    Connected,
    WebRconAuthError,
    WebRconClient,
    WebRconClosed,
    WebRconRefused,
)
from tests.fakes.webrcon_server import FakeWebRconServer

from .helpers import FAST_BACKOFF, client_for, next_event, reconnected


async def test_background_start_waits_out_a_server_that_is_down() -> None:
    server = FakeWebRconServer()
    await server.start()
    await server.stop()
    client = client_for(server)
    await client.start(wait=False)
    assert client.state is ClientState.CONNECTING
    with pytest.raises(WebRconClosed, match="reconnecting"):
        await client.command("echo x")
    await asyncio.sleep(0.1)  # a few refused attempts
    await server.start()  # same port
    try:
        await asyncio.wait_for(client.wait_connected(), 2.0)
        assert await next_event(client, Connected) == Connected(reconnect=False)
        assert await client.command("echo up") == "up"
        assert client.reconnects == 0
    finally:
        await client.close()
        await server.stop()


async def test_background_start_with_a_wrong_password_gives_up_at_once() -> None:
    async with FakeWebRconServer(password="right") as server:
        client = client_for(server, password="wrong", auth_retries=5)
        await client.start(wait=False)
        with pytest.raises(WebRconAuthError):
            await asyncio.wait_for(client.wait_connected(), 2.0)
        assert client.state is ClientState.AUTH_FAILED
        await asyncio.sleep(0.2)
        assert server.refused == 1  # the password never worked: not retried at all
        await client.close()


async def test_wait_connected_on_a_client_not_started_or_closed() -> None:
    client = WebRconClient("127.0.0.1", 1, "pw")
    with pytest.raises(WebRconClosed, match="not started"):
        await client.wait_connected()
    await client.close()
    with pytest.raises(WebRconClosed, match="closed"):
        await client.wait_connected()


async def test_every_attempt_connects_to_what_the_resolver_says() -> None:
    asked: list[str] = []

    async def resolve(host: str) -> str:
        asked.append(host)
        return "127.0.0.1"

    async with FakeWebRconServer() as server:
        client = WebRconClient(
            "rust.example", server.port, server.password, timeout=1.0,
            backoff=FAST_BACKOFF, reconnect_delay=0.01, resolve=resolve,
        )  # fmt: skip
        async with client:
            await server.restart()
            await reconnected(client)
            assert await client.command("echo via resolver") == "via resolver"
        assert asked[:2] == ["rust.example", "rust.example"]
        assert repr(client) == f"<WebRconClient rust.example:{server.port} closed>"


async def test_a_resolver_refusal_is_refused_with_its_own_words() -> None:
    async def refuse(host: str) -> str:
        raise OSError(f"{host} resolves to an internal address, which is not allowed here")

    client = WebRconClient("intranet.example", 28016, "pw", timeout=1.0, resolve=refuse)
    with pytest.raises(WebRconRefused, match="internal address"):
        await client.start()
