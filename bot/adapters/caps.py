"""Bounds for adapters that open a socket or a connection per query.

The poller fans a round out over thousands of servers at once (bounded in total by its own
semaphore); without a bound per protocol, one protocol's slow TCP connects could hold every
file descriptor and every slot of the round. Two pieces:

- :class:`ConnectionCap`: at most ``limit`` queries of one adapter at once. The wait for a slot
  runs inside the caller's timeout (a query that waited 1 s of its 3 s has 2 s left), so a
  round's deadline holds however long the queue; the slot is released on every path.
- :class:`SharedSession`: one aiohttp session (one connector, with its own cap on open
  connections) for all the queries of an HTTP adapter that are in flight at once, instead of
  one per query; it is closed when the last of them ends, so it never outlives a round or its
  event loop, and :meth:`SharedSession.close` closes it at shutdown.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp

from bot.adapters.query import QueryError, QueryFailure

# A query waiting for a slot longer than its timeout is reported as no answer: the server was
# never asked, but its status is as unknown as a silent server's.
_WAIT_DETAIL = "not asked: {limit} {protocol} queries already in flight for {timeout:g} s"


class ConnectionCap:
    """At most ``limit`` holders at once per event loop; see :meth:`slot`."""

    def __init__(self, limit: int, *, protocol: str) -> None:
        if limit < 1:
            raise ValueError(f"a connection cap must be at least 1, not {limit}")
        self.limit = limit
        self.protocol = protocol
        self.in_use = 0  # slots held now (for tests and metrics)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots = asyncio.Semaphore(limit)

    def _semaphore(self) -> asyncio.Semaphore:
        # A semaphore binds to the loop it first waits on; an adapter built once but used
        # from several loops (CLI runs, tests) gets a fresh one per loop.
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._loop = loop
            self._slots = asyncio.Semaphore(self.limit)
        return self._slots

    @asynccontextmanager
    async def slot(self, timeout: float) -> AsyncIterator[float]:
        """Hold one slot for the block; yields the part of ``timeout`` left after the wait.

        Raises :class:`QueryError` (NO_ANSWER) when no slot frees within ``timeout``.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        slots = self._semaphore()
        try:
            async with asyncio.timeout_at(deadline):
                await slots.acquire()
        except TimeoutError:
            detail = _WAIT_DETAIL.format(limit=self.limit, protocol=self.protocol, timeout=timeout)
            raise QueryError(QueryFailure.NO_ANSWER, detail, protocol=self.protocol) from None
        self.in_use += 1
        try:
            yield max(0.0, deadline - loop.time())
        finally:
            self.in_use -= 1
            slots.release()


@dataclass(slots=True)
class _Lease:
    session: aiohttp.ClientSession
    loop: asyncio.AbstractEventLoop
    users: int = field(default=0)


class SharedSession:
    """One aiohttp session for the calls in flight at once; see :meth:`use`.

    The connector holds at most ``limit`` connections (``limit_per_host`` to one host and
    port) and closes each after its answer: a poll comes a minute later, long after a kept-alive
    connection would have gone idle, and idle connections would not count against ``limit``.
    No cookie jar: cookies ignore ports, so one game server's could reach another on the same
    host. The call's own timeout is the only one; proxies from the environment are not used.
    """

    def __init__(self, *, limit: int, limit_per_host: int) -> None:
        self.limit = limit
        self.limit_per_host = limit_per_host
        self.sessions_opened = 0  # for tests: one per burst of calls, not one per call
        self._lease: _Lease | None = None

    @property
    def open(self) -> bool:
        return self._lease is not None

    def _new(self) -> aiohttp.ClientSession:
        self.sessions_opened += 1
        connector = aiohttp.TCPConnector(
            limit=self.limit, limit_per_host=self.limit_per_host, force_close=True
        )
        return aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=None),
            trust_env=False,
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
        )

    @asynccontextmanager
    async def use(self) -> AsyncIterator[aiohttp.ClientSession]:
        """The shared session for the block (opened by the first caller, closed by the last)."""
        loop = asyncio.get_running_loop()
        lease = self._lease
        if lease is None or lease.loop is not loop or lease.session.closed:
            lease = self._lease = _Lease(self._new(), loop)
        lease.users += 1
        try:
            yield lease.session
        finally:
            lease.users -= 1
            if lease.users == 0:
                if self._lease is lease:
                    self._lease = None
                await lease.session.close()

    async def close(self) -> None:
        """Close the session now (at shutdown); calls still in flight fail as unreachable."""
        lease, self._lease = self._lease, None
        if lease is not None:
            await lease.session.close()
