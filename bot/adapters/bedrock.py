"""Minecraft: Bedrock Edition (RakNet unconnected ping) as a query adapter.

One datagram each way (resent once within the timeout). The pong carries counts, no player
names, so ``players_known`` is always False; the MOTD's second line (the level name) stands
in for the map.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from bot.adapters.caps import ConnectionCap
from bot.adapters.query import JsonValue, QueryResult
from bot.adapters.udp_failures import UdpErrors
from bot.protocols import bedrock
from bot.protocols.bedrock import BedrockStatus, Edition
from bot.snapshots import ServerInfo

PROTOCOL = "bedrock"
# Pings in flight at once (one UDP socket each); the rest wait inside their own timeout.
MAX_SOCKETS = 256
_PRODUCTS = {Edition.POCKET: "Minecraft: Bedrock Edition", Edition.EDUCATION: "Minecraft Education"}


def status_to_server(status: BedrockStatus) -> ServerInfo:
    """The neutral status of a decoded pong."""
    motd = status.motd
    version = motd.version or (f"protocol {motd.protocol}" if motd.protocol is not None else "")
    return ServerInfo(
        name=motd.name,
        map=motd.level_name,
        players=motd.players,
        max_players=motd.max_players,
        bots=0,
        password=False,
        vac=False,
        version=version,
        product=_PRODUCTS[motd.edition],
        ping_ms=status.latency * 1000.0,
        player_list=(),
        players_known=False,
    )


_ERRORS = UdpErrors(
    PROTOCOL,
    "Bedrock pong",
    timeout=bedrock.BedrockTimeoutError,
    refused=bedrock.BedrockRefusedError,
    resolve=bedrock.BedrockResolveError,
    unreachable=bedrock.BedrockUnreachableError,
    malformed=bedrock.BedrockMalformedError,
)


class BedrockAdapter:
    """RakNet Unconnected Ping to a Bedrock server (default port 19132)."""

    protocol = PROTOCOL
    label = "Bedrock ping"
    transport = "UDP"
    needs_password = False

    def __init__(self, *, max_sockets: int = MAX_SOCKETS) -> None:
        self.cap = ConnectionCap(max_sockets, protocol=PROTOCOL)

    async def query(
        self,
        host: str,
        port: int,
        *,
        timeout: float,  # noqa: ASYNC109 - covers the whole ping
        players: bool = True,
        password: str | None = None,
    ) -> QueryResult:
        # ``players`` changes nothing: the pong never names players.
        async with self.cap.slot(timeout) as remaining:
            try:
                status = await bedrock.ping(host, port, timeout=remaining)
            except bedrock.BedrockError as exc:
                raise _ERRORS.failure(exc, timeout) from exc
        return QueryResult(status_to_server(status), status)

    def raw_fields(self, raw: object) -> Mapping[str, JsonValue]:
        if not isinstance(raw, BedrockStatus):
            return {}
        fields: dict[str, JsonValue] = dataclasses.asdict(raw)
        fields["motd"]["edition"] = raw.motd.edition.value
        fields["motd"]["extra"] = list(raw.motd.extra)
        return fields
