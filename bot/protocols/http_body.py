"""aiohttp plumbing of the HTTP protocol packages (FiveM, Palworld): requests, bodies, errors.

Redirects are not followed (a hostile server could point the bot at an internal address);
compressed bodies are not inflated; headers and bodies are bounded.

Each package passes its own error classes in, so callers still get that package's hierarchy;
its unreachable and body-too-large errors also derive from the shared bases here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Literal, Protocol, TypeVar

import aiohttp
from yarl import URL

CHUNK_BYTES = 64 * 1024
# aiohttp's own header bounds, spelled out: a server chooses its headers too.
MAX_HEADER_LINE = 8190
MAX_HEADERS = 64

UnreachableReason = Literal["dns", "refused", "invalid_address", "network"]

Unreachable = TypeVar("Unreachable", bound=Exception)
Malformed = TypeVar("Malformed", bound=Exception)
Error_co = TypeVar("Error_co", bound=Exception, covariant=True)


class UnreachableHost(Exception):
    """The base of each HTTP package's unreachable error: no connection, and why.

    ``reason``: ``"dns"`` (the name does not resolve), ``"refused"`` (nothing listens on the
    port), ``"invalid_address"`` (not a host name or IP) or ``"network"`` (anything else).
    """

    def __init__(self, message: str, *, reason: UnreachableReason = "network") -> None:
        super().__init__(message)
        self.reason: UnreachableReason = reason


class OversizedBody(Exception):
    """The base of each HTTP package's body-too-large error (:func:`read_bounded`'s
    ``too_large``): reading stopped at ``limit`` bytes and the connection was dropped."""

    def __init__(self, path: str, limit: int) -> None:
        super().__init__(f"{path}: body larger than {limit} bytes")
        self.path = path
        self.limit = limit


class UnreachableFactory(Protocol[Error_co]):
    """A package's unreachable error class: a message and why."""

    def __call__(self, message: str, *, reason: UnreachableReason) -> Error_co: ...


def new_session() -> aiohttp.ClientSession:
    # The call's timeout is the only one; proxies from the environment are not used.
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=None), trust_env=False, auto_decompress=False
    )


def bounded_request(
    session: aiohttp.ClientSession,
    method: str,
    url: URL,
    *,
    headers: Mapping[str, str],
    data: bytes | None = None,
) -> AbstractAsyncContextManager[aiohttp.ClientResponse]:
    """``session.request`` with the bounds above; read the body with :func:`read_bounded`."""
    return session.request(
        method,
        url,
        data=data,
        headers=headers,
        allow_redirects=False,
        auto_decompress=False,
        max_line_size=MAX_HEADER_LINE,
        max_field_size=MAX_HEADER_LINE,
        max_headers=MAX_HEADERS,
    )


async def read_bounded(
    response: aiohttp.ClientResponse,
    limit: int,
    path: str,
    *,
    too_large: Callable[[str, int], Exception],
    strict: bool = True,
) -> bytes:
    """The body, read in chunks. Past ``limit``: ``too_large(path, limit)`` when ``strict``,
    else cut there (an error text needs only its start). Either way the connection is dropped."""
    if strict and response.content_length is not None and response.content_length > limit:
        response.close()
        raise too_large(path, limit)
    body = bytearray()
    async for chunk in response.content.iter_chunked(CHUNK_BYTES):
        body += chunk
        if len(body) > limit:
            response.close()
            if strict:
                raise too_large(path, limit)
            return bytes(body[:limit])
    return bytes(body)


def client_error(
    where: str,
    exc: aiohttp.ClientError,
    *,
    unreachable: UnreachableFactory[Unreachable],
    malformed: Callable[[str], Malformed],
) -> Unreachable | Malformed:
    """The package's error for what aiohttp raised while talking to ``where``.

    Built, not raised: the caller raises it outside its ``except`` block, so the aiohttp
    exception (whose repr holds the request and its headers) is neither cause nor context.
    """
    if not isinstance(exc, aiohttp.ClientConnectionError):
        # Not HTTP, broken chunking, a body shorter than its Content-Length.
        return malformed(f"{where}: malformed HTTP answer")
    # Refused, DNS failure, reset, or closed before an answer.
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return unreachable(f"{where}: name does not resolve", reason="dns")
    if isinstance(exc, aiohttp.ClientConnectorError):
        text = exc.os_error.strerror or type(exc.os_error).__name__
        refused = isinstance(exc.os_error, ConnectionRefusedError)
        return unreachable(f"{where}: {text}", reason="refused" if refused else "network")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return unreachable(f"{where}: server closed the connection", reason="network")
    return unreachable(f"{where}: {type(exc).__name__}", reason="network")
