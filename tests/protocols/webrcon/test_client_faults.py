"""The client against hostile and failing servers: auth, restarts, silence, garbage."""

from __future__ import annotations

import asyncio
import gc

import pytest

from bot.protocols.webrcon import (
    ClientState,
    Connected,
    Disconnected,
    NotWebRcon,
    WebRconAuthError,
    WebRconClient,
    WebRconClosed,
    WebRconRefused,
    WebRconTimeout,
    WebRconUpgradeClosed,
)
from tests.fakes.network_faults import http_status_site, silent_tcp
from tests.fakes.webrcon_server import RAW_CLOSE_FRAME, FakeWebRconServer

from .helpers import FAST_BACKOFF, client_for, next_event, reconnected


async def test_fake_refuses_a_wrong_password_with_rusts_bare_close_frame() -> None:
    async with FakeWebRconServer(password="right") as server:
        reader, writer = await asyncio.open_connection(*server.address)
        writer.write(
            b"GET /wrong HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        assert await asyncio.wait_for(reader.read(), 2.0) == RAW_CLOSE_FRAME
        writer.close()


async def test_wrong_password_is_an_auth_error_and_not_retried() -> None:
    async with FakeWebRconServer(password="right") as server:
        client = client_for(server, password="wrong")
        with pytest.raises(WebRconAuthError, match="refused the RCON password") as caught:
            await client.start()
        assert not isinstance(caught.value, WebRconUpgradeClosed)
        assert client.state is ClientState.AUTH_FAILED
        await asyncio.sleep(0.2)
        assert server.connections_made == 1 and server.refused == 1
        with pytest.raises(WebRconAuthError):
            await client.command("status")
        assert [e async for e in client.events()] == []


async def test_password_changed_during_a_session_stops_after_auth_retries() -> None:
    async with FakeWebRconServer(password="old") as server:
        client = client_for(server, auth_retries=2)
        await client.start()
        await server.restart(password="new")
        await asyncio.wait_for(client._runner, 3.0)  # type: ignore[arg-type]
        assert server.refused == 3  # the first refusal and two retries, then no more
        assert client.state is ClientState.AUTH_FAILED
        await asyncio.sleep(0.2)
        assert server.refused == 3
        with pytest.raises(WebRconAuthError):
            await client.command("status")
        await client.close()
        assert client.state is ClientState.AUTH_FAILED


async def test_reconnects_after_the_server_restarts() -> None:
    async with FakeWebRconServer() as server, client_for(server) as client:
        assert await next_event(client, Connected) == Connected(reconnect=False)
        waiting = asyncio.ensure_future(client.command("silent x", timeout=5))
        await asyncio.sleep(0.02)
        await server.restart(downtime=0.2)
        with pytest.raises(WebRconClosed):
            await waiting
        lost = await next_event(client, Disconnected)
        assert "closed the connection" in lost.reason
        with pytest.raises(WebRconClosed, match="reconnecting"):
            await client.command("echo now")
        assert await next_event(client, Connected, timeout=3.0) == Connected(reconnect=True)
        assert await client.command("echo back") == "back"
        assert client.reconnects == 1 and server.connections_made >= 2


async def test_keepalive_detects_a_silent_server_within_its_bound() -> None:
    interval, timeout = 0.1, 0.2
    async with FakeWebRconServer() as server:
        client = client_for(server, keepalive_interval=interval, keepalive_timeout=timeout)
        async with client:
            await asyncio.sleep(0.15)
            assert server.received == ["serverinfo"]  # the keep-alive went out and was answered
            loop = asyncio.get_running_loop()
            server.mode = "silent"
            went_silent = loop.time()
            lost = await next_event(client, Disconnected, timeout=3.0)
            detected_after = loop.time() - went_silent
            assert "keep-alive unanswered" in lost.reason
            # Margin for a loaded 2-core machine; the keep-alive itself needs interval + timeout.
            assert detected_after <= interval + timeout + 0.5
            server.mode = "normal"
            await reconnected(client)
            assert await client.command("echo alive") == "alive"


async def test_a_giant_message_closes_the_connection_and_memory_stays_bounded() -> None:
    async with FakeWebRconServer(mode="giant", giant_bytes=200_000) as server:
        async with client_for(server, max_message_bytes=64 * 1024) as client:
            with pytest.raises(NotWebRcon, match="over 65536 bytes"):
                await client.command("echo x")
            server.mode = "normal"
            await reconnected(client)
            assert await client.command("echo ok") == "ok"


@pytest.mark.parametrize(("mode", "match"), [("non_json", "not JSON"), ("binary", "binary frame")])
async def test_garbage_answers_are_not_webrcon(mode: str, match: str) -> None:
    async with FakeWebRconServer(mode=mode) as server, client_for(server) as client:
        with pytest.raises(NotWebRcon, match=match):
            await client.command("echo x")
        lost = await next_event(client, Disconnected)
        assert match in lost.reason


async def test_wrong_identifiers_time_out_and_are_counted() -> None:
    async with FakeWebRconServer(mode="wrong_ids") as server, client_for(server) as client:
        with pytest.raises(WebRconTimeout):
            await client.command("echo x", timeout=0.2)
        assert client.stats.protocol.unmatched == 1
        assert client.connected


async def test_close_during_the_upgrade_is_an_auth_error_saying_it_may_be_the_port() -> None:
    async with FakeWebRconServer(mode="close_on_connect") as server:
        # A subclass of the auth error, so a login test can say "dropped", not "refused".
        with pytest.raises(WebRconUpgradeClosed, match=r"rcon\.web 0"):
            await client_for(server).start()
        assert server.connections_made == 1


async def test_nobody_listening_is_refused() -> None:
    server = FakeWebRconServer()
    await server.start()
    address = server.address
    await server.stop()
    with pytest.raises(WebRconRefused, match="cannot connect"):
        await WebRconClient(*address, "pw", timeout=1.0).start()


async def test_a_server_that_never_answers_the_upgrade_times_out_within_timeout() -> None:
    loop = asyncio.get_running_loop()
    async with silent_tcp() as port:
        started = loop.time()
        with pytest.raises(WebRconTimeout):
            await WebRconClient("127.0.0.1", port, "pw", timeout=0.3).start()
        assert loop.time() - started < 1.0


@pytest.mark.parametrize(
    ("status", "error", "match"),
    [
        (404, NotWebRcon, "HTTP 404 instead"),
        (200, NotWebRcon, "HTTP 200"),
        (401, WebRconAuthError, "401"),
    ],
)
async def test_an_http_server_that_is_not_webrcon(
    status: int, error: type[Exception], match: str
) -> None:
    async with http_status_site(status) as port:
        with pytest.raises(error, match=match):
            await WebRconClient("127.0.0.1", port, "pw", timeout=1.0, backoff=FAST_BACKOFF).start()


async def test_a_loss_during_allow_empty_leaves_no_unretrieved_future() -> None:
    # The loss fails the command and its probe together; neither may reach the loop's
    # "Future exception was never retrieved" log once collected.
    reported: list[dict[str, object]] = []
    gc.collect()  # earlier tests' garbage is not this test's business
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: reported.append(context))
    try:
        async with FakeWebRconServer(mode="non_json") as server, client_for(server) as client:
            with pytest.raises(NotWebRcon):
                await client.command("echo x", allow_empty=True)
        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    assert not [c for c in reported if "never retrieved" in str(c.get("message"))]
