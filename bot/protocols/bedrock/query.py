"""One status ping as a sans-IO state machine: requests out, datagrams in, a status back.

Each attempt carries its own random ``time`` value (the token of :mod:`bot.protocols.udp_query`);
the pong echoes it, which tells which attempt it answers (so the latency is measured from that
send) and rejects stale or spoofed pongs.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from bot.protocols.bedrock.errors import BedrockMismatchError
from bot.protocols.bedrock.motd import Motd, parse_motd
from bot.protocols.bedrock.packets import decode_pong, encode_ping
from bot.protocols.udp_query import MAX_ATTEMPTS as MAX_ATTEMPTS
from bot.protocols.udp_query import TokenQuery


@dataclass(frozen=True, slots=True)
class BedrockStatus:
    """A server's answer: its MOTD fields, its RakNet GUID and the round-trip time (s)."""

    motd: Motd
    server_guid: int
    latency: float


class PingQuery(TokenQuery[int]):
    """Builds up to ``MAX_ATTEMPTS`` pings and recognises the pong answering one of them."""

    def __init__(self, *, token: Callable[[], int] | None = None) -> None:
        super().__init__(token or (lambda: secrets.randbits(63)))
        self._client_guid = secrets.randbits(63)

    def _request(self, token: int) -> bytes:
        return encode_ping(token, self._client_guid)

    def receive(self, datagram: bytes, now: float) -> BedrockStatus:
        """The status ``datagram`` carries, received at ``now``.

        Raises :class:`BedrockMalformedError` for anything that is not a valid pong, and its
        subclass :class:`BedrockMismatchError` for a pong to a ping this query did not send.
        """
        pong = decode_pong(datagram)
        sent_at = self._sent.get(pong.time)
        if sent_at is None:
            raise BedrockMismatchError("mismatch", "pong echoes a time this query never sent")
        motd = parse_motd(pong.motd)
        return BedrockStatus(motd, pong.server_guid, max(0.0, now - sent_at))
