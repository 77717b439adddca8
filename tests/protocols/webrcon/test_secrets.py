"""The password is the URL path: it must never show in logs, errors, reprs or tracebacks."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.protocols.webrcon import WebRconClient, WebRconError
from tests.fakes.webrcon_server import FakeWebRconServer
from tests.protocols.leaks import every_text, logged_texts

from .helpers import client_for, reconnected

TOKEN = "PW7f3aXq"  # in every spelling of the password: raw, percent-encoded, in a URL
PASSWORD = f"{TOKEN} sp#ce/é%"


async def collect(awaitable: object, errors: list[BaseException]) -> None:
    try:
        await awaitable  # type: ignore[misc]
    except WebRconError as exc:
        errors.append(exc)


async def test_password_never_in_logs_errors_or_reprs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    async with FakeWebRconServer(password=PASSWORD) as server:
        # Connected with a password that needs percent-encoding: the fake decodes the path.
        client = client_for(
            server, keepalive_interval=0.05, keepalive_timeout=0.1, max_message_bytes=65536
        )
        async with client:
            assert await client.command("echo ok") == "ok"
            texts = [repr(client), repr(vars(client)), repr(client.stats)]
            await collect(client.command("silent x", timeout=0.05), errors)
            for mode in ("non_json", "binary", "giant", "silent"):
                server.mode = mode
                await collect(client.command("echo x", timeout=0.3), errors)
                server.mode = "normal"
                await reconnected(client)
            await server.restart(password="other")
            await asyncio.sleep(0.3)
            await collect(client.command("echo x"), errors)  # gave up: the auth error
        await collect(client.command("echo x"), errors)
        # Refusals at start: a wrong password, the close-on-connect variant.
        await collect(client_for(server, password=PASSWORD + "x").start(), errors)
        server.mode = "close_on_connect"
        await collect(client_for(server).start(), errors)
        host, port = server.address
    await collect(WebRconClient(host, port, PASSWORD, timeout=0.5).start(), errors)
    kinds = {type(e).__name__ for e in errors}
    assert kinds >= {
        "WebRconTimeout",
        "NotWebRcon",
        "WebRconAuthError",
        "WebRconClosed",
        "WebRconRefused",
    }
    texts += [every_text(e) for e in errors] + logged_texts(caplog)
    for text in texts:
        assert TOKEN not in text
    assert "connection lost" in caplog.text  # the log did say what happened
