"""A clock tests move by hand: ``now()`` is what they set, and ``sleep()`` returns once the
clock was advanced past its end (never for real time)."""

from __future__ import annotations

import asyncio


class FakeClock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.t = start
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (self.t + seconds, future)
        self._sleepers.append(entry)
        try:
            await future
        finally:
            self._sleepers.remove(entry)

    def advance(self, seconds: float) -> None:
        self.set(self.t + seconds)

    def set(self, t: float) -> None:
        self.t = t
        for end, future in self._sleepers:
            if end <= t and not future.done():
                future.set_result(None)

    @property
    def wakes(self) -> list[float]:
        """When the pending sleeps end (fake time)."""
        return sorted(end for end, _ in self._sleepers)
