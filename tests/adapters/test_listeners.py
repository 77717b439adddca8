"""The registry every admin session keeps its listeners in (plain, coroutine and failing
listeners, the bound on running calls, close) and the runner state three of them share."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Coroutine
from typing import Any

import pytest

from bot.adapters import listeners as listeners_module
from bot.adapters.admin import CONSOLE_EVENT, SessionState
from bot.adapters.admin_errors import RconAuthError, RconUnavailable
from bot.adapters.listeners import SessionListeners, SessionRunner, cancel_and_wait


def _failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "listener of server 7 failed" in r.getMessage()]


async def _settle() -> None:
    # A few loop turns: scheduled listener tasks run to their end (they await nothing long).
    for _ in range(5):
        await asyncio.sleep(0)


def test_plain_listeners_get_their_event_in_order_and_remove_takes_one() -> None:
    registry = SessionListeners(7, "Test")
    calls: list[tuple[str, tuple[object, ...]]] = []
    seen: list[object] = []
    registry.add("chat", lambda *args: calls.append(("first", args)))
    registry.add("chat", seen.append)
    registry.add("login", lambda: calls.append(("login", ())))
    registry.add("chat", seen.append)  # the same one twice: called twice
    assert registry.has("chat") and registry.has("login") and not registry.has(CONSOLE_EVENT)

    registry.emit("chat", "hi")
    registry.emit("login")  # no argument
    registry.emit("other", 1, 2)  # nobody listens
    assert calls == [("first", ("hi",)), ("login", ())]
    assert seen == ["hi", "hi"]

    # A bound method made again compares equal: remove finds it, and takes one pair only.
    registry.remove("chat", seen.append)
    registry.emit("chat", "again")
    assert seen == ["hi", "hi", "again"]
    registry.remove("chat", seen.append)
    registry.remove("chat", seen.append)  # not there any more: nothing happens
    registry.remove("login", print)
    assert [event for event, _ in registry] == ["chat", "login"]
    assert registry.pending == 0 and registry.dropped == 0


def test_listeners_added_or_removed_while_emitting_apply_from_the_next_emit() -> None:
    registry = SessionListeners(7, "Test")
    seen: list[str] = []

    def once(value: str) -> None:
        seen.append(f"once {value}")
        registry.remove("e", once)
        registry.add("e", lambda value: seen.append(f"late {value}"))

    registry.add("e", once)
    registry.emit("e", "a")
    registry.emit("e", "b")
    assert seen == ["once a", "late b"]


async def test_coroutine_listeners_run_as_tasks() -> None:
    registry = SessionListeners(7, "Test")
    awaited: list[object] = []
    release = asyncio.Event()

    async def slow(value: object) -> None:
        await release.wait()
        awaited.append(value)

    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    registry.add(CONSOLE_EVENT, slow)
    registry.add(CONSOLE_EVENT, lambda value: future)  # any awaitable is awaited
    registry.emit(CONSOLE_EVENT, "one")
    registry.emit(CONSOLE_EVENT, "two")
    assert awaited == [] and registry.pending == 3  # emit returns before they run
    release.set()
    future.set_result(None)
    await _settle()
    assert awaited == ["one", "two"] and registry.pending == 0


async def test_a_failing_listener_is_logged_once_and_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    registry = SessionListeners(7, "Test")
    plain: list[int] = []
    awaited: list[int] = []

    def broken(value: int) -> None:
        raise ValueError("listener bug")

    async def broken_later(value: int) -> None:
        await asyncio.sleep(0)
        raise KeyError(value)

    async def fine(value: int) -> None:
        awaited.append(value)

    registry.add(CONSOLE_EVENT, broken)
    registry.add(CONSOLE_EVENT, broken_later)
    registry.add(CONSOLE_EVENT, plain.append)
    registry.add(CONSOLE_EVENT, fine)
    for n in range(5):
        registry.emit(CONSOLE_EVENT, n)
    await _settle()
    assert plain == awaited == [0, 1, 2, 3, 4]
    failures = _failures(caplog)
    # One line per broken listener (the plain one and the coroutine one), with its traceback.
    assert len(failures) == 2
    assert [type(r.exc_info[1]) for r in failures if r.exc_info] == [ValueError, KeyError]
    assert all(r.getMessage().startswith("Test: a console_event listener") for r in failures)

    # Added again, it is a new listener: its failure is said again, once.
    registry.remove(CONSOLE_EVENT, broken)
    registry.add(CONSOLE_EVENT, broken)
    registry.emit(CONSOLE_EVENT, 5)
    registry.emit(CONSOLE_EVENT, 6)
    await _settle()
    assert len(_failures(caplog)) == 3


async def test_running_coroutine_calls_are_bounded(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(listeners_module, "MAX_LISTENER_TASKS", 2)
    registry = SessionListeners(7, "Test")
    release = asyncio.Event()
    finished: list[int] = []
    made: list[Coroutine[Any, Any, None]] = []

    async def stuck(value: int) -> None:
        await release.wait()
        finished.append(value)

    def listener(value: int) -> Coroutine[Any, Any, None]:
        made.append(stuck(value))
        return made[-1]

    registry.add(CONSOLE_EVENT, listener)
    for n in range(5):
        registry.emit(CONSOLE_EVENT, n)
    assert registry.pending == 2 and registry.dropped == 3
    # The dropped calls' coroutines were closed, never left to warn "never awaited".
    assert [inspect.getcoroutinestate(c) for c in made[2:]] == [inspect.CORO_CLOSED] * 3
    warnings = [r for r in caplog.records if "dropping events" in r.getMessage()]
    assert len(warnings) == 1  # once for the whole overload, not once per dropped call

    release.set()
    await _settle()
    assert finished == [0, 1] and registry.pending == 0
    registry.emit(CONSOLE_EVENT, 5)  # room again: runs
    await _settle()
    assert finished == [0, 1, 5]

    # A new overload is said again.
    release.clear()
    for n in range(6, 10):
        registry.emit(CONSOLE_EVENT, n)
    assert registry.dropped == 5
    assert len([r for r in caplog.records if "dropping events" in r.getMessage()]) == 2
    await registry.close()


async def test_close_cancels_and_waits_for_running_calls(
    caplog: pytest.LogCaptureFixture,
) -> None:
    registry = SessionListeners(7, "Test")
    cleaned: list[int] = []

    async def forever(value: int) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cleaned.append(value)

    registry.add(CONSOLE_EVENT, forever)
    registry.emit(CONSOLE_EVENT, 1)
    registry.emit(CONSOLE_EVENT, 2)
    await asyncio.sleep(0)
    await registry.close()
    assert sorted(cleaned) == [1, 2] and registry.pending == 0
    assert _failures(caplog) == []  # a cancelled call is no failure
    # The listeners stay: a session that starts again keeps them.
    registry.emit(CONSOLE_EVENT, 3)
    assert registry.pending == 1
    await asyncio.sleep(0)
    await registry.close()
    assert cleaned[-1] == 3


async def test_cancel_and_wait_skips_none_and_keeps_the_tasks_errors() -> None:
    async def fails() -> None:
        raise ValueError("its own")

    failing = asyncio.ensure_future(fails())
    await asyncio.sleep(0)
    blocked = asyncio.ensure_future(asyncio.Event().wait())
    await cancel_and_wait(None, failing, blocked)
    assert blocked.cancelled() and isinstance(failing.exception(), ValueError)


# -- SessionRunner -------------------------------------------------------------------------


async def test_the_runner_runs_one_loop_at_a_time_and_none_after_a_refusal_or_close() -> None:
    runner = SessionRunner("test-session:7")
    started: list[int] = []
    hold = asyncio.Event()

    async def loop() -> None:
        started.append(len(started))
        runner.set_state(SessionState.CONNECTED)
        await hold.wait()

    assert runner.state is SessionState.IDLE and not runner.ended
    runner.start(loop)
    runner.start(loop)  # running: nothing new
    assert runner.state is SessionState.CONNECTING
    await asyncio.sleep(0)
    assert started == [0] and runner.state is SessionState.CONNECTED

    # A client that lost its link before the loop heard of it reports RECONNECTING.
    assert runner.reported(linked=True) is SessionState.CONNECTED
    assert runner.reported(linked=False) is SessionState.RECONNECTING

    hold.set()  # the loop ends on its own: ended, and start() runs a fresh one
    await asyncio.sleep(0)
    assert runner.ended
    hold.clear()
    runner.start(loop)
    await asyncio.sleep(0)
    assert started == [0, 1] and not runner.ended

    await runner.close()
    assert runner.stopped and runner.state is SessionState.IDLE and not runner.ended
    assert runner.reported(linked=False) is SessionState.IDLE
    runner.start(loop)
    refused = SessionRunner("test-session:8")
    refused.set_state(SessionState.AUTH_FAILED)
    refused.start(loop)
    await asyncio.sleep(0)
    assert started == [0, 1] and refused.state is SessionState.AUTH_FAILED


async def test_wait_for_wakes_at_each_change_until_a_value_or_the_deadline() -> None:
    runner = SessionRunner("test-session:7")
    loop = asyncio.get_running_loop()
    checks: list[SessionState] = []

    def connected() -> str | None:
        checks.append(runner.state)
        return "up" if runner.state is SessionState.CONNECTED else None

    waiting = asyncio.ensure_future(runner.wait_for(connected, loop.time() + 5.0))
    await asyncio.sleep(0)
    runner.set_state(SessionState.RECONNECTING)
    await asyncio.sleep(0)
    runner.set_state(SessionState.RECONNECTING)  # no change: nobody is woken
    runner.set_state(SessionState.CONNECTED)
    assert await waiting == "up"
    assert checks == [SessionState.IDLE, SessionState.RECONNECTING, SessionState.CONNECTED]

    runner.set_state(SessionState.IDLE)
    assert await runner.wait_for(connected, loop.time() + 0.02) is None
    unlimited = asyncio.ensure_future(runner.wait_for(connected, None))
    await asyncio.sleep(0.03)
    assert not unlimited.done()
    runner.set_state(SessionState.CONNECTED)
    assert await unlimited == "up"


async def test_ready_says_why_a_connection_cannot_be_had() -> None:
    runner = SessionRunner("test-session:7")
    loop = asyncio.get_running_loop()

    async def gives_up() -> None:
        runner.set_state(SessionState.IDLE)  # a bug, logged by the loop itself

    def usable() -> str | None:
        return "client" if runner.state is SessionState.CONNECTED else None

    runner.set_state(SessionState.CONNECTED)
    assert await runner.ready(usable, loop.time() + 1.0, name="Main", label="Test") == "client"

    runner.set_state(SessionState.CONNECTING)
    assert await runner.ready(usable, loop.time() + 0.02, name="Main", label="Test") is None

    runner.start(gives_up)
    await asyncio.sleep(0)
    assert runner.ended
    with pytest.raises(RconUnavailable, match=r"The Test connection to 'Main' failed"):
        await runner.ready(usable, loop.time() + 1.0, name="Main", label="Test")

    runner.set_state(SessionState.AUTH_FAILED)
    with pytest.raises(RconAuthError, match="'Main'"):
        await runner.ready(usable, loop.time() + 1.0, name="Main", label="Test")
    await runner.close()
