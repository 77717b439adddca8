"""The asyncio transport: one ping over :func:`bot.protocols.udp_exchange.exchange`.

One connected UDP socket per ping, closed when it returns; one ``timeout`` covers name
resolution, every resend and the answer; a closed port is :class:`BedrockRefusedError` at once.
RakNet does not retransmit an unconnected ping, so the ping is resent up to ``attempts`` times,
evenly spread over the timeout. Datagrams that are not our pong are counted and ignored (a
valid pong may still follow); if nothing valid arrives, the error is the last reason one was
refused, or a timeout when nothing came back at all.
"""

from __future__ import annotations

from bot.protocols.bedrock.errors import (
    BedrockMalformedError,
    BedrockRefusedError,
    BedrockResolveError,
    BedrockTimeoutError,
    BedrockUnreachableError,
)
from bot.protocols.bedrock.query import BedrockStatus, PingQuery
from bot.protocols.udp_exchange import UDPErrors, exchange

DEFAULT_PORT = 19132
DEFAULT_ATTEMPTS = 2

_ERRORS = UDPErrors(
    malformed=BedrockMalformedError,
    timeout=BedrockTimeoutError,
    unreachable=BedrockUnreachableError,
    resolve=BedrockResolveError,
    refused=BedrockRefusedError,
    reply="pong",
)


async def ping(
    host: str,
    port: int = DEFAULT_PORT,
    *,
    timeout: float,  # one deadline for DNS, resends and the answer
    attempts: int = DEFAULT_ATTEMPTS,
) -> BedrockStatus:
    """Ping a Bedrock server and return its status, with the round-trip time.

    Raises :class:`BedrockTimeoutError`, :class:`BedrockRefusedError`,
    :class:`BedrockUnreachableError` or :class:`BedrockMalformedError` (never anything else
    for what the network or the server does); ``ValueError`` for bad arguments.
    """
    return await exchange(PingQuery, host, port, timeout=timeout, attempts=attempts, errors=_ERRORS)
