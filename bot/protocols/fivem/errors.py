"""One exception hierarchy for FiveM / RedM (FXServer) queries.

Messages name the endpoint and what went wrong, never the body: a hostile server chooses it.
"""

from __future__ import annotations

from bot.protocols.http_body import OversizedBody, UnreachableHost


class FiveMError(Exception):
    """Base class of every FiveM query error."""


class FiveMTimeout(FiveMError, TimeoutError):
    """The whole query (DNS, connect, every request, every body) did not finish in time."""


class FiveMUnreachable(FiveMError, UnreachableHost):
    """No connection: the name does not resolve, the port is closed, or the peer hung up.

    ``reason``: see :class:`~bot.protocols.http_body.UnreachableHost`.
    """


class NotFiveM(FiveMError):
    """The answer is not FXServer's: not HTTP, not JSON, the wrong shape, or a missing route."""


class BodyTooLarge(NotFiveM, OversizedBody):
    """A body grew past its bound; reading stopped there and the connection was dropped."""


class FiveMHTTPError(FiveMError):
    """FXServer (or a proxy in front of it) answered with an HTTP error status."""

    def __init__(self, path: str, status: int) -> None:
        super().__init__(f"{path}: HTTP {status}")
        self.path = path
        self.status = status


class FiveMRateLimited(FiveMHTTPError):
    """``429 Rate limit exceeded.``: info.json and players.json allow ~4 requests/s per IP."""
