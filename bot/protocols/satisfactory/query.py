"""One state poll as a sans-IO state machine: requests out, datagrams in, a state back.

Each attempt carries its own random cookie (the token of :mod:`bot.protocols.udp_query`); the
response echoes it, which tells which attempt it answers (latency is measured from that send)
and refuses stale or spoofed responses (opengsq returns None there and gamedig never checks
it; we raise).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from bot.protocols.satisfactory.errors import SatisfactoryCookieMismatchError
from bot.protocols.satisfactory.packets import (
    ServerState,
    StateResponse,
    SubState,
    decode_state_response,
    encode_poll,
)
from bot.protocols.udp_query import MAX_ATTEMPTS as MAX_ATTEMPTS
from bot.protocols.udp_query import TokenQuery


@dataclass(frozen=True, slots=True)
class SatisfactoryState:
    """A server's state: the decoded response and the round-trip time (s)."""

    state: ServerState | int
    net_cl: int
    flags: int
    sub_states: tuple[SubState, ...]
    name: str
    latency: float

    @property
    def modded(self) -> bool:
        return bool(self.flags & 1)

    @property
    def https_api_available(self) -> bool:
        """False while a save loads (state 2), when the HTTPS API does not answer."""
        return self.state != ServerState.LOADING


class PollQuery(TokenQuery[int]):
    """Builds up to ``MAX_ATTEMPTS`` polls and recognises the response to one of them."""

    def __init__(self, *, token: Callable[[], int] | None = None) -> None:
        super().__init__(token or (lambda: secrets.randbits(64)))

    def _request(self, token: int) -> bytes:
        return encode_poll(token)

    def receive(self, datagram: bytes, now: float) -> SatisfactoryState:
        """The state ``datagram`` carries, received at ``now``.

        Raises :class:`SatisfactoryMalformedError` for anything that is not a valid response,
        and its subclass :class:`SatisfactoryCookieMismatchError` for a response to a poll this
        query did not send.
        """
        response: StateResponse = decode_state_response(datagram)
        sent_at = self._sent.get(response.cookie)
        if sent_at is None:
            raise SatisfactoryCookieMismatchError("mismatch", "the response echoes another cookie")
        return SatisfactoryState(
            state=response.state,
            net_cl=response.net_cl,
            flags=response.flags,
            sub_states=response.sub_states,
            name=response.name,
            latency=max(0.0, now - sent_at),
        )
