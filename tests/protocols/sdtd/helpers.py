"""Shared bits of the 7DTD client tests: fast timings, waiting without fixed sleeps."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from bot.protocols.backoff import BackoffPolicy
from bot.protocols.sdtd import Event, SdtdTelnetClient, SessionConfig
from tests.fakes.sdtd_server import FakeSdtdServer

# Hundredths of seconds instead of the real defaults: the same logic, fast tests.
FAST_SESSION = SessionConfig(first_output_wait=0.3, settle=0.05, banner_wait=0.1)
FAST_BACKOFF = BackoffPolicy(initial=0.02, maximum=0.1, jitter=0.0, healthy_after=30.0)


def client_for(server: FakeSdtdServer, password: str = "secret", **kwargs: Any) -> SdtdTelnetClient:
    host, port = server.address
    options: dict[str, Any] = {"timeout": 2.0, "session": FAST_SESSION, "backoff": FAST_BACKOFF}
    options.update(kwargs)
    return SdtdTelnetClient(host, port, password, **options)


async def collect(
    client: SdtdTelnetClient,
    until: Callable[[list[Event]], bool],
    limit: float = 3.0,
) -> list[Event]:
    """Events from the client until ``until(events)`` holds."""
    seen: list[Event] = []
    async with asyncio.timeout(limit):
        async with contextlib.aclosing(client.events()) as stream:
            async for event in stream:
                seen.append(event)
                if until(seen):
                    break
    return seen


def has(kind: type, count: int = 1) -> Callable[[list[Event]], bool]:
    return lambda events: sum(isinstance(e, kind) for e in events) >= count
