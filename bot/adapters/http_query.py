"""What the HTTP query adapters (FiveM, Palworld) share: their bounds, the query around their
requests and how their packages' errors read as query failures (:class:`HttpErrors`).

Each asks its requests (:meth:`HttpQueryAdapter.ask`, the protocol's own part) within a slot,
on the shared session, and has its package's errors mapped; an adapter that
:attr:`~HttpQueryAdapter.needs_password` fails without one before taking a slot.

The queries in flight (or waiting for a slot) share one aiohttp session (see
:class:`~bot.adapters.caps.SharedSession`: closed when the last of them ends;
:meth:`HttpQueryAdapter.close` closes it at shutdown) whose connector holds at most
``max_connections``; each query asks for up to :attr:`HttpQueryAdapter.connections_per_query`
bodies at once, so at most that fraction as many queries run at once and the others wait inside
their timeout.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import ClassVar

import aiohttp

from bot.adapters.caps import ConnectionCap, SharedSession
from bot.adapters.query import QueryError, QueryFailure, QueryResult

# HTTP connections open at once across every query of one adapter, and to one server.
MAX_CONNECTIONS = 256
MAX_CONNECTIONS_PER_SERVER = 3

# The protocol packages' ``reason`` of an unreachable server, as a query failure (others:
# NETWORK).
_UNREACHABLE = {
    "dns": QueryFailure.DNS,
    "invalid_address": QueryFailure.DNS,
    "refused": QueryFailure.UNREACHABLE,
}


@dataclass(frozen=True, slots=True)
class HttpErrors:
    """One HTTP package's error classes, mapped; any other error of it: NOT_THIS_PROTOCOL
    (redirects, 404s, bodies that are not the protocol's JSON: another web server)."""

    protocol: str
    # The package's base error: what a query catches and maps.
    error: type[Exception]
    timeout: type[Exception]
    unreachable: type[Exception]  # with a ``reason`` (see _UNREACHABLE)
    http: type[Exception]  # an answer with an HTTP ``status``
    refused: type[Exception] | None = None  # the stored password was refused

    def failure(self, exc: Exception) -> QueryError:
        failure = QueryFailure.NOT_THIS_PROTOCOL
        if self.refused is not None and isinstance(exc, self.refused):
            failure = QueryFailure.AUTH_REFUSED
        elif isinstance(exc, self.timeout):
            failure = QueryFailure.NO_ANSWER
        elif isinstance(exc, self.unreachable):
            failure = _UNREACHABLE.get(getattr(exc, "reason", ""), QueryFailure.NETWORK)
        elif isinstance(exc, self.http) and getattr(exc, "status", 0) >= 400:
            # 429 included: the server answered, it just will not now.
            failure = QueryFailure.SERVER_ERROR
        # The packages' messages never hold a password (their errors modules say how).
        return QueryError(failure, str(exc), protocol=self.protocol)


@dataclass(frozen=True, slots=True)
class QueryCall:
    """One query as its requests are asked: where, what is wanted, and what its slot gave."""

    session: aiohttp.ClientSession  # the shared one
    host: str
    port: int
    remaining: float  # seconds left of the query's timeout
    players: bool  # whether the player list is wanted
    password: str = field(repr=False)  # "" for none; never in a repr (logs)


class HttpQueryAdapter(ABC):
    protocol: ClassVar[str]
    label: ClassVar[str]
    errors: ClassVar[HttpErrors]
    # Bodies one query fetches concurrently.
    connections_per_query: ClassVar[int]
    transport = "TCP"
    needs_password: ClassVar[bool] = False
    # What a query without the password it needs says (AUTH_REQUIRED).
    password_missing: ClassVar[str] = ""

    def __init__(self, *, max_connections: int = MAX_CONNECTIONS) -> None:
        self.cap = ConnectionCap(
            max(1, max_connections // self.connections_per_query), protocol=self.protocol
        )
        self.session = SharedSession(
            limit=max_connections,
            limit_per_host=min(max_connections, MAX_CONNECTIONS_PER_SERVER),
        )

    async def close(self) -> None:
        """Close the shared HTTP session (at shutdown)."""
        await self.session.close()

    @asynccontextmanager
    async def slot(
        self,
        timeout: float,  # the query's, waiting for the slot included
    ) -> AsyncIterator[tuple[aiohttp.ClientSession, float]]:
        """The shared session and what is left of ``timeout`` once a slot is held."""
        # Waiting queries hold the session too: it stays open until the queue is empty.
        async with self.session.use() as session, self.cap.slot(timeout) as remaining:
            yield session, remaining

    async def query(
        self,
        host: str,
        port: int,
        *,
        timeout: float,  # covers every request of the call
        players: bool = True,
        password: str | None = None,
    ) -> QueryResult:
        if self.needs_password and not password:
            # Refused before a slot: nothing would be sent anyway.
            raise QueryError(
                QueryFailure.AUTH_REQUIRED, self.password_missing, protocol=self.protocol
            )
        async with self.slot(timeout) as (session, remaining):
            call = QueryCall(session, host, port, remaining, players, password or "")
            try:
                return await self.ask(call)
            except self.errors.error as exc:
                raise self.errors.failure(exc) from exc

    @abstractmethod
    async def ask(self, call: QueryCall) -> QueryResult:
        """The requests of one query and their result; raises the package's errors
        (``errors.error`` and below)."""
