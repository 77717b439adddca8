"""The per-channel queue: bounded, oldest dropped and reported, batches fit one message."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.feed.queue import Batch, ChannelQueue, Item, nonce_of
from bot.services.feed.render import dropped_line


def item(n: int, sub: int = 1, line: str | None = None, role: int | None = None) -> Item:
    return Item(("feed", sub), n, line if line is not None else f"line {n}", role)


def test_take_keeps_order_and_fits_the_size() -> None:
    queue = ChannelQueue(100)
    for n in range(1, 21):
        queue.push(item(n, line="x" * 99))  # 100 characters with the newline
    first = queue.take(max_chars=1000)
    assert first is not None
    assert [i.event_id for i in first.items] == list(range(1, 11))
    assert first.cursors == {("feed", 1): 10}
    assert sum(len(line) + 1 for line in first.lines) <= 1000
    second = queue.take(max_chars=1000)
    assert second is not None and [i.event_id for i in second.items] == list(range(11, 21))
    assert queue.take() is None


def test_a_line_longer_than_the_limit_still_goes_alone() -> None:
    queue = ChannelQueue(10)
    queue.push(item(1, line="y" * 50))
    batch = queue.take(max_chars=10)
    assert batch is not None and len(batch.items) == 1


def test_overflow_drops_the_oldest_and_the_next_batch_says_how_many() -> None:
    queue = ChannelQueue(3)
    for n in range(1, 8):
        queue.push(item(n))
    assert len(queue) == 3 and queue.total_dropped == 4
    batch = queue.take()
    assert batch is not None
    assert [i.event_id for i in batch.items] == [5, 6, 7]
    assert batch.dropped == 4
    assert batch.lines[0] == dropped_line(4)
    assert batch.cursors == {("feed", 1): 7}
    assert not queue.pending


def test_dropped_cursors_of_other_subscriptions_ride_along() -> None:
    queue = ChannelQueue(1)
    queue.push(item(1, sub=9))
    queue.push(item(2, sub=1))
    batch = queue.take()
    assert batch is not None
    assert batch.cursors == {("feed", 9): 1, ("feed", 1): 2}


def test_roles_and_discard() -> None:
    queue = ChannelQueue(10)
    queue.push(item(1, sub=1, role=5))
    queue.push(Item(("watch", 2), 2, "w", 6))
    queue.push(Item(("watch", 2), 3, "w2", 6))
    assert queue.discard({("watch", 2)}) == 2
    batch = queue.take()
    assert batch is not None and batch.roles == [5]


@settings(max_examples=60)
@given(
    limit=st.integers(1, 20),
    sizes=st.lists(st.integers(1, 120), min_size=0, max_size=80),
    max_chars=st.integers(50, 400),
)
def test_nothing_is_lost_silently_and_order_is_kept(
    limit: int, sizes: list[int], max_chars: int
) -> None:
    queue = ChannelQueue(limit)
    for n, size in enumerate(sizes, start=1):
        queue.push(item(n, line="z" * size))
    delivered: list[int] = []
    dropped = 0
    while (batch := queue.take(max_chars)) is not None:
        delivered += [i.event_id for i in batch.items]
        dropped += batch.dropped
        assert batch.items or batch.dropped
    assert delivered == sorted(delivered)
    assert len(delivered) + dropped == len(sizes)
    assert delivered == list(range(len(sizes) - len(delivered) + 1, len(sizes) + 1))


def test_the_nonce_follows_the_channel_and_the_cursors() -> None:
    one = Batch((Item(("feed", 1), 5, "x"),), 0, {("feed", 1): 5, ("watch", 2): 4})
    same = Batch((Item(("feed", 1), 5, "other text"),), 3, {("watch", 2): 4, ("feed", 1): 5})
    assert nonce_of(10, one) == nonce_of(10, same)
    assert len(nonce_of(10, one)) <= 25
    assert nonce_of(11, one) != nonce_of(10, one)
    assert nonce_of(10, Batch((), 0, {("feed", 1): 6})) != nonce_of(10, one)
    assert nonce_of(10, Batch((), 0, {}, "ofrecorded")) == "ofrecorded"
