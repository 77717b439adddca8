"""The asyncio transport: one connected UDP socket per ping, closed when it returns.

A connected socket gets only the server's datagrams and, on Linux, its ICMP errors (a closed
port answers "port unreachable", reported as :class:`BedrockRefusedError` at once). One
``timeout`` covers everything: name resolution, every resend, the answer.

RakNet does not retransmit an unconnected ping, so the ping is resent up to ``attempts`` times,
evenly spread over the timeout. Datagrams that are not our pong are counted and ignored (a
valid pong may still follow); if nothing valid arrives, the error is the last reason one was
refused, or a timeout when nothing came back at all.
"""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any, cast

from bot.protocols.bedrock.errors import (
    BedrockMalformedError,
    BedrockRefusedError,
    BedrockResolveError,
    BedrockTimeoutError,
    BedrockUnreachableError,
)
from bot.protocols.bedrock.query import MAX_ATTEMPTS, BedrockStatus, PingQuery

DEFAULT_PORT = 19132
DEFAULT_ATTEMPTS = 2
# A server spraying junk must not keep the call busy until the deadline.
MAX_REJECTED_DATAGRAMS = 16


def _network_error(exc: BaseException) -> BedrockUnreachableError:
    if isinstance(exc, ConnectionRefusedError):
        return BedrockRefusedError("nothing listens on that UDP port (ICMP port unreachable)")
    if isinstance(exc, socket.gaierror):
        return BedrockResolveError(f"the name does not resolve ({exc.strerror})")
    return BedrockUnreachableError(f"network error: {exc}")


class _Exchange(asyncio.DatagramProtocol):
    """Sends the pings on schedule and resolves ``answer`` with the first valid pong."""

    def __init__(self, query: PingQuery, attempts: int, interval: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._query = query
        self._attempts = attempts
        self._interval = interval
        self._transport: asyncio.DatagramTransport | None = None
        self._resend: asyncio.TimerHandle | None = None
        self.answer: asyncio.Future[BedrockStatus] = self._loop.create_future()
        self.rejected: BedrockMalformedError | None = None
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
            status = self._query.receive(data, time.perf_counter())
        except BedrockMalformedError as exc:
            self.rejected = exc
            self.rejected_count += 1
            if self.rejected_count >= MAX_REJECTED_DATAGRAMS:
                self.answer.set_exception(exc)
            return
        self.answer.set_result(status)

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


async def ping(
    host: str,
    port: int = DEFAULT_PORT,
    *,
    timeout: float,  # noqa: ASYNC109 - one deadline for DNS, resends and the answer
    attempts: int = DEFAULT_ATTEMPTS,
) -> BedrockStatus:
    """Ping a Bedrock server and return its status, with the round-trip time.

    Raises :class:`BedrockTimeoutError`, :class:`BedrockRefusedError`,
    :class:`BedrockUnreachableError` or :class:`BedrockMalformedError` (never anything else
    for what the network or the server does); ``ValueError`` for bad arguments.
    """
    if not 0 < port <= 0xFFFF:
        raise ValueError(f"port {port} out of range")
    if not timeout > 0:
        raise ValueError("timeout must be positive")
    if not 1 <= attempts <= MAX_ATTEMPTS:
        raise ValueError(f"attempts must be 1..{MAX_ATTEMPTS}")
    loop = asyncio.get_running_loop()
    exchange: _Exchange | None = None
    deadline = asyncio.timeout(timeout)
    try:
        async with deadline:
            try:
                _, exchange = await loop.create_datagram_endpoint(
                    lambda: _Exchange(PingQuery(), attempts, timeout / attempts),
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
        raise BedrockTimeoutError(f"no pong from {host}:{port} within {timeout:g} s") from exc
    finally:
        if exchange is not None:
            exchange.close()
