"""One exception hierarchy for FiveM / RedM (FXServer) queries.

Messages name the endpoint and what went wrong, never the body: a hostile server chooses it.
"""

from __future__ import annotations

from typing import Literal

UnreachableReason = Literal["dns", "refused", "invalid_address", "network"]


class FiveMError(Exception):
    """Base class of every FiveM query error."""


class FiveMTimeout(FiveMError, TimeoutError):
    """The whole query (DNS, connect, every request, every body) did not finish in time."""


class FiveMUnreachable(FiveMError):
    """No connection: the name does not resolve, the port is closed, or the peer hung up.

    ``reason``: ``"dns"`` (the name does not resolve), ``"refused"`` (nothing listens on the
    port), ``"invalid_address"`` (not a host name or IP) or ``"network"`` (anything else).
    """

    def __init__(self, message: str, *, reason: UnreachableReason = "network") -> None:
        super().__init__(message)
        self.reason: UnreachableReason = reason


class NotFiveM(FiveMError):
    """The answer is not FXServer's: not HTTP, not JSON, the wrong shape, or a missing route."""


class BodyTooLarge(NotFiveM):
    """A body grew past its bound; reading stopped there and the connection was dropped."""

    def __init__(self, path: str, limit: int) -> None:
        super().__init__(f"{path}: body larger than {limit} bytes")
        self.path = path
        self.limit = limit


class FiveMHTTPError(FiveMError):
    """FXServer (or a proxy in front of it) answered with an HTTP error status."""

    def __init__(self, path: str, status: int) -> None:
        super().__init__(f"{path}: HTTP {status}")
        self.path = path
        self.status = status


class FiveMRateLimited(FiveMHTTPError):
    """``429 Rate limit exceeded.``: info.json and players.json allow ~4 requests/s per IP."""
