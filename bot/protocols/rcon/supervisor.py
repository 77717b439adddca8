"""Long-lived RCON client for the bot: reconnects with exponential backoff and jitter.

After the server restarts it reconnects and re-authenticates; commands in flight when the
connection broke fail with ``RCONCommunicationError`` (never silently re-run: ``kick`` or ``ban``
must not happen twice). A refused password stops the supervisor until ``set_password()``: it
never re-sends a wrong password on its own. A connection dropped during authentication is a
connection error like any other (a restart looks the same as a ban from there), retried with
backoff, but only ``max_dropped_logins`` times in a row: Squad answers a wrong password by
closing the connection, so past that the supervisor stops as for a refusal (``last_error`` is
then an :class:`RCONAuthDroppedError`) instead of re-sending the password forever.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from enum import Enum

from bot.protocols.backoff import Backoff, BackoffPolicy, Clock, Sleep
from bot.protocols.rcon.client import (
    DEFAULT_TIMEOUT,
    Address,
    RCONConnection,
    UnsolicitedHandler,
    connect,
)
from bot.protocols.rcon.connection import DEFAULT_MAX_RESPONSE_BYTES
from bot.protocols.rcon.errors import (
    RCONAuthDroppedError,
    RCONAuthenticationError,
    RCONCommunicationError,
    RCONError,
)
from bot.protocols.rcon.executor import Executor
from bot.protocols.rcon.profiles import ServerProfile

log = logging.getLogger(__name__)

DEFAULT_MAX_DROPPED_LOGINS = 3


class SupervisorState(Enum):
    IDLE = "idle"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    BACKOFF = "backoff"
    AUTH_FAILED = "auth_failed"
    STOPPED = "stopped"


class RCONSupervisor(Executor):
    """Keeps one authenticated connection open; ``execute`` waits for it (within the timeout)."""

    def __init__(
        self,
        address: Address,
        password: str,
        *,
        profile: str | ServerProfile | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        backoff_initial: float = 0.5,
        backoff_max: float = 30.0,
        backoff_factor: float = 2.0,
        jitter: float = 0.5,
        healthy_after: float = 30.0,
        rng: random.Random | None = None,
        sleep: Sleep | None = None,
        clock: Clock | None = None,
        on_unsolicited: UnsolicitedHandler | None = None,
        on_state: Callable[[SupervisorState], None] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        max_dropped_logins: int = DEFAULT_MAX_DROPPED_LOGINS,
        resolve_host: Callable[[str], Awaitable[str]] | None = None,
    ) -> None:
        policy = BackoffPolicy(
            initial=backoff_initial,
            maximum=max(backoff_max, backoff_initial),
            factor=backoff_factor,
            jitter=jitter,
            healthy_after=healthy_after,
        )
        self.address = address
        self._password = password
        self.profile = profile
        self.timeout = timeout
        self._backoff = Backoff(policy, rng=rng, sleep=sleep, clock=clock)
        self.on_unsolicited = on_unsolicited
        self.on_state = on_state
        self.max_response_bytes = max_response_bytes
        self.max_dropped_logins = max_dropped_logins
        # Called before every attempt (an RCONError from it is a failed attempt): the caller
        # may check where the name points now and have the connection go exactly there.
        self.resolve_host = resolve_host
        self.state = SupervisorState.IDLE
        self.last_error: RCONError | None = None
        self.connect_attempts = 0
        self.connections = 0
        self._conn: RCONConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    def __repr__(self) -> str:
        return f"<RCONSupervisor {self.address[0]}:{self.address[1]} {self.state.value}>"

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        """Start connecting in the background (idempotent while running)."""
        if self._task is not None and not self._task.done():
            return
        self._task = asyncio.get_running_loop().create_task(self._run(), name=repr(self))

    async def stop(self) -> None:
        """Close the connection and stop reconnecting."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                pass
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
            await conn.wait_closed()
        self._set_state(SupervisorState.STOPPED)

    def set_password(self, password: str) -> None:
        """Use a new password; restarts the supervisor if a refusal had stopped it."""
        self._password = password
        if self.state is SupervisorState.AUTH_FAILED:
            self.last_error = None
            self._set_state(SupervisorState.IDLE)
            self.start()

    async def __aenter__(self) -> RCONSupervisor:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- the loop --------------------------------------------------------------------------------

    def _set_state(self, state: SupervisorState) -> None:
        if state is self.state:
            return
        self.state = state
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()
        if self.on_state is not None:
            try:
                self.on_state(state)
            except Exception:
                log.exception("RCON on_state handler failed")

    async def _run(self) -> None:
        backoff = self._backoff
        dropped = 0  # logins the server closed the connection on since the last success

        def gives_up(exc: RCONError) -> bool:
            nonlocal dropped
            self.last_error = exc
            if isinstance(exc, RCONAuthenticationError):
                log.error("RCON %s:%s: %s; not retrying", self.address[0], self.address[1], exc)
                return True
            # Counted until a login succeeds (other errors in between do not reset it).
            dropped += isinstance(exc, RCONAuthDroppedError)
            if dropped < self.max_dropped_logins:
                return False
            log.error(
                "RCON %s:%s: the connection was closed at login %d times in a row "
                "(wrong password on Squad, or a ban); not retrying",
                self.address[0],
                self.address[1],
                dropped,
            )
            return True

        delay = 0.0  # the first attempt at once
        while True:
            try:
                # Unreachable, refused, timed out, desynchronised: retried with backoff.
                conn = await backoff.retry(
                    self._attempt, RCONError, delay=delay, fatal=gives_up, retrying=self._retrying
                )
            except RCONError:
                self._set_state(SupervisorState.AUTH_FAILED)
                return
            assert conn is not None  # no stop event: only a connection ends the retries
            dropped = 0
            self.connections += 1
            self._conn = conn
            backoff.connected()
            self._set_state(SupervisorState.CONNECTED)
            await conn.wait_closed()
            self._conn = None
            # A restarting server refuses connections for a while: even the first reconnect
            # waits one backoff step, and a connection dropped soon after login waits longer.
            delay = backoff.lost(first=backoff.delay(1))
            log.info("RCON %s:%s: connection lost; reconnect in %.2f s", *self.address[:2], delay)
            self._set_state(SupervisorState.BACKOFF)

    async def _attempt(self) -> RCONConnection:
        self._set_state(SupervisorState.CONNECTING)
        self.connect_attempts += 1
        address = self.address
        if self.resolve_host is not None:
            address = (await self.resolve_host(address[0]), address[1])
        return await connect(
            address,
            self._password,
            timeout=self.timeout,
            profile=self.profile,
            on_unsolicited=self.on_unsolicited,
            max_response_bytes=self.max_response_bytes,
        )

    def _retrying(self, exc: RCONError, delay: float) -> None:
        log.info("RCON %s:%s: %s; retry in %.2f s", *self.address[:2], exc, delay)
        self._set_state(SupervisorState.BACKOFF)

    async def wait_connected(self, timeout: float | None = None) -> RCONConnection:
        """The live connection, waiting up to ``timeout`` for one."""
        if timeout is None:
            timeout = self.timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            conn = self._conn
            if conn is not None and conn.authenticated:
                return conn
            if self.state is SupervisorState.AUTH_FAILED:
                raise RCONAuthenticationError()
            if self.state is SupervisorState.STOPPED or self._task is None:
                raise RCONError("RCON supervisor is not running")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise RCONCommunicationError(
                    f"not connected to {self.address[0]}:{self.address[1]} (reconnecting)"
                )
            changed = self._changed
            try:
                async with asyncio.timeout(remaining):
                    await changed.wait()
            except TimeoutError:
                continue

    # -- commands --------------------------------------------------------------------------------

    async def _execute(
        self, command: str, *, block: bool, raw: bool, timeout: float | None
    ) -> str | bytes | None:
        """Run ``command`` on the current connection, waiting for one if reconnecting
        (``timeout`` covers both)."""
        conn = await self.wait_connected(timeout)
        return await conn._execute(command, block=block, raw=raw, timeout=timeout)
