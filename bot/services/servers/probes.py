"""What the services need from the network, as small interfaces.

The real implementations (:mod:`bot.services.servers.network`) sit on the protocol adapters;
tests can pass their own. Results are plain values so cogs and the CLI render them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.adapters.admin import LoginResult, LoginStatus
from bot.adapters.query import QueryError, QueryFailure
from bot.games import RconKind

__all__ = [
    "LoginResult",
    "LoginStatus",
    "QueryAnswer",
    "QueryClient",
    "QueryError",
    "QueryFailure",
    "RconLoginTester",
]


@dataclass(frozen=True, slots=True)
class QueryAnswer:
    """The part of a status answer the registry and diagnostics show (any query protocol)."""

    port: int
    name: str
    map: str
    players: int
    max_players: int
    ping_ms: float
    # Advice that is not a failure ("query is disabled: set enable-query=true…").
    notes: tuple[str, ...] = ()


class QueryClient(Protocol):
    async def info(
        self, host: str, port: int, *, timeout: float, protocol: str = "a2s"
    ) -> QueryAnswer:
        """The server's status in ``protocol`` (a catalogue name); raises :class:`QueryError`."""
        ...

    async def locate(self, host: str, protocol: str, *, timeout: float) -> tuple[str, int] | None:
        """The address ``host`` publishes in DNS for ``protocol`` (Minecraft SRV), or None."""
        ...

    async def find_query_port(self, host: str, game_port: int, game: str) -> int | None:
        """The query port of a server of ``game`` (a catalogue key) on ``game_port``: the first
        of the game's usual ports (and, for A2S, the ports near it) that answers, or None."""
        ...


class RconLoginTester(Protocol):
    async def __call__(
        self, kind: RconKind, host: str, port: int, password: str, *, timeout: float
    ) -> LoginResult:
        """Log in once and disconnect. Never retried: srcds bans IPs after failed logins."""
        ...
