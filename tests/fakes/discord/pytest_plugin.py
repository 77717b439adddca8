"""Pytest fixtures for the fake Discord.

Import them in a conftest (``from tests.fakes.discord.pytest_plugin import fake_discord``).
``fake_discord`` starts a ``FakeDiscord``, points discord.py at it, and at teardown fails the
test when the bot broke any Discord rule (``fake.violations``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .fake import FakeDiscord


def format_violations(fake: FakeDiscord) -> str:
    lines = "\n".join(f"  - {v}" for v in fake.violations)
    return f"the bot broke {len(fake.violations)} Discord rule(s):\n{lines}"


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    """A running fake Discord with discord.py patched to use it; no violations allowed."""
    async with FakeDiscord() as fake:
        with fake.patched():
            yield fake
    if fake.violations:
        pytest.fail(format_violations(fake), pytrace=False)
