"""The asyncio transport: one query over :func:`bot.protocols.udp_exchange.exchange`.

One connected UDP socket per query, closed when it returns; one ``timeout`` covers name
resolution, every resend and the answer; a closed port is :class:`Q3RefusedError` at once.
The request is resent up to ``attempts`` times, evenly spread over the timeout. Servers rate
limit these requests and drop the excess silently (ioq3: a burst of 10, then 1/s per address;
ET:Legacy: 3 answers per 2 s per /24), so keep ``attempts`` small and poll at most once a
second. Datagrams that are not our answer are counted and ignored (a valid one may follow);
if nothing valid arrives, the error is the last reason one was refused, else a timeout.
"""

from __future__ import annotations

from bot.protocols.quake3.errors import (
    Q3MalformedError,
    Q3RefusedError,
    Q3ResolveError,
    Q3TimeoutError,
    Q3UnreachableError,
)
from bot.protocols.quake3.models import Q3Info, Q3Status
from bot.protocols.quake3.query import Answer, InfoQuery, Q3Query, StatusQuery
from bot.protocols.udp_exchange import UDPErrors, exchange

# ioq3/ET/UrT/OpenArena; Call of Duty 1-4/WaW use 28960, Jedi Academy 29070.
DEFAULT_PORT = 27960
DEFAULT_ATTEMPTS = 2

_ERRORS = UDPErrors(
    malformed=Q3MalformedError,
    timeout=Q3TimeoutError,
    unreachable=Q3UnreachableError,
    resolve=Q3ResolveError,
    refused=Q3RefusedError,
)


async def _run(
    query: Q3Query[Answer],
    host: str,
    port: int,
    timeout: float,  # the caller's one deadline
    attempts: int,
) -> Answer:
    return await exchange(
        lambda: query, host, port, timeout=timeout, attempts=attempts, errors=_ERRORS
    )


async def get_status(
    host: str,
    port: int = DEFAULT_PORT,
    *,
    timeout: float,  # one deadline for DNS, resends and the answer
    attempts: int = DEFAULT_ATTEMPTS,
    require_challenge: bool = False,
) -> Q3Status:
    """``getstatus``: server info and players, with the round-trip time.

    Raises :class:`Q3TimeoutError`, :class:`Q3RefusedError`, :class:`Q3UnreachableError` or
    :class:`Q3MalformedError` (never anything else for what the network or the server does);
    ``ValueError`` for bad arguments. ``require_challenge``: see :mod:`.query`.
    """
    query = StatusQuery(require_challenge=require_challenge)
    return await _run(query, host, port, timeout, attempts)


async def get_info(
    host: str,
    port: int = DEFAULT_PORT,
    *,
    timeout: float,  # one deadline for DNS, resends and the answer
    attempts: int = DEFAULT_ATTEMPTS,
    require_challenge: bool = False,
) -> Q3Info:
    """``getinfo``: server info and counts without the player list; errors as ``get_status``."""
    query = InfoQuery(require_challenge=require_challenge)
    return await _run(query, host, port, timeout, attempts)
