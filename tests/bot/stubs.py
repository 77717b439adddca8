"""In-memory stand-ins for the network side of the services (fast, deterministic)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.games import RconKind
from bot.services.servers.probes import (
    LoginResult,
    LoginStatus,
    QueryAnswer,
    QueryError,
    QueryFailure,
)


@dataclass
class StubQuery:
    """Ports in ``answering`` answer A2S; everything else is silent."""

    answering: set[int] = field(default_factory=set)
    not_a2s: set[int] = field(default_factory=set)
    probe_result: int | None = None
    ping_ms: float = 12.0
    server_name: str = "Stub Server"
    calls: list[tuple[str, int]] = field(default_factory=list)
    probes: list[tuple[str, int, str]] = field(default_factory=list)

    protocols: list[str] = field(default_factory=list)

    async def info(
        self, host: str, port: int, *, timeout: float, protocol: str = "a2s"
    ) -> QueryAnswer:
        self.calls.append((host, port))
        self.protocols.append(protocol)
        if port in self.not_a2s:
            raise QueryError(QueryFailure.NOT_THIS_PROTOCOL, "not A2S")
        if port not in self.answering:
            raise QueryError(QueryFailure.NO_ANSWER, f"no answer within {timeout:g} s")
        return QueryAnswer(port, self.server_name, "de_dust2", 3, 16, self.ping_ms)

    located: dict[str, tuple[str, int]] = field(default_factory=dict)

    async def locate(self, host: str, protocol: str, *, timeout: float) -> tuple[str, int] | None:
        return self.located.get(host)

    async def find_query_port(self, host: str, game_port: int, game: str) -> int | None:
        self.probes.append((host, game_port, game))
        return self.probe_result


@dataclass
class StubLogin:
    password: str = "s3cret-pass"
    status_if_wrong: LoginStatus = LoginStatus.REFUSED
    offline: bool = False
    calls: list[tuple[RconKind, str, int]] = field(default_factory=list)
    passwords: list[str] = field(default_factory=list)

    async def __call__(
        self, kind: RconKind, host: str, port: int, password: str, *, timeout: float
    ) -> LoginResult:
        self.calls.append((kind, host, port))
        self.passwords.append(password)
        if self.offline:
            return LoginResult(LoginStatus.NO_ANSWER, "no answer")
        if password != self.password:
            return LoginResult(self.status_if_wrong, "refused")
        return LoginResult(LoginStatus.OK)
