"""Listeners the admin adapter tests register beside plain ones: one with a bug (the session
must log it and keep delivering to the others) and one that is a coroutine function (the
session must run it, not drop the coroutine it returns)."""

from __future__ import annotations

import asyncio
from typing import Generic, TypeVar

T = TypeVar("T")


def broken_listener(event: object) -> None:
    raise ValueError("a listener bug")


class AwaitedListener(Generic[T]):
    """Keeps each event after an ``await``: a listener whose coroutine is dropped keeps none."""

    def __init__(self) -> None:
        self.events: list[T] = []

    async def __call__(self, event: T) -> None:
        await asyncio.sleep(0)
        self.events.append(event)
