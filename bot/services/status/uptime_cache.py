"""The 7-day uptime boards show, per polled address: read at most once an hour per address
(one grouped query for those due), so a board pass never scans a week of samples."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.storage.history import HistoryRepository

WEEK = 7 * 86400.0
REFRESH = 3600.0
MAX_CACHED = 100_000  # addresses; past it the cache starts over (each is read again once)


class UptimeCache:
    def __init__(
        self, history: HistoryRepository, clock: Callable[[], float], *, period: float = WEEK
    ) -> None:
        self.history = history
        self.clock = clock
        self.period = period
        self.reads = 0  # queries made (tests)
        self._counts: dict[str, tuple[float, int, int]] = {}  # target -> (read at, up, all)

    async def counts(self, targets: Sequence[str]) -> dict[str, tuple[int, int]]:
        """target -> (online samples, samples) over the period, as read within the hour."""
        now = self.clock()
        due = [
            t
            for t in dict.fromkeys(targets)
            if now - self._counts.get(t, (-REFRESH,))[0] >= REFRESH
        ]
        if due:
            if len(self._counts) + len(due) > MAX_CACHED:
                self._counts.clear()
            fresh = await self.history.online_counts(due, now - self.period)
            self.reads += 1
            for target in due:
                up, total = fresh.get(target, (0, 0))
                self._counts[target] = (now, up, total)
        return {t: self._counts[t][1:] for t in targets if t in self._counts}
