"""The one reconnect backoff shared by the BattlEye, 7DTD, WebRCON and Source RCON clients."""

from __future__ import annotations

import asyncio
import random

import pytest

from bot.protocols.backoff import Backoff, BackoffPolicy


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_delay_grows_is_capped_and_jitter_only_shortens() -> None:
    policy = BackoffPolicy(initial=1.0, maximum=8.0, jitter=0.5)
    rng = random.Random(3)
    for failures, base in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (30, 8.0)]:
        delays = {policy.delay(failures, rng) for _ in range(50)}
        assert all(base * 0.5 <= d <= base for d in delays)
        assert len(delays) > 1
    assert BackoffPolicy(initial=1.0, jitter=0.0).delay(3, rng) == 4.0


def test_step_is_the_jitter_free_curve_and_delay_shortens_it() -> None:
    policy = BackoffPolicy(initial=0.5, maximum=5.0, jitter=0.5)
    assert [policy.step(n) for n in range(-1, 7)] == [0.5, 0.5, 0.5, 1.0, 2.0, 4.0, 5.0, 5.0]
    assert BackoffPolicy(initial=1.0, factor=3.0).step(3) == 9.0
    rng = random.Random(5)
    assert all(1.0 <= policy.delay(3, rng) <= 2.0 == policy.step(3) for _ in range(20))
    assert BackoffPolicy(initial=0.5, maximum=5.0, jitter=0.0).delay(4, rng) == policy.step(4)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"initial": -1.0},
        {"initial": 2.0, "maximum": 1.0},
        {"jitter": 1.5},
        {"factor": 0.5},
        {"healthy_after": -1.0},
    ],
)
def test_bad_policies_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        BackoffPolicy(**kwargs)


def test_quick_losses_back_off_and_a_healthy_stretch_forgives() -> None:
    clock = FakeClock()
    backoff = Backoff(
        BackoffPolicy(initial=1.0, maximum=100.0, jitter=0.0, healthy_after=30.0), clock=clock
    )
    waits = []
    for _ in range(4):  # a server that accepts the login and drops it a second later
        backoff.connected()
        clock.now += 1.0
        waits.append(backoff.lost(first=0.0))
    assert waits == [0.0, 1.0, 2.0, 4.0]
    backoff.connected()
    clock.now += 30.0  # up long enough: the next loss is like the first
    assert backoff.lost(first=0.0) == 0.0 and backoff.failures == 0
    assert backoff.failed() == 1.0  # then failed attempts start from the bottom again


async def test_wait_uses_the_injected_sleep_and_stops_early() -> None:
    slept: list[float] = []
    never = asyncio.Event()

    async def fake_sleep(delay: float) -> None:
        slept.append(delay)

    backoff = Backoff(BackoffPolicy(), sleep=fake_sleep)
    assert await backoff.wait(5.0) is False
    assert await backoff.wait(7.0, never) is False
    assert slept == [5.0, 7.0]

    stop = asyncio.Event()
    long_sleep = Backoff(BackoffPolicy(), sleep=lambda _d: asyncio.sleep(3600))
    waiter = asyncio.ensure_future(long_sleep.wait(3600.0, stop))
    await asyncio.sleep(0)
    stop.set()
    async with asyncio.timeout(2):
        assert await waiter is True


class Flaky:
    """Fails with the scripted errors, then answers "up"."""

    def __init__(self, *errors: OSError) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "up"


async def test_retry_waits_each_backoff_step_until_an_attempt_works() -> None:
    slept: list[float] = []

    async def fake_sleep(delay: float) -> None:
        slept.append(delay)

    heard: list[tuple[str, float]] = []
    backoff = Backoff(BackoffPolicy(initial=1.0, jitter=0.0), sleep=fake_sleep)
    attempt = Flaky(ConnectionRefusedError("a"), TimeoutError("b"))
    result = await backoff.retry(
        attempt, OSError, delay=0.5, retrying=lambda exc, d: heard.append((str(exc), d))
    )
    assert result == "up"
    assert attempt.calls == 3
    assert slept == [0.5, 1.0, 2.0]  # the given delay, then one step per failure
    assert heard == [("a", 1.0), ("b", 2.0)]
    assert backoff.failures == 2


async def test_retry_raises_a_fatal_error_and_lets_other_types_through() -> None:
    backoff = Backoff(BackoffPolicy(initial=0.0, jitter=0.0))
    attempt = Flaky(ConnectionRefusedError("retried"), PermissionError("fatal"))
    with pytest.raises(PermissionError, match="fatal"):
        await backoff.retry(attempt, OSError, fatal=lambda exc: isinstance(exc, PermissionError))
    assert (attempt.calls, backoff.failures) == (2, 1)  # the fatal one is not a failure

    async def broken() -> str:
        raise ValueError("not a connection error")

    with pytest.raises(ValueError):
        await backoff.retry(broken, OSError)


async def test_retry_returns_none_once_stop_is_set() -> None:
    stop = asyncio.Event()
    stop.set()
    attempt = Flaky()
    backoff = Backoff(BackoffPolicy())
    assert await backoff.retry(attempt, OSError, stop=stop) is None
    assert attempt.calls == 0
