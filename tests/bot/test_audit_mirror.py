"""The audit mirror queue: coalesced denials, a bound with a count of what was dropped, and
bounded retries of a 429 or 5xx that never count as posted."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence

from bot.services.audit import (
    MIRROR_RETRIES,
    AuditMirror,
    DeniedGroup,
    Dropped,
    MirrorItem,
    MirrorRetry,
)
from bot.storage.audit import AuditEntry
from tests.protocols.battleye.helpers import eventually

GUILD = 7
_ids = itertools.count(1)


def entry(user_id: int, outcome: str = "ok", action: str = "rcon say") -> AuditEntry:
    return AuditEntry(
        id=next(_ids),
        at="2026-12-02T13:05:07",
        guild_id=GUILD,
        user_id=user_id,
        user_name=f"u{user_id}",
        allowed_by="",
        server_id=1,
        server_name="Main",
        action=action,
        arguments="",
        outcome=outcome,
        excerpt="",
        latency_ms=1.0,
    )


class Recorder:
    def __init__(self, fail: int = 0) -> None:
        self.posts: list[list[MirrorItem]] = []
        self.calls = 0
        self.fail = fail
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, guild_id: int, items: Sequence[MirrorItem]) -> tuple[int, bool]:
        self.calls += 1
        await self.gate.wait()
        if self.fail:
            self.fail -= 1
            raise MirrorRetry("HTTP 429")
        self.posts.append(list(items))
        return len(items), True


async def test_denials_are_one_line_per_member_and_window() -> None:
    send = Recorder()
    mirror = AuditMirror(send, window=0.2, gap=0.0, batch=50)
    worker = asyncio.create_task(mirror.run())
    try:
        for _ in range(10):
            for user in range(1, 7):
                mirror.offer(entry(user, "denied"))
        mirror.offer(entry(99, "ok", "permissions grant"))
        await eventually(lambda: mirror.pending() == 0 and len(send.posts) >= 2)
    finally:
        worker.cancel()
    items = [i for post in send.posts for i in post]
    groups = [i for i in items if isinstance(i, DeniedGroup)]
    assert sorted(g.user_id for g in groups) == [1, 2, 3, 4, 5, 6]
    assert all(g.count == 10 and g.actions == {"rcon say": 10} for g in groups)
    # The granted change was not held back by the denials' window.
    assert isinstance(send.posts[0][0], AuditEntry)
    assert send.posts[0][0].action == "permissions grant"


async def test_queue_is_bounded_and_says_how_many_were_dropped() -> None:
    send = Recorder()
    send.gate.clear()  # the first post hangs, as behind an exhausted rate limit
    mirror = AuditMirror(send, gap=0.0, limit=5, batch=10)
    worker = asyncio.create_task(mirror.run())
    try:
        mirror.offer(entry(1))
        await eventually(lambda: send.calls == 1)
        for _ in range(12):
            mirror.offer(entry(1))
        send.gate.set()
        await eventually(lambda: mirror.pending() == 0 and len(send.posts) >= 2)
    finally:
        worker.cancel()
    assert len(send.posts[0]) == 1
    second = send.posts[1]
    assert second[0] == Dropped(7)
    assert len(second) == 1 + 5
    assert mirror.dropped == 7


async def test_rate_limited_post_is_retried_then_given_up_and_counted() -> None:
    send = Recorder(fail=2)
    mirror = AuditMirror(send, gap=0.01)
    worker = asyncio.create_task(mirror.run())
    try:
        mirror.offer(entry(1))
        await eventually(lambda: len(send.posts) == 1)
        assert send.calls == 3 and mirror.posted == 1 and mirror.dropped == 0
        send.fail = MIRROR_RETRIES
        mirror.offer(entry(2))
        await eventually(lambda: mirror.dropped == 1)
        assert mirror.posted == 1  # a refused post is never counted as posted
        mirror.offer(entry(3))
        await eventually(lambda: len(send.posts) == 2)
    finally:
        worker.cancel()
    assert send.posts[1][0] == Dropped(1)
    assert isinstance(send.posts[1][1], AuditEntry) and send.posts[1][1].user_id == 3


async def test_posts_are_spaced_globally_and_every_guild_gets_its_turn() -> None:
    order: list[int] = []

    async def send(guild_id: int, items: Sequence[MirrorItem]) -> tuple[int, bool]:
        order.append(guild_id)
        return 1, True  # one item per post, so each guild has three posts to make

    mirror = AuditMirror(send, gap=0.0, global_gap=0.02)
    for guild in (1, 2, 3):
        for _ in range(3):
            mirror.offer(
                AuditEntry(
                    next(_ids),
                    "2026-12-02T13:05:07",
                    guild,
                    1,
                    "u",
                    "",
                    None,
                    "",
                    "server add",
                    "",
                    "ok",
                    "",
                    1.0,
                )
            )
    worker = asyncio.create_task(mirror.run())
    try:
        await eventually(lambda: len(order) == 9)
    finally:
        worker.cancel()
    # Round robin by waiting time: no guild posts twice before every guild posted once.
    assert sorted(order[:3]) == [1, 2, 3] and sorted(order[3:6]) == [1, 2, 3]


async def test_drain_posts_everything_queued_with_or_without_the_worker() -> None:
    for with_worker in (True, False):
        send = Recorder()
        mirror = AuditMirror(send, window=60.0, gap=0.05, batch=2)
        worker = asyncio.create_task(mirror.run()) if with_worker else None
        try:
            for user in (1, 2):
                mirror.offer(entry(user, "denied"))  # open for a minute
            for _ in range(5):
                mirror.offer(entry(3))
            assert await mirror.drain(timeout=5.0) == 0
            assert mirror.pending() == 0
            posted = [i for post in send.posts for i in post]
            assert sum(isinstance(i, DeniedGroup) for i in posted) == 2
            assert sum(isinstance(i, AuditEntry) for i in posted) == 5
        finally:
            if worker is not None:
                worker.cancel()
                await asyncio.gather(worker, return_exceptions=True)


async def test_drain_is_bounded_and_counts_what_is_left() -> None:
    send = Recorder()
    send.gate.clear()  # Discord never answers
    mirror = AuditMirror(send, gap=0.0, batch=1)
    for _ in range(3):
        mirror.offer(entry(3))
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await mirror.drain(timeout=0.3) == 3
    assert loop.time() - started < 3.0  # functional bound: returns near its limit
    send.gate.set()
