"""The A2S fake on its own loop in a thread, for the synchronous API and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.fakes.a2s_server import FakeA2SServer
from tests.fakes.threaded import threaded_fakes


@pytest.fixture
def threaded_server() -> Iterator[Callable[..., FakeA2SServer]]:
    """Call with FakeA2SServer arguments; returns a started server living in a thread."""
    with threaded_fakes() as start:

        def start_a2s(*args: Any, **kwargs: Any) -> FakeA2SServer:
            return start(FakeA2SServer(*args, **kwargs))

        yield start_a2s
