"""Palworld's REST API as a query adapter: info + metrics (+ players) with the admin password.

The REST API has no anonymous status: without a stored password the query fails with
AUTH_REQUIRED. The port is the REST port (8212 by default), not the game port (8211/UDP).
The admin endpoints (announce, kick, ban, unban, save, shutdown, stop) are
:class:`~bot.protocols.palworld.PalworldClient` methods, for the admin adapter to wrap.

The queries in flight (or waiting for a slot) share one aiohttp session (see
:class:`~bot.adapters.caps.SharedSession`: closed when the last of them ends;
:meth:`PalworldAdapter.aclose` closes it at shutdown). Sharing is
safe across servers and passwords: the password goes in each request's header, redirects are
not followed, connections are not reused and there is no cookie jar.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from bot.adapters.caps import ConnectionCap, SharedSession
from bot.adapters.query import JsonValue, QueryError, QueryFailure, QueryResult
from bot.protocols import palworld
from bot.protocols.palworld import PalworldClient, PalworldStatus
from bot.snapshots import PlayerInfo, ServerInfo

PROTOCOL = "palworld"
# HTTP connections open at once across every Palworld query, and to one server.
MAX_CONNECTIONS = 256
MAX_CONNECTIONS_PER_SERVER = 3
# info, metrics and players are fetched concurrently.
CONNECTIONS_PER_QUERY = 3


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


def _failure(exc: palworld.PalworldError) -> QueryError:
    failure = QueryFailure.NOT_THIS_PROTOCOL
    if isinstance(exc, palworld.AuthRefused):
        failure = QueryFailure.AUTH_REFUSED
    elif isinstance(exc, palworld.PalworldTimeout):
        failure = QueryFailure.NO_ANSWER
    elif isinstance(exc, palworld.PalworldUnreachable):
        failure = {
            "dns": QueryFailure.DNS,
            "invalid_address": QueryFailure.DNS,
            "refused": QueryFailure.UNREACHABLE,
        }.get(exc.reason, QueryFailure.NETWORK)
    elif isinstance(exc, palworld.PalworldRequestError) and exc.status >= 400:
        failure = QueryFailure.SERVER_ERROR
    # The package's messages never hold the password (its errors module says how).
    return QueryError(failure, str(exc), protocol=PROTOCOL)


class PalworldAdapter:
    """One :class:`PalworldClient` per query, on the shared session; no per-server state."""

    protocol = PROTOCOL
    label = "Palworld REST API"
    transport = "TCP"
    # The REST API answers nobody without the admin password.
    needs_password = True

    def __init__(self, *, max_connections: int = MAX_CONNECTIONS) -> None:
        self.cap = ConnectionCap(
            max(1, max_connections // CONNECTIONS_PER_QUERY), protocol=PROTOCOL
        )
        self.session = SharedSession(
            limit=max_connections,
            limit_per_host=min(max_connections, MAX_CONNECTIONS_PER_SERVER),
        )

    async def aclose(self) -> None:
        """Close the shared HTTP session (at shutdown)."""
        await self.session.aclose()

    async def query(
        self,
        host: str,
        port: int,
        *,
        timeout: float,  # noqa: ASYNC109 - covers every request of the call
        players: bool = True,
        password: str | None = None,
    ) -> QueryResult:
        if not password:
            raise QueryError(
                QueryFailure.AUTH_REQUIRED,
                "Palworld's REST API needs the server's AdminPassword",
                protocol=PROTOCOL,
            )
        # Waiting queries hold the session too: it stays open until the queue is empty.
        async with self.session.use() as session, self.cap.slot(timeout) as remaining:
            client = PalworldClient(
                host, port, password=password, timeout=remaining, session=session
            )
            try:
                status = await client.status(players=players)
            except palworld.PalworldError as exc:
                raise _failure(exc) from exc
        return QueryResult(status_to_server(status, players), status)

    def raw_fields(self, raw: object) -> Mapping[str, JsonValue]:
        if not isinstance(raw, PalworldStatus):
            return {}
        return {
            "info": dataclasses.asdict(raw.info),
            "metrics": dataclasses.asdict(raw.metrics),
            "players": [dataclasses.asdict(p) for p in raw.players],
        }
