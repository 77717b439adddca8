"""The engine's timer wheel: every query's next resend or expiry on one loop timer.

A coarse wheel: appending to a tick's list costs less than a heap push per query, and
asyncio's own timer heap compares TimerHandles in Python, which costs more than the rest of a
query. Entries name the address and a sequence number, not the query, so a finished query (and
its decoded result) is not kept alive until its entry comes due; the owner skips stale entries.
"""

from __future__ import annotations

import asyncio
import heapq
import math
from collections.abc import Callable
from typing import cast

Key = tuple[str, int]
# Resolution: entries fire up to one tick late, never early.
TICKS_PER_SECOND = 200


class TimerWheel:
    """Calls ``on_due(sequence, key, now)`` for each entry once its time has come."""

    def __init__(self, on_due: Callable[[int, Key, float], None]) -> None:
        self._on_due = on_due
        # Tick number -> entries due in that tick, flattened as sequence, address, sequence,
        # address… (no tuple per entry: thousands of long-lived tuples would make the garbage
        # collector run full collections), and a heap of the ticks holding entries (one heap
        # push per tick, not per entry).
        self._wheel: dict[int, list[int | Key]] = {}
        self._ticks: list[int] = []
        self._seq = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf

    def add(self, when: float, key: Key, loop: asyncio.AbstractEventLoop) -> int:
        """Schedule ``key`` at loop time ``when``; returns the entry's sequence number."""
        seq = self._seq
        self._seq = seq + 1
        self._loop = loop
        # The first tick starting after ``when``: never early, at most one tick late.
        tick = int(when * TICKS_PER_SECOND) + 1
        entries = self._wheel.get(tick)
        if entries is not None:
            entries.append(seq)
            entries.append(key)
            return seq
        self._wheel[tick] = [seq, key]
        heapq.heappush(self._ticks, tick)
        self._schedule(tick / TICKS_PER_SECOND)
        return seq

    def clear(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = math.inf
        self._wheel.clear()
        self._ticks.clear()

    def _schedule(self, at: float) -> None:
        """Make sure the loop timer fires by ``at``."""
        if at < self._timer_at:
            if self._timer is not None:
                self._timer.cancel()
            assert self._loop is not None
            self._timer = self._loop.call_at(at, self._fire)
            self._timer_at = at

    def _fire(self) -> None:
        self._timer = None
        self._timer_at = math.inf
        assert self._loop is not None
        now = self._loop.time()
        limit = now * TICKS_PER_SECOND
        ticks, wheel, on_due = self._ticks, self._wheel, self._on_due
        while ticks and ticks[0] <= limit:
            entries = iter(wheel.pop(heapq.heappop(ticks)))
            for seq, key in zip(entries, entries, strict=True):
                on_due(cast(int, seq), cast(Key, key), now)
        if ticks:
            self._schedule(ticks[0] / TICKS_PER_SECOND)
