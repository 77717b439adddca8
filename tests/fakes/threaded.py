"""A fake on its own event loop in a thread, for code under test that runs its own loop (the
synchronous wrappers, the CLI): ``with Threaded(fake) as fake:``, or the ``threaded`` helper
below, which stops every fake it started when the test ends."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

F = TypeVar("F")


class Threaded:
    """Any async-context-manager fake, entered and exited on the thread's loop."""

    def __init__(self, fake: Any) -> None:
        self.fake = fake
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.fake.__aenter__())
        self._ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.fake.__aexit__(None, None, None))
        self.loop.close()

    def __enter__(self) -> Any:
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("fake did not start")
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


@contextmanager
def threaded_fakes() -> Iterator[Callable[[F], F]]:
    """Yields ``start(fake) -> fake``; every fake started is stopped on exit."""
    running: list[Threaded] = []

    def start(fake: F) -> F:
        runner = Threaded(fake)
        running.append(runner)
        started: F = runner.__enter__()
        return started

    try:
        yield start
    finally:
        for runner in running:
            runner.__exit__()
