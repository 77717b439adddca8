"""Background services kept alive: one that fails is restarted with backoff, never lost.

Every long-running loop the bot starts (poller, boards, feed...) runs under
:meth:`Supervisor.run`. An exception (the database briefly locked at start, a bug in one pass)
is logged and the service starts again after a delay that doubles up to ``backoff_max``, and
falls back to ``backoff_initial`` once the service had run for ``healthy_after`` seconds. Each
service's state (running, restarting, stopped), restart count and last error type are kept for
``python -m bot check`` (through the reporter, which stores them) and the metrics endpoint.
Only the error's type is kept: messages can carry addresses or worse.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

from bot.protocols.backoff import BackoffPolicy

log = logging.getLogger(__name__)

SERVICE_KEY_PREFIX = "service:"  # app_state keys of the services' last reported states
RUNNING = "running"
RESTARTING = "restarting"
STOPPED = "stopped"

DEFAULT_BACKOFF_INITIAL = 1.0
DEFAULT_BACKOFF_MAX = 60.0
DEFAULT_HEALTHY_AFTER = 60.0
REPORT_TIMEOUT = 2.0  # a slow database must not hold up a restart or a shutdown

Factory = Callable[[], Awaitable[None]]


async def sleep_until_woken(wake: asyncio.Event, delay: float | None) -> None:
    """The idle step of a queue worker: until ``wake`` is set or ``delay`` seconds passed
    (None: no timer due, only a wake-up). Clears ``wake`` first: the caller computed ``delay``
    from its state with no await since, so no wake-up can have been set in between."""
    wake.clear()
    try:
        async with asyncio.timeout(delay):
            await wake.wait()
    except TimeoutError:
        pass


@dataclass(slots=True)
class ServiceState:
    name: str
    state: str
    since: float  # wall clock of the last change
    restarts: int = 0
    last_error: str | None = None  # the exception's type name only

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ServiceState | None:
        try:
            data: dict[str, Any] = json.loads(text)
            return cls(
                name=str(data["name"]),
                state=str(data["state"]),
                since=float(data["since"]),
                restarts=int(data["restarts"]),
                last_error=None if data.get("last_error") is None else str(data["last_error"]),
            )
        except (ValueError, KeyError, TypeError):
            return None

    def describe(self) -> str:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.since))
        text = f"{self.name}: {self.state} since {stamp}"
        if self.restarts:
            text += f" ({self.restarts} restart(s), last error {self.last_error})"
        return text


Reporter = Callable[[ServiceState], Awaitable[None]]


class Supervisor:
    def __init__(
        self,
        *,
        backoff_initial: float = DEFAULT_BACKOFF_INITIAL,
        backoff_max: float = DEFAULT_BACKOFF_MAX,
        healthy_after: float = DEFAULT_HEALTHY_AFTER,
        reporter: Reporter | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.healthy_after = healthy_after
        self.reporter = reporter
        self.clock = clock
        self.services: dict[str, ServiceState] = {}

    async def run(self, name: str, factory: Factory) -> None:
        """Run ``factory()`` until it returns or is cancelled; restart it after errors."""
        state = ServiceState(name, RUNNING, self.clock())
        self.services[name] = state
        failures = 0
        while True:
            await self._change(state, RUNNING)
            started = time.monotonic()
            try:
                await factory()
            except asyncio.CancelledError:
                await self._change(state, STOPPED)
                raise
            except Exception as exc:
                if time.monotonic() - started >= self.healthy_after:
                    failures = 0
                failures += 1
                delay = self.restart_delay(failures)
                state.restarts += 1
                state.last_error = type(exc).__name__
                log.exception("background service %s failed; restarting in %.1f s", name, delay)
                await self._change(state, RESTARTING)
                try:
                    await asyncio.sleep(delay)
                except asyncio.CancelledError:
                    await self._change(state, STOPPED)
                    raise
            else:
                await self._change(state, STOPPED)
                return

    def restart_delay(self, failures: int) -> float:
        """The wait before restarting a service that failed ``failures`` times in a row."""
        # Built per call: the settings are plain attributes (tests shorten them). A first
        # delay above the cap is kept, as the RCON pool does with the same settings.
        maximum = max(self.backoff_max, self.backoff_initial)
        policy = BackoffPolicy(initial=self.backoff_initial, maximum=maximum, jitter=0.0)
        return policy.step(failures)

    async def _change(self, state: ServiceState, value: str) -> None:
        state.state = value
        state.since = self.clock()
        if self.reporter is None:
            return
        try:
            async with asyncio.timeout(REPORT_TIMEOUT):
                await self.reporter(state)
        except Exception as exc:
            # The report is for operators; the service must not depend on it.
            log.debug("state of %s not reported (%s)", state.name, type(exc).__name__)

    def readings(self) -> dict[tuple[str, ...], float]:
        """``{(service,): 1.0 when running else 0.0}`` (for a metrics gauge)."""
        # A copy: the metrics endpoint reads from its own thread.
        return {(s.name,): float(s.state == RUNNING) for s in list(self.services.values())}

    def restart_counts(self) -> dict[tuple[str, ...], float]:
        return {(s.name,): float(s.restarts) for s in list(self.services.values())}


async def reported_states(read: Callable[[str], Awaitable[dict[str, str]]]) -> list[str]:
    """The states the bot last stored (``read``: the app_state prefix lookup), one line
    each, for ``python -m bot check``."""
    out = []
    for key, value in (await read(SERVICE_KEY_PREFIX)).items():
        state = ServiceState.from_json(value)
        if state is not None:
            scope = key.partition("@")[2]
            out.append(state.describe() + (f" [{scope}]" if scope else ""))
    return out
