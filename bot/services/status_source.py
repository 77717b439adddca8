"""Where the poller gets a server's status from: A2S through the shared engine.

``StatusSource`` is the interface (tests pass their own); :class:`A2SStatusSource` is the real
one: INFO and PLAYERS through one :class:`~bot.protocols.a2s.A2SEngine` for the whole bot, and,
for BattlEye games whose A2S player names are empty (DayZ), the names from a
:class:`~bot.services.battleye_players.PlayerNames` provider.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import Any, Protocol

from bot.protocols.a2s import A2SEngine, GoldSrcInfo, Player, SourceInfo
from bot.services.battleye_players import PlayerNames, PollContext
from bot.snapshots import PlayerInfo, ServerInfo, Target

log = logging.getLogger(__name__)


class StatusSource(Protocol):
    async def fetch(self, target: Target, context: PollContext, time_limit: float) -> ServerInfo:
        """Query one target; raise any exception on failure (the poller isolates it)."""
        ...


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


_NEW = object.__new__
# A frozen dataclass's __init__ sets each field through object.__setattr__; its slot descriptors
# do the same in half the time, and a 10,000-server round builds some 300,000 PlayerInfo.
_SET_NAME, _SET_SCORE, _SET_DURATION = (
    PlayerInfo.__dict__[name].__set__ for name in ("name", "score", "duration")
)


def _player_infos(raw: list[Player[Any]]) -> list[PlayerInfo]:
    """Our player values from A2S's (names decoded as text unless the engine gave bytes)."""
    out: list[PlayerInfo] = []
    append = out.append
    for p in raw:
        player: PlayerInfo = _NEW(PlayerInfo)
        name = p.name
        _SET_NAME(player, name if type(name) is str else _text(name))
        _SET_SCORE(player, int(p.score))
        _SET_DURATION(player, float(p.duration))
        append(player)
    return out


def info_to_server(
    info: SourceInfo[Any] | GoldSrcInfo[Any],
    players: list[PlayerInfo] | None,
    ping_ms: float,
) -> ServerInfo:
    """Our value type from decoded A2S answers (``players`` None: PLAYERS failed)."""
    if isinstance(info, SourceInfo):
        count, slots = info.real_player_count, info.real_max_players
    else:
        count, slots = info.player_count, info.max_players
    version = _text(info.version) if isinstance(info, SourceInfo) else str(info.protocol)
    return ServerInfo(
        name=_text(info.server_name),
        map=_text(info.map_name),
        players=count,
        max_players=slots,
        bots=info.bot_count,
        password=bool(info.password_protected),
        vac=bool(info.vac_enabled),
        version=version,
        product=_text(info.game),
        ping_ms=ping_ms,
        player_list=tuple(players or ()),
        players_known=players is not None,
    )


class A2SStatusSource:
    """INFO then PLAYERS on the shared engine; PLAYERS failing still counts as online."""

    def __init__(self, engine: A2SEngine, names: PlayerNames | None = None) -> None:
        self.engine = engine
        self.names = names

    async def fetch(self, target: Target, context: PollContext, time_limit: float) -> ServerInfo:
        address = (target.host, target.port)
        started = time.monotonic()
        info = await self.engine.info(address, time_limit)
        # The engine reports the INFO round trip; a retry makes it larger, which is fair.
        ping_ms = info.ping * 1000.0
        remaining = max(0.1, time_limit - (time.monotonic() - started))
        players: list[PlayerInfo] | None
        try:
            raw = await self.engine.players(address, remaining)
        except (TimeoutError, OSError, ValueError) as exc:
            log.debug("players of %s failed: %s", target.key, type(exc).__name__)
            players = None
        else:
            players = _player_infos(raw)
        private: list[tuple[str, tuple[PlayerInfo, ...]]] = []
        if self.names is not None and context.wants_names(players):
            # One fetch per guild's credentials; each result is kept for that guild alone.
            for access in context.all_accesses():
                remaining = max(0.1, time_limit - (time.monotonic() - started))
                try:
                    async with asyncio.timeout(remaining):
                        names = await self.names.names(replace(context, battleye=access))
                except Exception as exc:  # any provider failure: keep the A2S answer
                    log.debug("player names of %s failed: %s", target.key, type(exc).__name__)
                else:
                    private.append((access.key, tuple(PlayerInfo(n, 0, 0.0) for n in names)))
        server = info_to_server(info, players, ping_ms)
        return replace(server, private_lists=tuple(private)) if private else server
