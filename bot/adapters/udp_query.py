"""What the one-datagram UDP query adapters (Bedrock, Quake 3, Satisfactory) share.

Each asks one request of its package within a slot of its :class:`ConnectionCap` (one socket
per query in flight) and maps the package's errors through its :class:`UdpErrors`; only
:meth:`UdpQueryAdapter.ask` (the request and its neutral status) is the protocol's own.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from bot.adapters.caps import ConnectionCap
from bot.adapters.query import QueryResult
from bot.adapters.udp_failures import UdpErrors

# Queries in flight at once per adapter (one UDP socket each); the rest wait inside their own
# timeout.
MAX_SOCKETS = 256


class UdpQueryAdapter(ABC):
    protocol: ClassVar[str]
    label: ClassVar[str]
    errors: ClassVar[UdpErrors]
    transport = "UDP"
    needs_password = False

    def __init__(self, *, max_sockets: int = MAX_SOCKETS) -> None:
        self.cap = ConnectionCap(max_sockets, protocol=self.protocol)

    async def query(
        self,
        host: str,
        port: int,
        *,
        timeout: float,  # covers the whole query
        players: bool = True,
        password: str | None = None,
    ) -> QueryResult:
        # ``password`` changes nothing: none of these queries has one.
        async with self.cap.slot(timeout) as remaining:
            try:
                return await self.ask(host, port, remaining, players)
            except self.errors.error as exc:
                raise self.errors.failure(exc, timeout) from exc

    @abstractmethod
    async def ask(self, host: str, port: int, remaining: float, players: bool) -> QueryResult:
        """The one request, within ``remaining`` seconds (``players``: whether the player list
        is wanted), and its result; raises the package's errors (``errors.error`` and below)."""
