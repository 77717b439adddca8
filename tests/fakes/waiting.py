"""Waiting for state a fake or a background task changes with no event to wait on (a cache
filled, a reconnect made, a request counted): poll it, and fail the test when it takes too long.
The poller's rounds do have an event: :func:`round_heard` waits on its listener API."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.services.status.poller import Poller, RoundReport

POLL = 0.005  # seconds between looks: short next to any timeout a test gives


async def eventually(predicate: Callable[[], bool], limit: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(POLL)


async def round_heard(poller: Poller, count: int) -> RoundReport:
    """The report of round ``count`` or a later one, once the poller's listeners heard it (this
    one is added last, so those before it have run). It stays registered: a test's poller does
    not outlive the test."""
    heard: asyncio.Future[RoundReport] = asyncio.get_running_loop().create_future()

    async def listener(report: RoundReport) -> None:
        if report.number >= count and not heard.done():
            heard.set_result(report)

    poller.add_listener(listener)
    last = poller.last_report
    if last is not None and last.number >= count:
        return last  # finished before we listened (its listeners may still be running)
    return await heard
