"""The Quake 3 family (ioquake3, ET, Urban Terror, OpenArena, Call of Duty…) as a query adapter.

``players=True`` asks ``getstatus`` (info and the player list); ``players=False`` asks the
lighter ``getinfo`` (counts only). One request per call (resent once if unanswered): servers
rate-limit these and drop the excess silently.

Bots: only ``getinfo`` says how many clients are human (ioq3 ``g_humanplayers``, ET
``humans``); the player list cannot tell, because ping 0 marks bots and LAN players alike. So
``bots`` is 0 for a ``getstatus`` answer and for servers that do not report humans.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from bot.adapters.query import JsonValue, QueryResult
from bot.adapters.udp_failures import UdpErrors
from bot.adapters.udp_query import UdpQueryAdapter
from bot.protocols import quake3
from bot.protocols.quake3 import Q3Info, Q3Status
from bot.snapshots import PlayerInfo, ServerInfo

PROTOCOL = "quake3"


def _version(version: str, protocol: int | None) -> str:
    return version or (f"protocol {protocol}" if protocol is not None else "")


def status_to_server(status: Q3Status) -> ServerInfo:
    """The neutral status of a ``statusResponse``."""
    return ServerInfo(
        name=status.hostname,
        map=status.map,
        players=len(status.players),
        max_players=max(0, status.max_players or 0),
        bots=0,
        password=bool(status.needs_password),
        vac=False,
        version=_version(status.version, status.protocol),
        product=status.game,
        ping_ms=status.latency * 1000.0,
        player_list=tuple(PlayerInfo(p.name, p.score, 0.0) for p in status.players),
        players_known=True,
    )


def info_to_server(info: Q3Info) -> ServerInfo:
    """The neutral status of an ``infoResponse`` (no player list)."""
    return ServerInfo(
        name=info.hostname,
        map=info.map,
        players=max(0, info.clients or 0),
        max_players=max(0, info.max_players or 0),
        bots=info.bots or 0,
        password=bool(info.needs_password),
        vac=False,
        version=_version("", info.protocol),
        product=info.game,
        ping_ms=info.latency * 1000.0,
        player_list=(),
        players_known=False,
    )


_ERRORS = UdpErrors(
    PROTOCOL,
    "Quake 3 status answer",
    error=quake3.Q3Error,
    timeout=quake3.Q3TimeoutError,
    refused=quake3.Q3RefusedError,
    resolve=quake3.Q3ResolveError,
    unreachable=quake3.Q3UnreachableError,
    malformed=quake3.Q3MalformedError,
)


class Quake3Adapter(UdpQueryAdapter):
    """``getstatus``/``getinfo`` to a Quake 3 family server (27960; CoD 28960)."""

    protocol = PROTOCOL
    label = "Quake 3 status query"
    errors = _ERRORS

    async def ask(self, host: str, port: int, remaining: float, players: bool) -> QueryResult:
        if players:
            status = await quake3.get_status(host, port, timeout=remaining)
            return QueryResult(status_to_server(status), status)
        info = await quake3.get_info(host, port, timeout=remaining)
        return QueryResult(info_to_server(info), info)

    def raw_fields(self, raw: object) -> Mapping[str, JsonValue]:
        if not isinstance(raw, Q3Status | Q3Info):
            return {}
        fields: dict[str, JsonValue] = dataclasses.asdict(raw)
        fields["info"] = dict(raw.info)
        if isinstance(raw, Q3Status):
            fields["players"] = [dataclasses.asdict(p) for p in raw.players]
        return fields
