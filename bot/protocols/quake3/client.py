"""The asyncio transport: one connected UDP socket per query, closed when it returns.

A connected socket gets only the server's datagrams and, on Linux, its ICMP errors (a closed
port answers "port unreachable", reported as :class:`Q3RefusedError` at once). One ``timeout``
covers everything: name resolution, every resend, the answer.

The request is resent up to ``attempts`` times, evenly spread over the timeout. Servers rate
limit these requests and drop the excess silently (ioq3: a burst of 10, then 1/s per address;
ET:Legacy: 3 answers per 2 s per /24), so keep ``attempts`` small and poll at most once a
second. Datagrams that are not our answer are counted and ignored (a valid one may follow);
if nothing valid arrives, the error is the last reason one was refused, else a timeout.
"""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any, Generic, cast

from bot.protocols.quake3.errors import (
    Q3MalformedError,
    Q3RefusedError,
    Q3ResolveError,
    Q3TimeoutError,
    Q3UnreachableError,
)
from bot.protocols.quake3.models import Q3Info, Q3Status
from bot.protocols.quake3.query import MAX_ATTEMPTS, Answer, InfoQuery, Q3Query, StatusQuery

# ioq3/ET/UrT/OpenArena; Call of Duty 1-4/WaW use 28960, Jedi Academy 29070.
DEFAULT_PORT = 27960
DEFAULT_ATTEMPTS = 2
# A server spraying junk must not keep the call busy until the deadline.
MAX_REJECTED_DATAGRAMS = 16


def _network_error(exc: BaseException) -> Q3UnreachableError:
    if isinstance(exc, ConnectionRefusedError):
        return Q3RefusedError("nothing listens on that UDP port (ICMP port unreachable)")
    if isinstance(exc, socket.gaierror):
        return Q3ResolveError(f"the name does not resolve ({exc.strerror})")
    return Q3UnreachableError(f"network error: {exc}")


class _Exchange(asyncio.DatagramProtocol, Generic[Answer]):
    """Sends the requests on schedule and resolves ``answer`` with the first valid reply."""

    def __init__(self, query: Q3Query[Answer], attempts: int, interval: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._query: Q3Query[Answer] = query
        self._attempts = attempts
        self._interval = interval
        self._transport: asyncio.DatagramTransport | None = None
        self._resend: asyncio.TimerHandle | None = None
        self.answer: asyncio.Future[Answer] = self._loop.create_future()
        self.rejected: Q3MalformedError | None = None
        self.rejected_count = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)
        self._send()

    def _send(self) -> None:
        self._resend = None
        if self._transport is None or self.answer.done():
            return
        # perf_counter, not loop.time(): uvloop's clock moves in whole milliseconds.
        self._transport.sendto(self._query.next_request(time.perf_counter()))
        if self._query.attempts < self._attempts:
            self._resend = self._loop.call_later(self._interval, self._send)

    def datagram_received(self, data: bytes, addr: Any) -> None:
        if self.answer.done():
            return
        try:
            answer = self._query.receive(data, time.perf_counter())
        except Q3MalformedError as exc:
            self.rejected = exc
            self.rejected_count += 1
            if self.rejected_count >= MAX_REJECTED_DATAGRAMS:
                self.answer.set_exception(exc)
            return
        self.answer.set_result(answer)

    def error_received(self, exc: Exception) -> None:
        if not self.answer.done():
            self.answer.set_exception(_network_error(exc))

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None and not self.answer.done():
            self.answer.set_exception(_network_error(exc))

    def close(self) -> None:
        # Mark a late error as retrieved (asyncio would log it) and stop pending work.
        if not self.answer.done():
            self.answer.cancel()
        elif not self.answer.cancelled():
            self.answer.exception()
        if self._resend is not None:
            self._resend.cancel()
        if self._transport is not None:
            self._transport.close()


async def _run(
    query: Q3Query[Answer],
    host: str,
    port: int,
    timeout: float,  # noqa: ASYNC109 - the caller's one deadline
    attempts: int,
) -> Answer:
    if not 0 < port <= 0xFFFF:
        raise ValueError(f"port {port} out of range")
    if not timeout > 0:
        raise ValueError("timeout must be positive")
    if not 1 <= attempts <= MAX_ATTEMPTS:
        raise ValueError(f"attempts must be 1..{MAX_ATTEMPTS}")
    loop = asyncio.get_running_loop()
    exchange: _Exchange[Answer] | None = None
    deadline = asyncio.timeout(timeout)
    try:
        async with deadline:
            try:
                _, exchange = await loop.create_datagram_endpoint(
                    lambda: _Exchange(query, attempts, timeout / attempts),
                    remote_addr=(host, port),
                )
            except OSError as exc:
                raise _network_error(exc) from exc
            return await exchange.answer
    except TimeoutError as exc:
        if not deadline.expired():
            raise
        if exchange is not None and exchange.rejected is not None:
            raise exchange.rejected from exc
        raise Q3TimeoutError(f"no answer from {host}:{port} within {timeout:g} s") from exc
    finally:
        if exchange is not None:
            exchange.close()


async def get_status(
    host: str,
    port: int = DEFAULT_PORT,
    *,
    timeout: float,  # noqa: ASYNC109 - one deadline for DNS, resends and the answer
    attempts: int = DEFAULT_ATTEMPTS,
    require_challenge: bool = False,
) -> Q3Status:
    """``getstatus``: server info and players, with the round-trip time.

    Raises :class:`Q3TimeoutError`, :class:`Q3RefusedError`, :class:`Q3UnreachableError` or
    :class:`Q3MalformedError` (never anything else for what the network or the server does);
    ``ValueError`` for bad arguments. ``require_challenge``: see :mod:`.query`.
    """
    query = StatusQuery(require_challenge=require_challenge)
    return await _run(query, host, port, timeout, attempts)


async def get_info(
    host: str,
    port: int = DEFAULT_PORT,
    *,
    timeout: float,  # noqa: ASYNC109 - one deadline for DNS, resends and the answer
    attempts: int = DEFAULT_ATTEMPTS,
    require_challenge: bool = False,
) -> Q3Info:
    """``getinfo``: server info and counts without the player list; errors as ``get_status``."""
    query = InfoQuery(require_challenge=require_challenge)
    return await _run(query, host, port, timeout, attempts)
