"""What every admin session repeats, written once.

- :class:`ListenedSession`: the base of all five admin sessions: the target (renamed in place,
  the connection stays), the options and the listeners, added and removed.
- :class:`SessionListeners`: a session's listeners (all five admin sessions). Plain callables are
  called at once; coroutine ones run as tasks in a bounded set (past :data:`MAX_LISTENER_TASKS` a
  call is dropped, counted and logged); one that raises is logged once and keeps being called;
  ``close`` cancels what still runs.
- :class:`SessionRunner`: for a session that keeps its connection up with a loop of its own
  (BattlEye, 7 Days to Die, Palworld): the state with a wake-up for those waiting on it, the stop
  flag and the loop's task, and the wait for a usable connection that commands start with.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from dataclasses import replace
from typing import Any, TypeVar

from bot.adapters.admin import AdminTarget, Listener, SessionOptions, SessionState
from bot.adapters.admin_errors import RconAuthError, RconUnavailable

__all__ = [
    "MAX_LISTENER_TASKS",
    "ListenedSession",
    "SessionListeners",
    "SessionRunner",
    "cancel_and_wait",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

# Coroutine listener calls running at once, per session; past it a call is dropped (counted in
# SessionListeners.dropped), so a slow listener cannot pile up tasks while a server pushes.
MAX_LISTENER_TASKS = 256


async def cancel_and_wait(*tasks: asyncio.Future[Any] | None) -> None:
    """Cancel the tasks (None: skipped) and wait until they ended; what they raised is not
    raised again (each logs its own failures). A cancelled caller is still cancelled."""
    running = [task for task in tasks if task is not None]
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)


class _Entry:
    """One added (event, listener) pair; ``failed`` once a failure of it was logged."""

    __slots__ = ("event", "failed", "listener")

    def __init__(self, event: str, listener: Listener) -> None:
        self.event = event
        self.listener = listener
        self.failed = False


class SessionListeners:
    """A session's listeners by event name, called in the order they were added."""

    def __init__(self, server_id: int, label: str) -> None:
        self.server_id = server_id
        self.label = label  # the protocol, as log lines name it ("BattlEye RCon")
        self.dropped = 0  # coroutine listener calls dropped past MAX_LISTENER_TASKS
        self._entries: list[_Entry] = []
        self._tasks: set[asyncio.Future[Any]] = set()
        self._overloaded = False  # dropping since the last call that could run (logged once)

    def add(self, event: str, listener: Listener) -> None:
        self._entries.append(_Entry(event, listener))

    def remove(self, event: str, listener: Listener) -> None:
        """Remove the first such pair (listeners compare by ==: bound methods match)."""
        for index, entry in enumerate(self._entries):
            if entry.event == event and entry.listener == listener:
                del self._entries[index]
                return

    def has(self, event: str) -> bool:
        return any(entry.event == event for entry in self._entries)

    def __iter__(self) -> Iterator[tuple[str, Listener]]:
        # A copy: the caller may add or remove while it goes through them.
        return iter([(entry.event, entry.listener) for entry in self._entries])

    @property
    def pending(self) -> int:
        """Coroutine listener calls still running."""
        return len(self._tasks)

    def emit(self, event: str, *args: Any) -> None:
        """Call every listener of ``event`` with ``args``; never raises for a listener."""
        for entry in [entry for entry in self._entries if entry.event == event]:
            try:
                result = entry.listener(*args)
            except Exception as exc:
                self._failed(entry, exc)
                continue
            if inspect.isawaitable(result):
                self._schedule(entry, result)

    def _schedule(self, entry: _Entry, call: Awaitable[Any]) -> None:
        if len(self._tasks) >= MAX_LISTENER_TASKS:
            if inspect.iscoroutine(call):
                call.close()  # never awaited: closed, so no "never awaited" warning
            self.dropped += 1
            if not self._overloaded:
                self._overloaded = True
                log.warning(
                    "%s of server %s: %d listener calls pending; dropping events (%d so far)",
                    self.label,
                    self.server_id,
                    MAX_LISTENER_TASKS,
                    self.dropped,
                )
            return
        self._overloaded = False
        task = asyncio.ensure_future(call)
        self._tasks.add(task)

        def done(finished: asyncio.Future[Any]) -> None:
            self._tasks.discard(finished)
            if not finished.cancelled() and (exc := finished.exception()) is not None:
                self._failed(entry, exc)

        task.add_done_callback(done)

    def _failed(self, entry: _Entry, exc: BaseException) -> None:
        # Once per listener: a broken one would otherwise log every console line.
        if entry.failed:
            return
        entry.failed = True
        log.error(
            "%s: a %s listener of server %s failed (further failures of it are not logged)",
            self.label,
            entry.event,
            self.server_id,
            exc_info=exc,
        )

    async def close(self) -> None:
        """Cancel the coroutine listener calls still running and wait for them to end."""
        tasks, self._tasks = self._tasks, set()
        await cancel_and_wait(*tasks)


class ListenedSession:
    """An admin session's target, options and listeners; a session whose client takes listeners
    itself (BattlEye) or that polls only while someone listens (Palworld) extends
    :meth:`add_listener` and :meth:`remove_listener`."""

    def __init__(self, target: AdminTarget, options: SessionOptions, label: str) -> None:
        self.target = target
        self.options = options
        # ``label``: the protocol, as log lines name it ("BattlEye RCon").
        self.listeners = SessionListeners(target.server_id, label)

    def rename(self, name: str) -> None:
        self.target = replace(self.target, name=name)

    def add_listener(self, event: str, listener: Listener) -> None:
        self.listeners.add(event, listener)

    def remove_listener(self, event: str, listener: Listener) -> None:
        self.listeners.remove(event, listener)


class SessionRunner:
    """A session's state and the task of its connection loop.

    ``start`` runs the loop (once at a time; never after a refused password or ``close``);
    every state change wakes those waiting in :meth:`wait_for` and :meth:`ready`."""

    def __init__(self, task_name: str) -> None:
        self.task_name = task_name
        self.stop = asyncio.Event()  # set by close(): the loop ends, start() starts nothing
        self._state = SessionState.IDLE
        self._changed = asyncio.Event()  # set, and replaced, at every state change
        self._task: asyncio.Task[None] | None = None

    @property
    def state(self) -> SessionState:
        return self._state

    def set_state(self, state: SessionState) -> None:
        if state is self._state:
            return
        self._state = state
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def reported(self, linked: bool) -> SessionState:
        """The state to report for a client that reconnects by itself: CONNECTED only while
        it is ``linked`` (a loss shows as RECONNECTING before the loop notices)."""
        if self._state is SessionState.CONNECTED and not linked:
            return SessionState.RECONNECTING
        return self._state

    @property
    def stopped(self) -> bool:
        return self.stop.is_set()

    @property
    def started(self) -> bool:
        """``start`` ran a loop at least once (so the session lives on an event loop)."""
        return self._task is not None

    @property
    def ended(self) -> bool:
        """The loop returned or failed on its own (it logged why); ``start`` runs a new one."""
        return self._task is not None and self._task.done()

    def start(self, run: Callable[[], Coroutine[Any, Any, None]]) -> None:
        running = self._task is not None and not self._task.done()
        if running or self._state is SessionState.AUTH_FAILED or self.stop.is_set():
            return
        self.set_state(SessionState.CONNECTING)
        self._task = asyncio.get_running_loop().create_task(run(), name=self.task_name)

    async def wait_for(self, check: Callable[[], T | None], deadline: float | None) -> T | None:
        """``check()`` now and after every state change until it gives a value (returned) or
        the loop-clock ``deadline`` passes (None; no limit when None). It may raise to end."""
        loop = asyncio.get_running_loop()
        while True:
            found = check()
            if found is not None:
                return found
            changed = self._changed
            if deadline is None:
                await changed.wait()
                continue
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await changed.wait()

    async def ready(
        self, usable: Callable[[], T | None], deadline: float, *, name: str, label: str
    ) -> T | None:
        """What ``usable()`` gives once the connection can take commands, or None past the
        deadline. Raises RconAuthError once the password was refused, and RconUnavailable
        when the loop ended on its own; ``usable`` may raise the session's own errors."""

        def check() -> T | None:
            if self._state is SessionState.AUTH_FAILED:
                raise RconAuthError(name)
            if self.ended:
                raise RconUnavailable(
                    key="consoles.connection_failed", label=label, server=repr(name)
                )
            return usable()

        return await self.wait_for(check, deadline)

    async def close(self) -> None:
        """Stop the loop for good (cancelled, awaited); the state becomes IDLE."""
        self.stop.set()
        task, self._task = self._task, None
        await cancel_and_wait(task)
        self.set_state(SessionState.IDLE)
