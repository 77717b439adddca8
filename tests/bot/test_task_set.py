"""TaskSet: side tasks held until done, waited for, and cancelled on close (new ones too)."""

from __future__ import annotations

import asyncio
import gc

from bot.services.tasks import TaskSet


async def test_a_task_is_held_until_done_and_then_let_go() -> None:
    tasks: TaskSet[int] = TaskSet()
    gate = asyncio.Event()

    async def work() -> int:
        await gate.wait()
        return 7

    task = tasks.start(work(), name="side")
    del task
    gc.collect()  # only the set holds it now: it must survive a collection
    assert len(tasks) == 1
    gate.set()
    await tasks.wait_idle()
    assert len(tasks) == 0


async def test_wait_idle_waits_for_work_started_meanwhile_and_keeps_errors_inside() -> None:
    tasks: TaskSet[None] = TaskSet()
    done: list[str] = []

    async def second() -> None:
        await asyncio.sleep(0)
        done.append("second")

    async def first() -> None:
        tasks.start(second())
        done.append("first")
        raise ValueError("its own to log")

    tasks.start(first())
    await tasks.wait_idle()
    assert done == ["first", "second"]
    assert len(tasks) == 0


async def test_close_cancels_what_is_held_and_what_a_cancelled_task_starts() -> None:
    tasks: TaskSet[None] = TaskSet()
    ended: list[str] = []

    async def forever(name: str) -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            ended.append(name)
            if name == "first":
                tasks.start(forever("started while closing"))
            raise

    tasks.start(forever("first"))
    held_elsewhere = asyncio.ensure_future(forever("held"))
    tasks.hold(held_elsewhere)
    await asyncio.sleep(0)
    await asyncio.wait_for(tasks.close(), 2.0)
    assert sorted(ended) == ["first", "held", "started while closing"]
    assert len(tasks) == 0 and held_elsewhere.cancelled()
