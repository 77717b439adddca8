"""The clients' bounded event queue (drop-oldest with a counter, read as an async iterator)
and the two markers a reconnecting client puts in it. Used by the WebRCON and 7DTD clients."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import Generic, TypeVar

E = TypeVar("E")


@dataclass(frozen=True, slots=True)
class Connected:
    """The connection is up (logged in); ``reconnect`` after a loss. What the server sent
    during the gap is gone for good."""

    reconnect: bool


@dataclass(frozen=True, slots=True)
class Disconnected:
    reason: str


class EventQueue(Generic[E]):
    """At most ``limit`` events; when full the oldest goes (``dropped`` counts them), so a slow
    consumer loses old news rather than growing the bot's memory."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("the event queue holds at least one event")
        self.limit = limit
        self.dropped = 0
        self._events: deque[E] = deque()
        self._ready = asyncio.Event()
        self._finished = False

    def __len__(self) -> int:
        return len(self._events)

    def put(self, event: E) -> None:
        if len(self._events) >= self.limit:
            self._events.popleft()
            self.dropped += 1
        self._events.append(event)
        self._ready.set()

    def take_all(self) -> list[E]:
        """Every queued event, without waiting."""
        out = list(self._events)
        self._events.clear()
        return out

    def finish(self) -> None:
        """No more events: readers get what is queued, then the iteration ends."""
        self._finished = True
        self._ready.set()

    def stream(self) -> _Stream[E]:
        return _Stream(self)

    async def get(self) -> E | None:
        """The next event; None once finished and empty."""
        while not self._events:
            if self._finished:
                return None
            self._ready.clear()
            await self._ready.wait()
        return self._events.popleft()


class _Stream(Generic[E]):
    __slots__ = ("_queue",)

    def __init__(self, queue: EventQueue[E]) -> None:
        self._queue = queue

    def __aiter__(self) -> _Stream[E]:
        return self

    async def __anext__(self) -> E:
        event = await self._queue.get()
        if event is None:
            raise StopAsyncIteration
        return event
