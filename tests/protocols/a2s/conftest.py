"""A fake server running on its own loop in a thread, for the synchronous API and the CLI."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fakes.a2s_server import FakeA2SServer


class ThreadedServer:
    def __init__(self, server: FakeA2SServer) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.start())
        self._ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.server.close())
        self.loop.close()

    def __enter__(self) -> FakeA2SServer:
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("fake server did not start")
        return self.server

    def __exit__(self, *exc: object) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


@pytest.fixture
def threaded_server() -> Iterator[Any]:
    """Call with FakeA2SServer arguments; returns a started server living in a thread."""
    started: list[ThreadedServer] = []

    def start(*args: Any, **kwargs: Any) -> FakeA2SServer:
        runner = ThreadedServer(FakeA2SServer(*args, **kwargs))
        started.append(runner)
        return runner.__enter__()

    yield start
    for runner in started:
        runner.__exit__(None, None, None)
