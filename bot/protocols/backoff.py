"""The one exponential backoff of the bot: capped, with jitter for reconnects.

Used by the BattlEye client and the Source RCON supervisor (and so by the bot's RCON pool,
which runs them). The services' retries use :meth:`BackoffPolicy.step`, the same curve without
jitter (their tests pin exact delays): the service supervisor's restarts, the ban list's
console retries, the alert and audit-mirror posts, and the feed's ingest, sends and cursor
writes. Jitter only shortens a wait, so ``maximum`` is a true cap, and keeps a fleet
of bots from reconnecting in lock-step after a host restart. A connection lost soon after it
came up counts as a failure: a server that accepts the login and drops it at once gets an
ever longer wait instead of a login every ``first`` seconds. The failure count is forgiven
once a connection stayed up for ``healthy_after`` seconds. :meth:`Backoff.retry` is the
attempt-until-connected loop the 7DTD, WebRCON and Source RCON clients share.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]
T = TypeVar("T")
E = TypeVar("E", bound=Exception)


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    """Seconds. The wait before attempt ``n + 1`` after ``n`` failures is :meth:`step`,
    ``min(maximum, initial * factor ** (n - 1))``, shortened by up to ``jitter`` of itself."""

    initial: float = 1.0
    maximum: float = 30.0
    factor: float = 2.0
    jitter: float = 0.5
    healthy_after: float = 30.0

    def __post_init__(self) -> None:
        if self.initial < 0 or self.maximum < self.initial:
            raise ValueError("need 0 <= initial <= maximum")
        if self.factor < 1 or not 0.0 <= self.jitter <= 1.0 or self.healthy_after < 0:
            raise ValueError("need factor >= 1, 0 <= jitter <= 1 and healthy_after >= 0")

    def step(self, failures: int) -> float:
        """The wait after ``failures`` failures, without jitter (``initial`` for 1 or fewer)."""
        return float(min(self.maximum, self.initial * self.factor ** max(0, failures - 1)))

    def delay(self, failures: int, rng: random.Random) -> float:
        return self.step(failures) * (1.0 - self.jitter * rng.random())


class Backoff:
    """The failure count of one reconnect loop, and its waits (``rng``, ``sleep`` and
    ``clock`` are injectable so tests need no real time)."""

    def __init__(
        self,
        policy: BackoffPolicy,
        *,
        rng: random.Random | None = None,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.policy = policy
        self.failures = 0
        self._rng = rng or random.Random()
        self._sleep: Sleep = sleep or asyncio.sleep
        self._clock: Clock = clock or time.monotonic
        self._up_since: float | None = None
        # A loss since the last healthy stretch: the next quick loss is a failure.
        self._lost_since_healthy = False

    def delay(self, failures: int) -> float:
        return self.policy.delay(failures, self._rng)

    def failed(self) -> float:
        """One more failed attempt; the wait before the next one."""
        self.failures += 1
        return self.delay(self.failures)

    def connected(self) -> None:
        self._up_since = self._clock()

    def lost(self, first: float) -> float:
        """The connection that :meth:`connected` announced is gone; the wait before
        reconnecting: ``first`` for the first loss since a healthy stretch, else the next
        backoff step."""
        up_since, self._up_since = self._up_since, None
        if up_since is not None and self._clock() - up_since >= self.policy.healthy_after:
            self.failures = 0
            self._lost_since_healthy = False
        if not self._lost_since_healthy:
            self._lost_since_healthy = True
            return first
        return self.failed()

    async def wait(self, delay: float, stop: asyncio.Event | None = None) -> bool:
        """Sleep ``delay`` seconds, or less if ``stop`` is set; True when it was set."""
        if stop is None:
            await self._sleep(delay)
            return False
        if stop.is_set():
            return True
        sleeper = asyncio.ensure_future(self._sleep(delay))
        stopper = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, stopper):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        return stop.is_set()

    async def retry(
        self,
        attempt: Callable[[], Awaitable[T]],
        errors: type[E],
        *,
        delay: float = 0.0,
        stop: asyncio.Event | None = None,
        fatal: Callable[[E], bool] | None = None,
        retrying: Callable[[E, float], None] | None = None,
    ) -> T | None:
        """``attempt()`` after ``delay`` (none if 0), then after each backoff step while it
        raises ``errors``, until it returns; None once ``stop`` is set. An error ``fatal``
        says yes to is raised (not counted as a failure); ``retrying`` hears the others with
        the wait before the next attempt. Exceptions not of ``errors`` propagate."""
        while True:
            if stop is not None and stop.is_set():
                return None
            if delay > 0 and await self.wait(delay, stop):
                return None
            try:
                return await attempt()
            except errors as exc:
                if fatal is not None and fatal(exc):
                    raise
                delay = self.failed()
                if retrying is not None:
                    retrying(exc, delay)
