"""Asyncio transport: ``fetch_status()`` over HTTP (aiohttp), ``fetch_getinfo()`` over UDP.

One ``timeout`` covers the whole call (DNS, connects, every request and body). Bodies are read
in chunks and dropped past their bound; redirects are not followed (a hostile server could
point the bot at an internal address); compressed bodies are not asked for nor inflated.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
from typing import TypeVar

import aiohttp
from yarl import URL

from bot.protocols.fivem.decode import (
    MAX_DYNAMIC_BYTES,
    MAX_INFO_BYTES,
    MAX_PLAYERS_BYTES,
    decode_dynamic,
    decode_info,
    decode_players,
)
from bot.protocols.fivem.errors import (
    BodyTooLarge,
    FiveMError,
    FiveMHTTPError,
    FiveMRateLimited,
    FiveMTimeout,
    FiveMUnreachable,
    NotFiveM,
)
from bot.protocols.fivem.models import FiveMDynamic, FiveMInfo, FiveMPlayer, FiveMStatus
from bot.protocols.fivem.oob import decode_getinfo, encode_getinfo
from bot.protocols.http_body import (
    UnreachableReason,
    bounded_request,
    client_error,
    new_session,
    read_bounded,
)

log = logging.getLogger(__name__)

DEFAULT_PORT = 30120
DEFAULT_TIMEOUT = 5.0
_HEADERS = {"Accept": "application/json", "Accept-Encoding": "identity"}

T = TypeVar("T")


async def fetch_status(
    host: str,
    port: int = DEFAULT_PORT,
    *,
    timeout: float = DEFAULT_TIMEOUT,  # one budget for every request
    players: bool = True,
    session: aiohttp.ClientSession | None = None,
    known_info: FiveMInfo | None = None,
) -> FiveMStatus:
    """dynamic.json, info.json and (``players``) players.json, fetched concurrently.

    ``known_info``: the info of an earlier status; when dynamic.json's ``iv`` still equals
    its ``version``, info.json (rate-limited, the heaviest body) is not fetched again.
    ``session``: the caller's aiohttp session (kept open); otherwise one is made for the call.
    """
    try:
        base = URL.build(scheme="http", host=host, port=port)
    except (ValueError, TypeError):
        raise FiveMUnreachable(
            f"not a valid address: {host!r}:{port}", reason="invalid_address"
        ) from None
    try:
        async with asyncio.timeout(timeout):
            if session is not None:
                return await _status(_Fetcher(session, base), players, known_info)
            async with new_session() as own:
                return await _status(_Fetcher(own, base), players, known_info)
    except TimeoutError as exc:
        if isinstance(exc, FiveMError):
            raise
        raise FiveMTimeout(f"{host}:{port}: no complete answer within {timeout:g} s") from None


class _Fetcher:
    """GETs of one server's endpoints; keeps the fastest round trip seen as the ping."""

    def __init__(self, session: aiohttp.ClientSession, base: URL) -> None:
        self.session = session
        self.base = base
        self.ping: float | None = None
        self._loop = asyncio.get_running_loop()

    async def get(self, path: str, limit: int, *, missing_ok: bool = False) -> bytes | None:
        """The body of ``GET path`` (HTTP 200), or None for a 404 when ``missing_ok``."""
        started = self._loop.time()
        error: FiveMError | None = None
        try:
            body = await self._get(path, limit, missing_ok)
        except TimeoutError:
            raise
        except FiveMError as exc:
            error = exc
        except aiohttp.ClientError as exc:
            error = client_error(path, exc, unreachable=FiveMUnreachable, malformed=NotFiveM)
        if error is not None:
            # Raised here, outside the except block: the aiohttp exception (whose repr holds
            # the request and its headers) is neither the cause nor the context.
            log.debug("fivem %s %s: %s", self.base, path, error)
            raise error
        elapsed = (self._loop.time() - started) * 1000
        self.ping = elapsed if self.ping is None else min(self.ping, elapsed)
        return body

    async def _get(self, path: str, limit: int, missing_ok: bool) -> bytes | None:
        async with bounded_request(
            self.session, "GET", self.base.with_path(path), headers=_HEADERS
        ) as response:
            status = response.status
            log.debug("fivem %s %s: HTTP %d", self.base, path, status)
            if status == 200:
                return await read_bounded(response, limit, path, too_large=BodyTooLarge)
            if status == 404:
                if missing_ok:
                    return None
                raise NotFiveM(f"{path}: HTTP 404 (no FXServer on this port?)")
            if status == 429:
                raise FiveMRateLimited(path, status)
            raise FiveMHTTPError(path, status)


async def _status(fetch: _Fetcher, want_players: bool, known: FiveMInfo | None) -> FiveMStatus:
    async def dynamic() -> FiveMDynamic | None:
        body = await fetch.get("/dynamic.json", MAX_DYNAMIC_BYTES, missing_ok=True)
        return None if body is None else decode_dynamic(body)

    async def info() -> FiveMInfo:
        body = await fetch.get("/info.json", MAX_INFO_BYTES)
        assert body is not None  # missing_ok is off
        return decode_info(body)

    async def players() -> tuple[FiveMPlayer, ...]:
        body = await fetch.get("/players.json", MAX_PLAYERS_BYTES)
        assert body is not None
        return decode_players(body)

    info_reused = False
    try:
        async with asyncio.TaskGroup() as group:
            dynamic_task = group.create_task(dynamic())
            players_task = group.create_task(players()) if want_players else None
            if known is None:
                info_task = group.create_task(info())
            else:
                dyn = await dynamic_task
                info_reused = dyn is not None and dyn.info_version == known.version
                info_task = group.create_task(_value(known) if info_reused else info())
    except BaseExceptionGroup as group_error:
        # One request failed and the others were cancelled: report the first failure.
        raise _first(group_error) from None
    player_list = None if players_task is None else players_task.result()
    return _merge(
        info_task.result(), dynamic_task.result(), player_list, fetch.ping or 0.0, info_reused
    )


async def _value(value: T) -> T:
    return value


def _first(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first(first) if isinstance(first, BaseExceptionGroup) else first


def _merge(
    info: FiveMInfo,
    dynamic: FiveMDynamic | None,
    players: tuple[FiveMPlayer, ...] | None,
    ping: float,
    info_reused: bool,
) -> FiveMStatus:
    clients: int | None
    if dynamic is not None:
        hostname, clients = dynamic.hostname, dynamic.clients
        max_clients = dynamic.max_clients if dynamic.max_clients is not None else info.max_clients
        gametype, mapname = dynamic.gametype, dynamic.mapname
    else:
        # No dynamic.json: sv_hostname is never in info.json, sv_projectName is the closest.
        hostname = info.project_name
        clients = None if players is None else len(players)
        max_clients = info.max_clients
        # Whether gametype/mapname are ServerInfo convars is not verified (notes 3.1).
        gametype = info.vars.get("gametype", "")
        mapname = info.vars.get("mapname", "")
    return FiveMStatus(
        hostname=hostname,
        clients=clients,
        max_clients=max_clients,
        gametype=gametype,
        mapname=mapname,
        server_version=info.server,
        resources_count=info.resources_count,
        info=info,
        dynamic=dynamic,
        players=players,
        ping=ping,
        info_reused=info_reused,
    )


# -- UDP getinfo -----------------------------------------------------------------------------


class _GetInfoProtocol(asyncio.DatagramProtocol):
    def __init__(self, challenge: str, answer: asyncio.Future[FiveMDynamic]) -> None:
        self.challenge = challenge
        self.answer = answer
        self.bad_datagrams = 0

    def datagram_received(self, data: bytes, addr: object) -> None:
        if self.answer.done():
            return
        try:
            self.answer.set_result(decode_getinfo(data, self.challenge))
        except NotFiveM:
            self.bad_datagrams += 1  # keep waiting: a stale answer may come before ours

    def error_received(self, exc: Exception) -> None:
        if not self.answer.done():
            # ICMP port unreachable, reported on the next socket call (Linux).
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            refused = isinstance(exc, ConnectionRefusedError)
            self.answer.set_exception(
                FiveMUnreachable(f"getinfo: {reason}", reason="refused" if refused else "network")
            )


async def fetch_getinfo(
    host: str,
    port: int = DEFAULT_PORT,
    *,
    timeout: float = DEFAULT_TIMEOUT,  # covers DNS and the round trip
) -> FiveMDynamic:
    """The UDP ``getinfo`` answer (hostname, clients, sv_maxclients, gametype, mapname, iv).

    Sent once: FXServer drops over-limit requests silently, and re-sending would only spend
    more of that budget. A timeout after unrelated datagrams raises NotFiveM instead.
    """
    loop = asyncio.get_running_loop()
    challenge = secrets.token_hex(6)
    answer: asyncio.Future[FiveMDynamic] = loop.create_future()
    transport: asyncio.DatagramTransport | None = None
    protocol = _GetInfoProtocol(challenge, answer)
    try:
        async with asyncio.timeout(timeout):
            transport, _ = await loop.create_datagram_endpoint(
                lambda: protocol, remote_addr=(host, port)
            )
            transport.sendto(encode_getinfo(challenge))
            return await answer
    except TimeoutError as exc:
        if isinstance(exc, FiveMError):
            raise
        if protocol.bad_datagrams:
            raise NotFiveM(f"getinfo {host}:{port}: no valid infoResponse") from None
        raise FiveMTimeout(f"getinfo {host}:{port}: no answer within {timeout:g} s") from None
    except socket.gaierror:
        raise FiveMUnreachable(f"getinfo {host}: name does not resolve", reason="dns") from None
    except OSError as exc:
        text = exc.strerror or type(exc).__name__
        kind: UnreachableReason = (
            "refused" if isinstance(exc, ConnectionRefusedError) else "network"
        )
        raise FiveMUnreachable(f"getinfo {host}:{port}: {text}", reason=kind) from None
    finally:
        if transport is not None:
            transport.close()
