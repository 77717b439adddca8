"""FiveM / RedM (FXServer) as a query adapter: dynamic.json, info.json, players.json over HTTP.

info.json (rate-limited, the largest body) is fetched again only when dynamic.json's ``iv``
changed since the last poll of that server: the adapter keeps the last info per address in a
bounded cache.

The queries share one aiohttp session, bounded as :mod:`bot.adapters.http_query` says; each
asks for up to three bodies at once.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from bot.adapters.http_query import MAX_CONNECTIONS, HttpErrors, HttpQueryAdapter, QueryCall
from bot.adapters.query import JsonValue, QueryResult
from bot.protocols import fivem
from bot.protocols.fivem import FiveMInfo, FiveMStatus
from bot.snapshots import PlayerInfo, ServerInfo

PROTOCOL = "fivem"
# Servers whose info.json is remembered; past it the least recently polled is forgotten.
MAX_CACHED_INFO = 4096
_PLATFORMS = {"gta5": "FiveM", "rdr3": "RedM"}


def status_to_server(status: FiveMStatus) -> ServerInfo:
    """The neutral status of one FiveM answer."""
    players = status.players
    count = status.clients if status.clients is not None else len(players or ())
    platform = _PLATFORMS.get(status.info.vars.get("gamename", ""), "FXServer")
    return ServerInfo(
        name=status.hostname,
        map=status.mapname,
        players=count,
        max_players=status.max_clients or 0,
        bots=0,
        password=False,  # FXServer publishes no password flag
        vac=False,
        version=status.server_version,
        # Like A2S's game description: the game mode when the server sets one.
        product=status.gametype or platform,
        ping_ms=status.ping,
        # FXServer lists neither score nor time connected.
        player_list=tuple(PlayerInfo(p.name, 0, 0.0) for p in players or ()),
        players_known=players is not None,
    )


_ERRORS = HttpErrors(
    PROTOCOL,
    error=fivem.FiveMError,
    timeout=fivem.FiveMTimeout,
    unreachable=fivem.FiveMUnreachable,
    http=fivem.FiveMHTTPError,
)


class FiveMAdapter(HttpQueryAdapter):
    """``fetch_status`` per query, with info.json cached by ``iv``."""

    protocol = PROTOCOL
    label = "FiveM HTTP query"
    errors = _ERRORS
    # dynamic.json, info.json and players.json are fetched concurrently.
    connections_per_query = 3

    def __init__(self, *, max_connections: int = MAX_CONNECTIONS) -> None:
        super().__init__(max_connections=max_connections)
        self._info: OrderedDict[tuple[str, int], FiveMInfo] = OrderedDict()

    async def ask(self, call: QueryCall) -> QueryResult:
        # ``call.password`` changes nothing: FXServer's endpoints are public.
        key = (call.host, call.port)
        status = await fivem.fetch_status(
            call.host,
            call.port,
            timeout=call.remaining,
            players=call.players,
            known_info=self._info.get(key),
            session=call.session,
        )
        self._remember(key, status.info)
        notes: tuple[str, ...] = ()
        if status.dynamic is None:
            notes = ("the server has no dynamic.json: the name shown is its sv_projectName",)
        return QueryResult(status_to_server(status), status, icon=status.icon, notes=notes)

    def _remember(self, key: tuple[str, int], info: FiveMInfo) -> None:
        self._info[key] = info
        self._info.move_to_end(key)
        while len(self._info) > MAX_CACHED_INFO:
            self._info.popitem(last=False)

    def raw_fields(self, raw: object) -> Mapping[str, JsonValue]:
        if not isinstance(raw, FiveMStatus):
            return {}
        info: dict[str, Any] = dataclasses.asdict(raw.info)
        icon = info.pop("icon")
        info["icon_bytes"] = None if icon is None else len(icon)
        info["vars"] = dict(raw.info.vars)
        fields: dict[str, JsonValue] = {
            "info": info,
            "info_reused": raw.info_reused,
            "dynamic": None if raw.dynamic is None else dataclasses.asdict(raw.dynamic),
        }
        if raw.players is not None:
            fields["players"] = [dataclasses.asdict(p) for p in raw.players]
        return fields
