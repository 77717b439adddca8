"""The asyncio transport: one poll over :func:`bot.protocols.udp_exchange.exchange`.

One connected UDP socket per poll, closed when it returns; one ``timeout`` covers name
resolution, every resend and the answer; a closed port is :class:`SatisfactoryRefusedError` at
once. The poll is resent up to ``attempts`` times, evenly spread over the timeout. The API's
doc asks clients to poll on a schedule rather than flood (polling a dead server hard "can
trigger anti-DDoS measures"), so keep ``attempts`` small. Datagrams that are not our response
are counted and ignored (a valid one may follow); if nothing valid arrives, the error is the
last reason one was refused, else a timeout.
"""

from __future__ import annotations

from bot.protocols.satisfactory.errors import (
    SatisfactoryMalformedError,
    SatisfactoryRefusedError,
    SatisfactoryResolveError,
    SatisfactoryTimeoutError,
    SatisfactoryUnreachableError,
)
from bot.protocols.satisfactory.query import PollQuery, SatisfactoryState
from bot.protocols.udp_exchange import UDPErrors, exchange

# The game port: 1.0+ serves the Lightweight Query API (UDP) and the HTTPS API (TCP) on it.
DEFAULT_PORT = 7777
DEFAULT_ATTEMPTS = 2

_ERRORS = UDPErrors(
    malformed=SatisfactoryMalformedError,
    timeout=SatisfactoryTimeoutError,
    unreachable=SatisfactoryUnreachableError,
    resolve=SatisfactoryResolveError,
    refused=SatisfactoryRefusedError,
)


async def poll_state(
    host: str,
    port: int = DEFAULT_PORT,
    *,
    timeout: float,  # one deadline for DNS, resends and the answer
    attempts: int = DEFAULT_ATTEMPTS,
) -> SatisfactoryState:
    """Poll a Satisfactory server's state, with the round-trip time.

    Raises :class:`SatisfactoryTimeoutError`, :class:`SatisfactoryRefusedError`,
    :class:`SatisfactoryUnreachableError` or :class:`SatisfactoryMalformedError` (never
    anything else for what the network or the server does); ``ValueError`` for bad arguments.
    """
    return await exchange(PollQuery, host, port, timeout=timeout, attempts=attempts, errors=_ERRORS)
