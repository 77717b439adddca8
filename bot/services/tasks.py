"""Work a service starts beside its own (a send, a kick, a backfill) and does not await there.

asyncio keeps only a weak reference to a running task: one nobody holds may be collected before
it ends. A :class:`TaskSet` holds each task until it is done, and lets the service wait for what
it started (tests and tools: "until idle") or cancel it when it stops.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class TaskSet(Generic[T]):
    def __init__(self) -> None:
        self._held: set[asyncio.Future[T]] = set()

    def start(self, work: Coroutine[Any, Any, T], name: str | None = None) -> asyncio.Task[T]:
        """Run ``work`` as a task of its own, held until it is done."""
        task = asyncio.create_task(work, name=name)
        self.hold(task)
        return task

    def hold(self, future: asyncio.Future[T]) -> None:
        """Hold a task started elsewhere (one that outlived the wait for it) until it is done."""
        self._held.add(future)
        future.add_done_callback(self._held.discard)

    def __len__(self) -> int:
        return len(self._held)

    def __iter__(self) -> Iterator[asyncio.Future[T]]:
        return iter(list(self._held))

    def cancel(self) -> None:
        """Cancel every task held (they end at their next await)."""
        for future in list(self._held):
            future.cancel()

    async def wait_idle(self) -> None:
        """Until every task has ended, those started meanwhile too; their errors are theirs to
        log, not raised here."""
        while self._held:
            await asyncio.gather(*list(self._held), return_exceptions=True)

    async def close(self) -> None:
        """Cancel every task held and wait until they have ended; one started meanwhile (by a
        task as it ended) is cancelled too, so closing never waits on new work."""
        while self._held:
            self.cancel()
            await asyncio.gather(*list(self._held), return_exceptions=True)
