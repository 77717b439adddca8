"""Minecraft: Bedrock Edition (RakNet unconnected ping) as a query adapter.

One datagram each way (resent once within the timeout). The pong carries counts, no player
names, so ``players_known`` is always False; the MOTD's second line (the level name) stands
in for the map.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from bot.adapters.query import JsonValue, QueryResult
from bot.adapters.udp_failures import UdpErrors
from bot.adapters.udp_query import UdpQueryAdapter
from bot.protocols import bedrock
from bot.protocols.bedrock import BedrockStatus, Edition
from bot.snapshots import ServerInfo

PROTOCOL = "bedrock"
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
    error=bedrock.BedrockError,
    timeout=bedrock.BedrockTimeoutError,
    refused=bedrock.BedrockRefusedError,
    resolve=bedrock.BedrockResolveError,
    unreachable=bedrock.BedrockUnreachableError,
    malformed=bedrock.BedrockMalformedError,
)


class BedrockAdapter(UdpQueryAdapter):
    """RakNet Unconnected Ping to a Bedrock server (default port 19132)."""

    protocol = PROTOCOL
    label = "Bedrock ping"
    errors = _ERRORS

    async def ask(self, host: str, port: int, remaining: float, players: bool) -> QueryResult:
        # ``players`` changes nothing: the pong never names players.
        status = await bedrock.ping(host, port, timeout=remaining)
        return QueryResult(status_to_server(status), status)

    def raw_fields(self, raw: object) -> Mapping[str, JsonValue]:
        if not isinstance(raw, BedrockStatus):
            return {}
        fields: dict[str, JsonValue] = dataclasses.asdict(raw)
        fields["motd"]["edition"] = raw.motd.edition.value
        fields["motd"]["extra"] = list(raw.motd.extra)
        return fields
