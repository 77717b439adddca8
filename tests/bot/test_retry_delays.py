"""The services' retry delays, pinned: each is a jitter-free step of one BackoffPolicy, and
moving them onto it changed no wait (first delay, doubling, cap, numbering of attempts)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import pytest

from bot.services.audit import MIRROR_RETRIES, AuditMirror, MirrorItem, MirrorRetry
from bot.services.bans.sending import retry_after
from bot.services.feed.outbox import Outbox
from bot.services.feed.queue import Batch, Item
from bot.services.feed.sender import ChannelSender, Outcome
from bot.services.feed.service import INGEST_BACKOFF
from bot.services.status.alerts import AlertNotifier
from bot.services.supervisor import Supervisor
from tests.bot.test_audit_mirror import entry
from tests.protocols.battleye.helpers import eventually

REAL_SLEEP = asyncio.sleep


@pytest.fixture
def slept(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """asyncio.sleep recorded, and only yielding: the waits are checked, not waited."""
    waits: list[float] = []

    async def fake_sleep(delay: float, result: Any = None) -> Any:
        waits.append(delay)
        await REAL_SLEEP(0)
        return result

    monkeypatch.setattr(asyncio, "sleep", fake_sleep)
    return waits


def test_ban_retries_double_from_30_s_or_5_min_up_to_an_hour() -> None:
    tries = range(9)
    assert [retry_after(n, False) for n in tries] == [
        30.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 3600.0, 3600.0
    ]  # fmt: skip
    assert [retry_after(n, True) for n in range(6)] == [
        300.0, 600.0, 1200.0, 2400.0, 3600.0, 3600.0
    ]  # fmt: skip


async def test_mirror_retries_double_from_the_gap() -> None:
    async def refuse(guild_id: int, items: Sequence[MirrorItem]) -> tuple[int, bool]:
        raise MirrorRetry("HTTP 429")

    mirror = AuditMirror(refuse, gap=0.5)
    assert [mirror.retry_gap(n) for n in range(MIRROR_RETRIES)] == [0.5, 1.0, 2.0]

    asked: list[int] = []
    mirror = AuditMirror(refuse, gap=0.0)
    real = mirror.retry_gap
    mirror.retry_gap = lambda n: asked.append(n) or real(n)  # type: ignore[method-assign]
    worker = asyncio.create_task(mirror.run())
    try:
        mirror.offer(entry(1))
        await eventually(lambda: mirror.dropped == 1)
    finally:
        worker.cancel()
    # Two failures into the batch, then given up on (the next batch waits one gap).
    assert asked[:MIRROR_RETRIES] == [1, 2, 0]


async def test_supervisor_restarts_double_from_initial_to_max(slept: list[float]) -> None:
    calls = 0

    async def service() -> None:
        nonlocal calls
        calls += 1
        if calls <= 5:
            raise OSError("database is locked")

    await Supervisor(backoff_initial=1.0, backoff_max=8.0).run("feed", service)
    assert slept == [1.0, 2.0, 4.0, 8.0, 8.0]


def test_alert_retries_double_from_backoff_initial_up_to_two_minutes() -> None:
    def delays(initial: float, count: int) -> list[float]:
        notifier = SimpleNamespace(backoff_initial=initial)
        return [AlertNotifier.retry_delay(notifier, n) for n in range(1, count + 1)]  # type: ignore[arg-type]

    assert delays(2.0, 8) == [2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 120.0, 120.0]
    assert delays(50.0, 3) == [50.0, 100.0, 120.0]
    assert delays(500.0, 2) == [120.0, 120.0]


def test_feed_ingest_retries_double_from_0_2_s_up_to_30_s() -> None:
    assert [INGEST_BACKOFF.step(n) for n in range(1, 11)] == [
        0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30.0, 30.0
    ]  # fmt: skip


async def test_feed_cursor_writes_retry_from_0_2_s_up_to_30_s(slept: list[float]) -> None:
    failures = 10

    async def delete(key: str) -> None:
        return None

    outbox = Outbox(None, SimpleNamespace(state=SimpleNamespace(delete=delete)))  # type: ignore[arg-type]

    async def advance(batch: Batch) -> None:
        nonlocal failures
        if failures:
            failures -= 1
            raise OSError("database is locked")

    outbox._advance = advance  # type: ignore[method-assign]
    await outbox._settle(7, Batch((), 0, {}))
    assert slept == [0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30.0, 30.0]


async def test_feed_sends_retry_from_two_windows_up_to_a_minute(slept: list[float]) -> None:
    outcomes = [Outcome.RETRY] * 4 + [Outcome.SENT]
    done = asyncio.Event()

    async def deliver(channel_id: int, batch: Batch) -> Outcome:
        outcome = outcomes.pop(0)
        if not outcomes:
            done.set()
        return outcome

    # No window: the only sleeps are the retries' (from the 50 ms floor).
    sender = ChannelSender(7, deliver, window=0.0, limit=100)
    sender.start()
    sender.push(Item(("feed", 1), 1, "line 1"))
    async with asyncio.timeout(5):
        await done.wait()
    await sender.stop()
    assert slept == [0.1, 0.2, 0.4, 0.8]
    sender.window = 1.0
    assert [sender.retry_delay(n) for n in range(1, 8)] == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0]
    sender.window = 100.0
    assert sender.retry_delay(1) == 60.0
