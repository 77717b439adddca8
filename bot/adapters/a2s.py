"""A2S (Valve's server query, Source and GoldSrc) as a query adapter.

INFO then PLAYERS through one shared :class:`~bot.protocols.a2s.A2SEngine` (one UDP socket for
every server the bot polls); PLAYERS failing still gives a status (``players_known`` False).
Hot path of the poller: a 10,000-server round converts some 300,000 players here.
"""

from __future__ import annotations

import dataclasses
import socket
import time
from collections.abc import Mapping, Sequence
from typing import Any

from bot.adapters.query import JsonValue, QueryError, QueryFailure, QueryResult, os_failure
from bot.protocols import a2s
from bot.protocols.a2s import A2SEngine, GoldSrcInfo, Player, SourceInfo
from bot.snapshots import PlayerInfo, ServerInfo

PROTOCOL = "a2s"


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


_NEW = object.__new__
# A frozen dataclass's __init__ sets each field through object.__setattr__; its slot descriptors
# do the same in half the time.
_SET_NAME, _SET_SCORE, _SET_DURATION = (
    PlayerInfo.__dict__[name].__set__ for name in ("name", "score", "duration")
)


def player_infos(raw: Sequence[Player[Any]]) -> list[PlayerInfo]:
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
    """The neutral status from decoded A2S answers (``players`` None: PLAYERS failed)."""
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


@dataclasses.dataclass(frozen=True, slots=True)
class A2SAnswer:
    """The raw side of an A2S result."""

    info: SourceInfo[Any] | GoldSrcInfo[Any]
    # The engine's PlayerList (its ``truncated`` says whether the server cut the list).
    players: Sequence[Player[Any]] | None


def _failure(exc: BaseException, host: str, timeout: float) -> QueryError:
    if isinstance(exc, socket.gaierror):
        return QueryError(QueryFailure.DNS, f"{host} does not resolve", protocol=PROTOCOL)
    if isinstance(exc, TimeoutError):
        return QueryError(
            QueryFailure.NO_ANSWER, f"no answer within {timeout:g} s", protocol=PROTOCOL
        )
    if isinstance(exc, a2s.BrokenMessageError):
        return QueryError(
            QueryFailure.NOT_THIS_PROTOCOL, "the answer is not valid A2S", protocol=PROTOCOL
        )
    if isinstance(exc, OSError):
        detail = exc.strerror or type(exc).__name__
        return QueryError(os_failure(exc), detail, protocol=PROTOCOL)
    return QueryError(QueryFailure.NOT_THIS_PROTOCOL, type(exc).__name__, protocol=PROTOCOL)


class A2SAdapter:
    """A2S INFO + PLAYERS on one engine (the bot's shared one unless given)."""

    protocol = PROTOCOL
    label = "A2S query"
    transport = "UDP"
    needs_password = False

    def __init__(self, engine: A2SEngine | None = None) -> None:
        self._engine = engine

    @property
    def engine(self) -> A2SEngine:
        return self._engine if self._engine is not None else a2s.default_engine()

    async def query(
        self,
        host: str,
        port: int,
        *,
        timeout: float,  # covers both requests
        players: bool = True,
        password: str | None = None,
    ) -> QueryResult:
        engine = self.engine
        address = (host, port)
        started = time.monotonic()
        try:
            info = await engine.info(address, timeout)
        except (OSError, TimeoutError, a2s.A2SError) as exc:
            raise _failure(exc, host, timeout) from exc
        # The engine reports the INFO round trip; a resend makes it larger, which is fair.
        ping_ms = info.ping * 1000.0
        raw_players: list[Player[Any]] | None = None
        listed: list[PlayerInfo] | None = None
        if players:
            remaining = max(0.1, timeout - (time.monotonic() - started))
            try:
                raw_players = await engine.players(address, remaining)
            except (TimeoutError, OSError, a2s.A2SError):
                # Still online: the count is known, the names are not.
                raw_players = None
            else:
                listed = player_infos(raw_players)
        status = info_to_server(info, listed, ping_ms)
        answer = A2SAnswer(info, raw_players)
        return QueryResult(status, answer)

    def raw_fields(self, raw: object) -> Mapping[str, JsonValue]:
        if not isinstance(raw, A2SAnswer):
            return {}
        info = raw.info
        data: dict[str, JsonValue] = dataclasses.asdict(info)
        if isinstance(info, SourceInfo):
            data["resolved_app_id"] = info.resolved_app_id
            data["real_player_count"] = info.real_player_count
            data["real_max_players"] = info.real_max_players
        fields: dict[str, JsonValue] = {"info": _jsonable(data)}
        if raw.players is not None:
            fields["players"] = [_jsonable(dataclasses.asdict(p)) for p in raw.players]
        return fields

    async def find_port(
        self,
        host: str,
        game_port: int,
        *,
        known: Sequence[int] = (),
        timeout: float,  # per probe round
    ) -> int | None:
        """The port near ``game_port`` that answers A2S (``known`` first), or None."""
        try:
            return await a2s.afind_query_port(
                host, game_port, known=known, timeout=timeout, engine=self._engine
            )
        except OSError:
            return None


def _jsonable(data: dict[str, Any]) -> dict[str, JsonValue]:
    return {k: _text(v) if isinstance(v, bytes) else v for k, v in data.items()}
