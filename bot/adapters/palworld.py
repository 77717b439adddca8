"""Palworld's REST API as a query adapter: info + metrics (+ players) with the admin password.

The REST API has no anonymous status: without a stored password the query fails with
AUTH_REQUIRED. The port is the REST port (8212 by default), not the game port (8211/UDP).
The admin endpoints (announce, kick, ban, unban, save, shutdown, stop) are
:class:`~bot.protocols.palworld.PalworldClient` methods, for the admin adapter to wrap.

The queries share one aiohttp session, bounded as :mod:`bot.adapters.http_query` says. Sharing
is safe across servers and passwords: the password goes in each request's header, redirects are
not followed, connections are not reused and there is no cookie jar.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from bot.adapters.http_query import HttpErrors, HttpQueryAdapter, QueryCall
from bot.adapters.query import JsonValue, QueryResult
from bot.protocols import palworld
from bot.protocols.palworld import PalworldClient, PalworldStatus
from bot.snapshots import PlayerInfo, ServerInfo

PROTOCOL = "palworld"


def status_to_server(status: PalworldStatus, players_known: bool) -> ServerInfo:
    """The neutral status of one Palworld answer."""
    return ServerInfo(
        name=status.info.servername,
        map="",  # one world, no map name in the API
        players=status.metrics.currentplayernum,
        max_players=status.metrics.maxplayernum,
        bots=0,
        password=False,  # the join password is not in info or metrics
        vac=False,
        version=status.info.version,
        product="Palworld",
        ping_ms=status.ping,
        # Palworld lists neither score nor time connected (level is not a score).
        player_list=tuple(PlayerInfo(p.name, 0, 0.0) for p in status.players),
        players_known=players_known,
    )


_ERRORS = HttpErrors(
    PROTOCOL,
    error=palworld.PalworldError,
    timeout=palworld.PalworldTimeout,
    unreachable=palworld.PalworldUnreachable,
    http=palworld.PalworldRequestError,
    refused=palworld.AuthRefused,
)


class PalworldAdapter(HttpQueryAdapter):
    """One :class:`PalworldClient` per query, on the shared session; no per-server state."""

    protocol = PROTOCOL
    label = "Palworld REST API"
    errors = _ERRORS
    # The REST API answers nobody without the admin password.
    needs_password = True
    password_missing = "Palworld's REST API needs the server's AdminPassword"
    # info, metrics and players are fetched concurrently.
    connections_per_query = 3

    async def ask(self, call: QueryCall) -> QueryResult:
        client = PalworldClient(
            call.host,
            call.port,
            password=call.password,
            timeout=call.remaining,
            session=call.session,
        )
        status = await client.status(players=call.players)
        return QueryResult(status_to_server(status, call.players), status)

    def raw_fields(self, raw: object) -> Mapping[str, JsonValue]:
        if not isinstance(raw, PalworldStatus):
            return {}
        return {
            "info": dataclasses.asdict(raw.info),
            "metrics": dataclasses.asdict(raw.metrics),
            "players": [dataclasses.asdict(p) for p in raw.players],
        }
