"""Shared bits of the WebRCON client tests: fast timings."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.protocols.backoff import BackoffPolicy
from bot.protocols.webrcon import ClientEvent, Connected, WebRconClient
from tests.fakes.webrcon_server import FakeWebRconServer

# Hundredths of seconds instead of seconds: the same logic, fast tests.
FAST_BACKOFF = BackoffPolicy(initial=0.02, maximum=0.1, jitter=0.0, healthy_after=5.0)


def client_for(
    server: FakeWebRconServer, password: str | None = None, **options: Any
) -> WebRconClient:
    settings: dict[str, Any] = {
        "timeout": 1.0,
        "keepalive_interval": 10.0,
        "backoff": FAST_BACKOFF,
        "reconnect_delay": 0.02,
    }
    settings.update(options)
    host, port = server.address
    return WebRconClient(host, port, server.password if password is None else password, **settings)


async def next_event(client: WebRconClient, kind: type[Any], timeout: float = 2.0) -> Any:
    """The next event of ``kind`` (others are skipped)."""
    async with asyncio.timeout(timeout):
        async for event in client.events():
            if isinstance(event, kind):
                return event
    raise AssertionError(f"events ended before a {kind.__name__}")


def drain(client: WebRconClient) -> list[ClientEvent]:
    """Every event queued right now."""
    return client._queue.take_all()


async def reconnected(client: WebRconClient, timeout: float = 3.0) -> None:
    """Wait for the next ``Connected(reconnect=True)``."""
    async with asyncio.timeout(timeout):
        while not (await next_event(client, Connected, timeout)).reconnect:
            pass
