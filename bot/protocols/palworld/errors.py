"""One exception hierarchy for the Palworld REST API.

No message, repr or chained exception carries the admin password or the Authorization header:
the client raises these outside its ``except`` blocks, so aiohttp's exceptions (whose repr
holds the request and its headers) are neither their cause nor their context.
"""

from __future__ import annotations

from bot.protocols.http_body import OversizedBody, UnreachableHost


class PalworldError(Exception):
    """Base class of every Palworld REST API error."""


class AuthRefused(PalworldError):
    """HTTP 401: the admin password is wrong (Palworld answers ``Unauthorized``)."""

    def __init__(self) -> None:
        super().__init__("the server refused the admin password (HTTP 401)")


class NotPalworld(PalworldError):
    """Not Palworld's REST API: an unknown route (404), not HTTP, or a body of the wrong shape."""


class BodyTooLarge(NotPalworld, OversizedBody):
    """A body grew past its bound; reading stopped there and the connection was dropped."""


class PalworldTimeout(PalworldError, TimeoutError):
    """The call (DNS, connect, every request and body) did not finish within the timeout."""


class PalworldUnreachable(PalworldError, UnreachableHost):
    """No connection: the name does not resolve, the port is closed (REST API off?), a reset.

    ``reason``: see :class:`~bot.protocols.http_body.UnreachableHost`.
    """


class PalworldRequestError(PalworldError):
    """Another HTTP error status; ``message`` is the server's own text, clipped and cleaned."""

    def __init__(self, path: str, status: int, message: str) -> None:
        detail = f": {message}" if message else ""
        super().__init__(f"{path}: HTTP {status}{detail}")
        self.path = path
        self.status = status
        self.message = message


class InvalidArgument(PalworldError, ValueError):
    """An admin call's argument cannot be sent as given (empty, too long, control characters)."""
