"""Opening one WebRCON WebSocket with aiohttp, and aiohttp's errors turned into ours.

The password is the URL's path (``ws://host:port/<password>``), and aiohttp puts the URL in
the text of its handshake errors. So no aiohttp exception leaves this module: each becomes a
WebRCON error built from the host, the port and a reason, raised outside the ``except`` block
so it carries no ``__context__`` either.

A wrong password: Rust answers the upgrade with a bare WebSocket close frame (``88 02 03 E8``)
and closes, instead of an HTTP answer. aiohttp's C parser reports that as a bad status line
showing those bytes; its pure-Python parser only sees the connection close. Both are
:class:`WebRconAuthError`; the second also fits a port that is not WebRCON at all (with
``rcon.web 0`` the RCON port speaks Source RCON), and its message says so.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from urllib.parse import quote

import aiohttp
from yarl import URL

from .errors import (
    NotWebRcon,
    WebRconAuthError,
    WebRconError,
    WebRconRefused,
    WebRconTimeout,
    WebRconUpgradeClosed,
)

# Characters RFC 3986 allows as they are in a path segment. Servers may or may not decode the
# path (Facepunch/webrcon#9: passwords with symbols failing), so only what would break the
# URL's structure (/ ? # % space, non-ASCII) is percent-encoded.
_PATH_SAFE = "!$&'()*+,;=:@-._~"
# How long a close handshake may take before the socket is dropped anyway.
CLOSE_TIMEOUT = 2.0


@dataclass(frozen=True, slots=True)
class Secret:
    """The password on its way to the URL: hidden from reprs and traceback locals."""

    value: str = field(repr=False)


def check_address(host: str, port: int) -> None:
    """Raise ValueError for an address no URL can hold (before any password is involved)."""
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ValueError(f"port must be 1..65535, got {port!r}")
    if not host or not isinstance(host, str):
        raise ValueError("host must be a non-empty string")
    try:
        URL.build(scheme="ws", host=host, port=port)
    except (ValueError, TypeError, UnicodeError):
        raise ValueError(f"not a valid host name or address: {host!r}") from None


def label(host: str, port: int) -> str:
    """``host:port`` for messages and logs (IPv6 in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _url(host: str, port: int, secret: Secret) -> URL:
    path = "/" + quote(secret.value, safe=_PATH_SAFE)
    return URL.build(scheme="ws", host=host, port=port).with_path(path, encoded=True)


def _closed_during_upgrade(where: str) -> WebRconUpgradeClosed:
    return WebRconUpgradeClosed(
        f"{where} closed the connection during the WebSocket upgrade: a wrong RCON password, "
        "or not a WebRCON port (with rcon.web 0 the RCON port speaks Source RCON)"
    )


def map_connect_error(exc: BaseException, host: str, port: int) -> WebRconError:
    """The WebRCON error for what ``ws_connect`` raised; never mentions the URL."""
    where = label(host, port)
    if isinstance(exc, aiohttp.WSServerHandshakeError):
        # An HTTP answer, but not the upgrade (or a broken one).
        if exc.status in (401, 403):
            return WebRconAuthError(f"{where} answered HTTP {exc.status}: wrong RCON password")
        return NotWebRcon(f"{where} answered HTTP {exc.status} instead of a WebSocket upgrade")
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return WebRconRefused(f"cannot resolve {host}")
    if isinstance(exc, aiohttp.ClientConnectorError):
        reason = exc.os_error.strerror or type(exc.os_error).__name__
        return WebRconRefused(f"cannot connect to {where}: {reason}")
    if isinstance(exc, aiohttp.ClientResponseError):
        # The HTTP parser gave up on the status line; Rust's refusal is a close frame there.
        if "\\x88" in str(exc.message):
            return WebRconAuthError(f"{where} refused the RCON password")
        return NotWebRcon(f"{where} did not answer the upgrade with HTTP")
    if isinstance(exc, aiohttp.ClientConnectionError):
        return _closed_during_upgrade(where)
    if isinstance(exc, TimeoutError):
        return WebRconTimeout(f"no WebSocket upgrade from {where} in time")
    if isinstance(exc, OSError):
        return WebRconRefused(f"cannot connect to {where}: {exc.strerror or type(exc).__name__}")
    return NotWebRcon(f"WebSocket upgrade with {where} failed ({type(exc).__name__})")


async def open_websocket(
    session: aiohttp.ClientSession,
    host: str,
    port: int,
    secret: Secret,
    *,
    timeout: float,  # covers DNS, connect and the upgrade together
    max_message_bytes: int,
    close_timeout: float = CLOSE_TIMEOUT,
) -> aiohttp.ClientWebSocketResponse:
    """Connect and upgrade within ``timeout``; raises only WebRCON errors."""
    error: WebRconError
    try:
        async with asyncio.timeout(timeout):
            return await session.ws_connect(
                _url(host, port, secret),
                # Rust answers no pings (MrGraversen/rust-rcon#1): liveness is the keep-alive
                # command's business, so aiohttp must never ping or expect pongs.
                heartbeat=None,
                autoping=True,
                max_msg_size=max_message_bytes,
                timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=close_timeout),
            )
    except TimeoutError:
        error = WebRconTimeout(f"no WebSocket upgrade from {label(host, port)} within {timeout} s")
    except (aiohttp.ClientError, OSError) as exc:
        error = map_connect_error(exc, host, port)
    raise error
