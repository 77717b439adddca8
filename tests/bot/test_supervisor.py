"""The background-service supervisor: restarts with backoff, states, reporting."""

from __future__ import annotations

import asyncio

import pytest

from bot.services.supervisor import (
    RESTARTING,
    RUNNING,
    STOPPED,
    ServiceState,
    Supervisor,
    reported_states,
)


async def test_a_failing_service_restarts_with_growing_delays_until_it_runs() -> None:
    reports: list[tuple[str, int]] = []

    async def reporter(state: ServiceState) -> None:
        reports.append((state.state, state.restarts))

    supervisor = Supervisor(backoff_initial=0.01, backoff_max=0.04, reporter=reporter)
    calls = 0
    running = asyncio.Event()
    gaps: list[float] = []
    last = asyncio.get_running_loop().time()

    async def service() -> None:
        nonlocal calls, last
        now = asyncio.get_running_loop().time()
        gaps.append(now - last)
        last = now
        calls += 1
        if calls <= 4:
            raise OSError("database is locked")
        running.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(supervisor.run("feed", service))
    async with asyncio.timeout(5):
        await running.wait()
    state = supervisor.services["feed"]
    assert (state.state, state.restarts, state.last_error) == (RUNNING, 4, "OSError")
    assert supervisor.readings() == {("feed",): 1.0}
    assert supervisor.restart_counts() == {("feed",): 4.0}
    # 0.01, 0.02, 0.04, then capped at 0.04.
    assert gaps[2] >= 0.015 and gaps[4] >= 0.035
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert state.state == STOPPED
    assert reports[:3] == [(RUNNING, 0), (RESTARTING, 1), (RUNNING, 1)]
    assert reports[-1] == (STOPPED, 4)


async def test_a_failing_reporter_never_stops_the_service() -> None:
    async def reporter(state: ServiceState) -> None:
        raise RuntimeError("database is locked")

    supervisor = Supervisor(backoff_initial=0.01, reporter=reporter)
    done: list[bool] = []

    async def service() -> None:
        done.append(True)

    await supervisor.run("boards", service)
    assert done == [True] and supervisor.services["boards"].state == STOPPED


async def test_reported_states_read_back_for_check() -> None:
    stored = {
        "service:feed": ServiceState("feed", RESTARTING, 0.0, 2, "OperationalError").to_json(),
        "service:poller@shards 0 of 2": ServiceState("poller", RUNNING, 0.0).to_json(),
        "service:broken": "{not json",
    }

    async def read(prefix: str) -> dict[str, str]:
        return {k: v for k, v in stored.items() if k.startswith(prefix)}

    lines = await reported_states(read)
    assert lines == [
        "feed: restarting since 1970-01-01 00:00:00 UTC (2 restart(s), last error "
        "OperationalError)",
        "poller: running since 1970-01-01 00:00:00 UTC [shards 0 of 2]",
    ]
