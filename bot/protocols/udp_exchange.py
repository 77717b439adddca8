"""One UDP request/answer exchange, the asyncio transport of the UDP query packages.

One connected socket per call, closed when it returns: it gets only the server's datagrams
and, on Linux, its ICMP errors (a closed port answers "port unreachable", reported at once as
the package's refused error). One ``timeout`` covers everything: name resolution, every
resend, the answer. The request is resent up to ``attempts`` times, evenly spread over the
timeout. Datagrams the query refuses are counted and ignored (a valid answer may still
follow); if nothing valid arrives, the error is the last reason one was refused, else a
timeout. Each package passes its own error classes in (:class:`UDPErrors`), so callers still
get that package's hierarchy and nothing else for what the network or the server does.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, cast

from bot.protocols.udp_query import MAX_ATTEMPTS, MalformedDatagram

# A server spraying junk must not keep the call busy until the deadline.
MAX_REJECTED_DATAGRAMS = 16

Answer = TypeVar("Answer")
Answer_co = TypeVar("Answer_co", covariant=True)


class ResendingQuery(Protocol[Answer_co]):
    """The sans-IO state machine of one query (see :mod:`bot.protocols.udp_query`)."""

    @property
    def attempts(self) -> int: ...

    def next_request(self, now: float) -> bytes: ...

    def receive(self, datagram: bytes, now: float) -> Answer_co: ...


@dataclass(frozen=True, slots=True)
class UDPErrors:
    """A package's error classes; each factory takes the message."""

    malformed: type[MalformedDatagram]  # what the query's ``receive`` raises for a refused datagram
    timeout: Callable[[str], Exception]
    unreachable: Callable[[str], Exception]
    resolve: Callable[[str], Exception]  # the name does not resolve (an unreachable error)
    refused: Callable[[str], Exception]  # ICMP port unreachable (an unreachable error)
    reply: str = "answer"  # what an answer is called in the timeout message


def network_error(exc: BaseException, errors: UDPErrors) -> Exception:
    """The package's error for an ``OSError`` of the socket or of name resolution."""
    if isinstance(exc, ConnectionRefusedError):
        return errors.refused("nothing listens on that UDP port (ICMP port unreachable)")
    if isinstance(exc, socket.gaierror):
        return errors.resolve(f"the name does not resolve ({exc.strerror})")
    return errors.unreachable(f"network error: {exc}")


class _Exchange(asyncio.DatagramProtocol, Generic[Answer]):
    """Sends the requests on schedule and resolves ``answer`` with the first valid reply."""

    def __init__(
        self, query: ResendingQuery[Answer], attempts: int, interval: float, errors: UDPErrors
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._query = query
        self._attempts = attempts
        self._interval = interval
        self._errors = errors
        self._transport: asyncio.DatagramTransport | None = None
        self._resend: asyncio.TimerHandle | None = None
        self.answer: asyncio.Future[Answer] = self._loop.create_future()
        self.rejected: Exception | None = None
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
        except self._errors.malformed as exc:
            self.rejected = exc
            self.rejected_count += 1
            if self.rejected_count >= MAX_REJECTED_DATAGRAMS:
                self.answer.set_exception(exc)
            return
        self.answer.set_result(answer)

    def error_received(self, exc: Exception) -> None:
        if not self.answer.done():
            self.answer.set_exception(network_error(exc, self._errors))

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None and not self.answer.done():
            self.answer.set_exception(network_error(exc, self._errors))

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


async def exchange(
    new_query: Callable[[], ResendingQuery[Answer]],
    host: str,
    port: int,
    *,
    timeout: float,  # one deadline for DNS, resends and the answer
    attempts: int,
    errors: UDPErrors,
    max_attempts: int = MAX_ATTEMPTS,
) -> Answer:
    """Run one query made by ``new_query`` against ``host:port``; its answer or an error.

    Raises the package's errors from ``errors`` for what the network or the server does, and
    ``ValueError`` for bad arguments (``attempts`` must be 1..``max_attempts``).
    """
    if not 0 < port <= 0xFFFF:
        raise ValueError(f"port {port} out of range")
    if not timeout > 0:
        raise ValueError("timeout must be positive")
    if not 1 <= attempts <= max_attempts:
        raise ValueError(f"attempts must be 1..{max_attempts}")
    loop = asyncio.get_running_loop()
    exchanged: _Exchange[Answer] | None = None
    deadline = asyncio.timeout(timeout)
    try:
        async with deadline:
            try:
                _, exchanged = await loop.create_datagram_endpoint(
                    lambda: _Exchange(new_query(), attempts, timeout / attempts, errors),
                    remote_addr=(host, port),
                )
            except OSError as exc:
                raise network_error(exc, errors) from exc
            return await exchanged.answer
    except TimeoutError as exc:
        if not deadline.expired():
            raise
        if exchanged is not None and exchanged.rejected is not None:
            raise exchanged.rejected from exc
        raise errors.timeout(f"no {errors.reply} from {host}:{port} within {timeout:g} s") from exc
    finally:
        if exchanged is not None:
            exchanged.close()
