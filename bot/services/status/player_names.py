"""Player names from BattlEye RCon for games whose A2S player list has empty names (DayZ).

The poller asks a :class:`PlayerNames` provider; :class:`BattlEyePlayerNames` logs in, runs
``players`` and disconnects. The interface is small on purpose: when the RCON/feed service keeps
one connection per server, it can implement ``names`` on that connection instead.

Names fetched with a guild's credentials belong to that guild: when several guilds register the
same address, each :class:`RconAccess` carries the key of the stored credentials it came from
(:func:`access_key`), and only servers holding those credentials see what they fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.protocols import battleye
from bot.services.rcon.pool import RconPool
from bot.snapshots import PlayerInfo, Target
from bot.storage import Server


def access_key(server: Server) -> str | None:
    """Which stored credentials a server has (its RCON port and encrypted password token,
    never the password): names fetched with them are shown to this server only."""
    if server.rcon_port is None or server.rcon_password is None:
        return None
    return f"{server.rcon_port}:{server.rcon_password}"


@dataclass(frozen=True, slots=True)
class RconAccess:
    host: str
    port: int
    password: str = field(repr=False)
    # access_key() of the server these credentials are stored on ("" when not from a server).
    key: str = field(default="", repr=False)
    token: str | None = field(default=None, repr=False)  # the encrypted password as stored
    # The address ``host`` was resolved to and checked (internal addresses refused): a short
    # session goes there, not to whatever the name resolves to a moment later.
    connect_host: str | None = None


@dataclass(frozen=True, slots=True)
class PollContext:
    """What the poller knows about a target beyond its address."""

    target: Target
    games: frozenset[str] = frozenset()
    battleye: RconAccess | None = None
    # Every distinct set of BattlEye credentials registered for this address (one per guild
    # server); ``battleye`` is the first. Each one's names are kept apart.
    accesses: tuple[RconAccess, ...] = ()
    # For query protocols that need the admin password (Palworld's REST API): the stored
    # credentials of one server at this address; what they fetch is shown to that server only.
    query_access: RconAccess | None = None

    def all_accesses(self) -> tuple[RconAccess, ...]:
        if self.accesses:
            return self.accesses
        return (self.battleye,) if self.battleye is not None else ()

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
            host = access.connect_host or access.host
            async with client.connect(host, access.port, access.password):
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
        # Only a connection logged in with these very credentials: another guild's connection
        # to the same address must not answer for this one.
        client = self.pool.live_battleye(access.host, access.port, access.token)
        if client is None:
            return await self.fallback.names(context)
        players = await client.fetch_players()
        return [p.name for p in players if not p.in_lobby]
