"""One exception hierarchy for Rust WebRCON.

The password is the URL's path, so no message here ever holds a URL as aiohttp spells it: the
transport builds every error from the host, the port and a reason of its own.
"""

from __future__ import annotations


class WebRconError(Exception):
    """Base class of every WebRCON error."""


class WebRconTimeout(WebRconError, TimeoutError):
    """No answer within the timeout: a command the server did not answer (commands that print
    nothing get no reply at all), or a connect or upgrade that did not finish in time."""


class WebRconRefused(WebRconError):
    """The TCP connection could not be made: refused, unreachable, or the name did not resolve."""


class WebRconAuthError(WebRconError):
    """The server refused the WebSocket upgrade as Rust does for a wrong password (a bare close
    frame, or a close, instead of an HTTP answer), or answered 401/403. Not retried in a loop."""


class WebRconUpgradeClosed(WebRconAuthError):
    """The connection closed during the upgrade without Rust's close frame: a wrong password
    read by aiohttp's pure-Python parser, or a port that is not WebRCON (``rcon.web 0``).
    Treated as a refusal; a login test tells it from a definite one."""


class NotWebRcon(WebRconError):
    """The peer does not speak WebRCON: an HTTP answer other than the upgrade, a message that is
    not WebRCON's JSON, a binary frame, a message over the size bound, or a malformed answer."""


class WebRconClosed(WebRconError):
    """Not connected: the client is closed, not started, reconnecting, or the connection was lost
    while the command waited for its answer."""


class WebRconRequestError(WebRconError, ValueError):
    """A command that cannot be sent as given: empty, too long, or with line breaks or NULs."""
