"""Event listeners and one-shot waiters, berconpy-style (``on_<event>`` names)."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

Listener = Callable[..., Any]
F = TypeVar("F", bound=Listener)
_Waiter = tuple["asyncio.Future[tuple[Any, ...]]", Listener | None]


def event_key(event: str) -> str:
    """``"login"`` and ``"on_login"`` name the same event."""
    return event if event.startswith("on_") else f"on_{event}"


class Dispatcher:
    """Calls listeners in registration order, events in arrival order.

    Plain functions run at once; coroutine functions are started as tasks in event order (a
    listener that awaits may interleave with the next event's listeners, as in discord.py).
    Listener exceptions are logged, never raised into the connection.
    """

    def __init__(self) -> None:
        self._listeners: defaultdict[str, list[Listener]] = defaultdict(list)
        self._waiters: defaultdict[str, list[_Waiter]] = defaultdict(list)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._keys: dict[str, str] = {}

    def add_listener(self, event: str, func: Listener) -> None:
        self._listeners[event_key(event)].append(func)

    def remove_listener(self, event: str, func: Listener) -> None:
        listeners = self._listeners.get(event_key(event), [])
        if func in listeners:
            listeners.remove(func)

    def listen(self, event: str | None = None) -> Callable[[F], F]:
        def decorator(func: F) -> F:
            self.add_listener(event or func.__name__, func)
            return func

        return decorator

    def has_listeners(self, event: str) -> bool:
        """Whether anything (listener or waiter) would see ``event`` now."""
        key = self._key(event)
        return bool(self._listeners.get(key) or self._waiters.get(key))

    def dispatch(self, event: str, *args: Any) -> None:
        key = self._key(event)
        listeners = self._listeners.get(key)
        if listeners:
            # A copy: a listener may remove itself while we iterate.
            for func in tuple(listeners):
                self._call(key, func, args)
        waiters = self._waiters.get(key)
        if waiters:
            for fut, check in list(waiters):
                self._offer(fut, check, args)

    # berconpy's signature (timeout parameter), kept for drop-in use.
    async def wait_for(
        self,
        event: str,
        *,
        check: Listener | None = None,
        timeout: float | None = None,
    ) -> tuple[Any, ...]:
        key = event_key(event)
        fut: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()
        entry = (fut, check)
        self._waiters[key].append(entry)
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            if entry in self._waiters[key]:
                self._waiters[key].remove(entry)

    async def drain(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the listener tasks started so far."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=timeout)

    def _key(self, event: str) -> str:
        # Dispatch runs for every server message: remember each name's key once.
        key = self._keys.get(event)
        if key is None:
            key = self._keys[event] = event_key(event)
        return key

    def _call(self, key: str, func: Listener, args: tuple[Any, ...]) -> None:
        try:
            result = func(*args)
        except Exception:
            log.exception("listener %r for %s failed", func, key)
            return
        # Most listeners return None; skip the (slower) awaitable check for them.
        if result is not None and inspect.isawaitable(result):
            self._track(self._run(key, func, result))

    async def _run(self, key: str, func: Listener, awaitable: Awaitable[Any]) -> None:
        try:
            await awaitable
        except Exception:
            log.exception("listener %r for %s failed", func, key)

    def _offer(
        self, fut: asyncio.Future[tuple[Any, ...]], check: Listener | None, args: tuple[Any, ...]
    ) -> None:
        if fut.done():
            return
        if check is None:
            fut.set_result(args)
            return
        try:
            verdict = check(*args)
        except Exception as exc:
            fut.set_exception(exc)
            return
        if inspect.isawaitable(verdict):
            self._track(self._offer_async(fut, verdict, args))
        elif verdict:
            fut.set_result(args)

    async def _offer_async(
        self, fut: asyncio.Future[tuple[Any, ...]], verdict: Awaitable[Any], args: tuple[Any, ...]
    ) -> None:
        try:
            accepted = await verdict
        except Exception as exc:
            if not fut.done():
                fut.set_exception(exc)
            return
        if accepted and not fut.done():
            fut.set_result(args)

    def _track(self, coro: Awaitable[Any]) -> None:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class Listening:
    """The listener API of a client owning a :class:`Dispatcher` (berconpy's names)."""

    _dispatcher: Dispatcher

    def add_listener(self, event: str, func: Listener) -> None:
        """Call ``func`` on ``event`` (``"player_connect"`` or ``"on_player_connect"``)."""
        self._dispatcher.add_listener(event, func)

    def remove_listener(self, event: str, func: Listener) -> None:
        self._dispatcher.remove_listener(event, func)

    def listen(self, event: str | None = None) -> Callable[[F], F]:
        """Decorator form of :meth:`add_listener`; the function name is the default event."""
        return self._dispatcher.listen(event)

    # berconpy's signature (timeout parameter), kept for drop-in use.
    async def wait_for(
        self,
        event: str,
        *,
        check: Listener | None = None,
        timeout: float | None = None,
    ) -> tuple[Any, ...]:
        """The arguments of the next ``event`` passing ``check`` (sync or async); TimeoutError."""
        return await self._dispatcher.wait_for(event, check=check, timeout=timeout)
