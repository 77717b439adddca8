"""The real network side of the services, through the protocol adapters."""

from __future__ import annotations

import logging

from bot.adapters.query import AddressLocator, PortFinder, QueryError
from bot.adapters.registry import QueryAdapters, default_admin_adapters
from bot.catalogue import ADMIN_PROTOCOL_OF
from bot.games import RconKind, get_game
from bot.services.servers.probes import LoginResult, QueryAnswer
from bot.snapshots import MAX_MAP, MAX_SERVER_NAME, clip_text

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 1.0


class AdapterQueryClient:
    """``/server add`` and ``/server test`` queries through the query adapters."""

    def __init__(self, adapters: QueryAdapters, probe_timeout: float = PROBE_TIMEOUT) -> None:
        self.adapters = adapters
        self.probe_timeout = probe_timeout

    async def info(
        self, host: str, port: int, *, timeout: float, protocol: str = "a2s"
    ) -> QueryAnswer:
        # With players: a protocol that gets names from a second request (Minecraft's Query)
        # says so when that request is disabled, which /server test passes on.
        result = await self.adapters.adapter(protocol).query(host, port, timeout=timeout)
        status = result.status
        return QueryAnswer(
            port=port,
            # Shown in /server add and /server test replies: bounded like polled answers.
            name=clip_text(status.name, MAX_SERVER_NAME),
            map=clip_text(status.map, MAX_MAP),
            players=status.players,
            max_players=status.max_players,
            ping_ms=status.ping_ms,
            notes=result.notes,
        )

    async def locate(self, host: str, protocol: str, *, timeout: float) -> tuple[str, int] | None:
        adapter = self.adapters.adapter(protocol)
        if not isinstance(adapter, AddressLocator):
            return None
        return await adapter.locate(host, timeout=timeout)

    async def find_query_port(self, host: str, game_port: int, game: str) -> int | None:
        # The game's query ports from the catalogue first; the protocol packages know no games.
        entry = get_game(game)
        protocol = entry.query_protocol if entry is not None else "a2s"
        known = entry.probe_ports_for(game_port) if entry is not None else [game_port]
        adapter = self.adapters.adapter(protocol)
        if isinstance(adapter, PortFinder):
            return await adapter.find_port(host, game_port, known=known, timeout=self.probe_timeout)
        for port in dict.fromkeys(known):
            try:
                await adapter.query(host, port, timeout=self.probe_timeout, players=False)
            except QueryError:
                continue
            return port
        return None


async def rcon_login_test(
    kind: RconKind, host: str, port: int, password: str, *, timeout: float
) -> LoginResult:
    """One login attempt through the game's admin adapter, then disconnect. Never retried
    (srcds bans after failures)."""
    protocol = ADMIN_PROTOCOL_OF.get(kind)
    if protocol is None:
        raise ValueError(f"{kind.label} has no login to test")
    adapter = _ADMIN.adapter(protocol)
    return await adapter.test_login(host, port, password, timeout=timeout)


_ADMIN = default_admin_adapters()
