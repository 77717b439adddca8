"""The channel delivery loop: one message per window, retries kept in order, graceful stop."""

from __future__ import annotations

import asyncio

from bot.services.feed.queue import Batch, Item
from bot.services.feed.sender import ChannelSender, Deliver, Outcome


def item(n: int) -> Item:
    return Item(("feed", 1), n, f"line {n}")


def running_sender(deliver: Deliver, *events: int) -> ChannelSender:
    """A sender with a short window, running, with ``events`` pushed in that order."""
    sender = ChannelSender(7, deliver, window=0.01, limit=100)
    sender.start()
    for n in events:
        sender.push(item(n))
    return sender


async def test_a_burst_inside_the_window_is_one_message() -> None:
    sent: list[Batch] = []
    idle = asyncio.Event()

    async def deliver(channel_id: int, batch: Batch) -> Outcome:
        sent.append(batch)
        return Outcome.SENT

    sender = ChannelSender(7, deliver, window=0.05, limit=100, on_idle=idle.set)
    sender.start()
    for n in range(1, 31):
        sender.push(item(n))
    idle.clear()
    async with asyncio.timeout(5):
        await idle.wait()
    await sender.stop()
    assert len(sent) == 1 and [i.event_id for i in sent[0].items] == list(range(1, 31))
    assert sender.messages == 1 and sender.idle


async def test_transient_failures_are_retried_without_reordering() -> None:
    outcomes = [Outcome.RETRY, Outcome.RETRY]
    sent: list[list[int]] = []
    done = asyncio.Event()

    async def deliver(channel_id: int, batch: Batch) -> Outcome:
        if outcomes:
            return outcomes.pop(0)
        sent.append([i.event_id for i in batch.items])
        done.set()
        return Outcome.SENT

    sender = running_sender(deliver, 1, 2, 3)
    async with asyncio.timeout(5):
        await done.wait()
    await sender.stop()
    assert sent[0][:3] == [1, 2, 3]


async def test_an_exception_counts_as_transient() -> None:
    calls = 0
    done = asyncio.Event()

    async def deliver(channel_id: int, batch: Batch) -> Outcome:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("boom")
        done.set()
        return Outcome.SENT

    sender = running_sender(deliver, 1)
    async with asyncio.timeout(5):
        await done.wait()
    await sender.stop()
    assert calls == 2


async def test_stop_lets_the_message_in_flight_finish() -> None:
    started = asyncio.Event()
    release = asyncio.Event()
    finished: list[int] = []

    async def deliver(channel_id: int, batch: Batch) -> Outcome:
        started.set()
        await release.wait()
        finished.append(len(batch.items))
        return Outcome.SENT

    sender = running_sender(deliver, 1)
    async with asyncio.timeout(5):
        await started.wait()
    sender.push(item(2))  # arrives during the send: not started once closing
    stopping = asyncio.create_task(sender.stop(grace=5.0))
    await asyncio.sleep(0)
    release.set()
    async with asyncio.timeout(5):
        await stopping
    assert finished == [1]
    assert len(sender.queue) == 1


async def test_a_failed_batch_is_retried_as_it_was_not_regrown() -> None:
    # A batch that grew on retry would carry another nonce: if Discord had accepted the first
    # attempt, its lines would show twice.
    attempts: list[list[int]] = []
    done = asyncio.Event()

    async def deliver(channel_id: int, batch: Batch) -> Outcome:
        attempts.append([i.event_id for i in batch.items])
        if len(attempts) == 1:
            sender.push(item(3))
            sender.push(item(4))
            return Outcome.RETRY
        if len(attempts) == 3:
            done.set()
        return Outcome.SENT

    sender = running_sender(deliver, 1, 2)
    async with asyncio.timeout(5):
        await done.wait()
    await sender.stop()
    assert attempts == [[1, 2], [1, 2], [3, 4]]


async def test_a_resumed_batch_goes_first_with_its_nonce() -> None:
    sent: list[tuple[list[int], str | None]] = []
    idle = asyncio.Event()

    async def deliver(channel_id: int, batch: Batch) -> Outcome:
        sent.append(([i.event_id for i in batch.items], batch.nonce))
        return Outcome.SENT

    sender = ChannelSender(7, deliver, window=0.01, limit=100, on_idle=idle.set)
    sender.push(item(3))
    sender.resume(Batch((item(1), item(2)), 0, {("feed", 1): 2}, "ofrecorded"))
    idle.clear()
    sender.start()
    async with asyncio.timeout(5):
        await idle.wait()
    await sender.stop()
    assert sent == [([1, 2], "ofrecorded"), ([3], None)]
