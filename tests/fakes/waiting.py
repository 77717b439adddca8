"""Waiting for state a fake or a background task changes with no event to wait on (a cache
filled, a reconnect made, a request counted): poll it, and fail the test when it takes too long."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

POLL = 0.005  # seconds between looks: short next to any timeout a test gives


async def eventually(predicate: Callable[[], bool], limit: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(POLL)
