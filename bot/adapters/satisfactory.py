"""Satisfactory (1.0+) Lightweight Query as a query adapter.

The UDP query says whether the server runs, its name, its state, its changelist and whether
it is modded; it says nothing about players (that is the HTTPS API's ``QueryServerState``,
which needs a token). So ``players``/``max_players`` are 0 and ``players_known`` False, and
the state goes into ``notes`` when it is not "playing".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from bot.adapters.query import JsonValue, QueryResult
from bot.adapters.udp_failures import UdpErrors
from bot.adapters.udp_query import UdpQueryAdapter
from bot.protocols import satisfactory
from bot.protocols.satisfactory import SatisfactoryState, ServerState
from bot.snapshots import ServerInfo

PROTOCOL = "satisfactory"
_STATE_NOTES = {
    ServerState.OFFLINE: "the server reports itself offline",
    ServerState.IDLE: "no save loaded (the server is idle)",
    ServerState.LOADING: "loading a save (its HTTPS API is unavailable meanwhile)",
}


def state_to_server(state: SatisfactoryState) -> ServerInfo:
    """The neutral status of a Server State Response."""
    return ServerInfo(
        name=state.name,
        map="",
        players=0,
        max_players=0,
        bots=0,
        password=False,
        vac=False,
        version=f"CL {state.net_cl}",
        product="Satisfactory (modded)" if state.modded else "Satisfactory",
        ping_ms=state.latency * 1000.0,
        player_list=(),
        players_known=False,
    )


def state_notes(state: SatisfactoryState) -> tuple[str, ...]:
    if state.state == ServerState.PLAYING:
        return ()
    if isinstance(state.state, ServerState):
        return (_STATE_NOTES[state.state],)
    return (f"unknown server state {state.state}",)


_ERRORS = UdpErrors(
    PROTOCOL,
    "Satisfactory state response",
    error=satisfactory.SatisfactoryError,
    timeout=satisfactory.SatisfactoryTimeoutError,
    refused=satisfactory.SatisfactoryRefusedError,
    resolve=satisfactory.SatisfactoryResolveError,
    unreachable=satisfactory.SatisfactoryUnreachableError,
    malformed=satisfactory.SatisfactoryMalformedError,
)


class SatisfactoryAdapter(UdpQueryAdapter):
    """Poll Server State to a Satisfactory 1.0+ server (the game port, default 7777)."""

    protocol = PROTOCOL
    label = "Satisfactory query"
    errors = _ERRORS

    async def ask(self, host: str, port: int, remaining: float, players: bool) -> QueryResult:
        # ``players`` changes nothing: the UDP query has no player list.
        state = await satisfactory.poll_state(host, port, timeout=remaining)
        return QueryResult(state_to_server(state), state, notes=state_notes(state))

    def raw_fields(self, raw: object) -> Mapping[str, JsonValue]:
        if not isinstance(raw, SatisfactoryState):
            return {}
        fields: dict[str, JsonValue] = dataclasses.asdict(raw)
        fields["state_name"] = (
            raw.state.name.lower() if isinstance(raw.state, ServerState) else "unknown"
        )
        fields["modded"] = raw.modded
        fields["sub_states"] = [
            {
                "id": s.id,
                "version": s.version,
                "kind": s.kind.name.lower() if s.kind is not None else None,
            }
            for s in raw.sub_states
        ]
        return fields
