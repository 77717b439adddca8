"""Player names from BattlEye RCon for games whose A2S player list has empty names (DayZ).

The poller asks a :class:`PlayerNames` provider; :class:`BattlEyePlayerNames` logs in, runs
``players`` and disconnects. The interface is small on purpose: when the RCON/feed service keeps
one connection per server, it can implement ``names`` on that connection instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.protocols import battleye
from bot.services.rcon_pool import RconPool
from bot.services.snapshots import PlayerInfo, Target


@dataclass(frozen=True, slots=True)
class RconAccess:
    host: str
    port: int
    password: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class PollContext:
    """What the poller knows about a target beyond its address."""

    target: Target
    games: frozenset[str] = frozenset()
    battleye: RconAccess | None = None

    def wants_names(self, players: Sequence[PlayerInfo] | None) -> bool:
        """True when BattlEye is configured and A2S gave no usable names."""
        if self.battleye is None:
            return False
        return players is None or not any(p.name.strip() for p in players)


class PlayerNames(Protocol):
    async def names(self, context: PollContext) -> list[str]:
        """Names of the connected players; raises on any failure."""
        ...


class BattlEyePlayerNames:
    """One short BattlEye session per call: login, ``players``, logout."""

    def __init__(self, login_timeout: float = 2.0) -> None:
        self.login_timeout = login_timeout

    async def names(self, context: PollContext) -> list[str]:
        access = context.battleye
        if access is None:
            return []
        config = battleye.ClientConfig(
            login_timeout=self.login_timeout, login_attempts=1, fetch_players_on_login=False
        )
        client = battleye.BattlEyeClient(config)
        try:
            async with client.connect(access.host, access.port, access.password):
                players = await client.fetch_players()
        finally:
            client.close()
        return [p.name for p in players if not p.in_lobby]


class PooledPlayerNames:
    """``players`` over the RCON pool's live connection to the same address when there is one
    (no extra login; the feed keeps its servers connected), else ``fallback``."""

    def __init__(self, pool: RconPool, fallback: PlayerNames) -> None:
        self.pool = pool
        self.fallback = fallback

    async def names(self, context: PollContext) -> list[str]:
        access = context.battleye
        if access is None:
            return []
        client = self.pool.live_battleye(access.host, access.port)
        if client is None:
            return await self.fallback.names(context)
        players = await client.fetch_players()
        return [p.name for p in players if not p.in_lobby]
