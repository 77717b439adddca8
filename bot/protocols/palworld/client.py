"""Asyncio transport: :class:`PalworldClient`, one method per REST endpoint (aiohttp).

Every call has one timeout (DNS, connect, request, body). Bodies are read in chunks and
dropped past their bound; redirects are not followed; compression is not asked for. The
password lives in one private header value: never logged, never in a repr or an error.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import aiohttp
from yarl import URL

from bot.protocols.http_body import bounded_request, client_error, new_session, read_bounded
from bot.protocols.palworld import codec
from bot.protocols.palworld.errors import (
    BodyTooLarge,
    NotPalworld,
    PalworldError,
    PalworldTimeout,
    PalworldUnreachable,
)
from bot.protocols.palworld.models import (
    PalworldInfo,
    PalworldMetrics,
    PalworldPlayer,
    PalworldStatus,
    SettingValue,
)

log = logging.getLogger(__name__)

DEFAULT_PORT = 8212
DEFAULT_TIMEOUT = 5.0
USERNAME = "admin"  # Palworld's only REST user (notes 6)
API_PREFIX = "/v1/api/"

T = TypeVar("T")


class PalworldClient:
    """The REST API of one Palworld server (``RESTAPIEnabled=True``, HTTP Basic ``admin``).

    ``session``: the caller's aiohttp session (kept open); otherwise each call makes its own.
    ``ping`` holds the round trip of the last successful request, in milliseconds.
    """

    def __init__(
        self,
        host: str,
        port: int = DEFAULT_PORT,
        *,
        password: str,
        timeout: float = DEFAULT_TIMEOUT,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.ping: float | None = None
        self._session = session
        self._base: URL | None
        try:
            self._base = URL.build(scheme="http", host=host, port=port)
        except (ValueError, TypeError):
            self._base = None
        token = base64.b64encode(f"{USERNAME}:{password}".encode()).decode("ascii")
        self._secrets = (password, token)
        self._headers = {
            "Authorization": f"Basic {token}",
            "Accept": "application/json",
            "Accept-Encoding": "identity",
        }

    def __repr__(self) -> str:
        return f"<PalworldClient {self.host}:{self.port}>"

    # -- queries ---------------------------------------------------------------------------------

    async def info(self) -> PalworldInfo:
        """``GET /v1/api/info``: version, servername, description, worldguid."""
        return codec.decode_info(await self._call(self._get("info", codec.MAX_BODY_BYTES)))

    async def players(self) -> tuple[PalworldPlayer, ...]:
        """``GET /v1/api/players``."""
        body = await self._call(self._get("players", codec.MAX_PLAYERS_BYTES))
        return codec.decode_players(body)

    async def metrics(self) -> PalworldMetrics:
        """``GET /v1/api/metrics``: fps, player counts, frame time, uptime, days."""
        return codec.decode_metrics(await self._call(self._get("metrics", codec.MAX_BODY_BYTES)))

    async def settings(self) -> dict[str, SettingValue]:
        """``GET /v1/api/settings`` (read-only), scalar values only."""
        return codec.decode_settings(await self._call(self._get("settings", codec.MAX_BODY_BYTES)))

    async def status(self, *, players: bool = True) -> PalworldStatus:
        """info, metrics and (``players``) players at once, under one timeout."""

        async def fetch(session: aiohttp.ClientSession) -> PalworldStatus:
            requests = [
                self._request(session, "GET", "info", None, codec.MAX_BODY_BYTES),
                self._request(session, "GET", "metrics", None, codec.MAX_BODY_BYTES),
            ]
            if players:
                requests.append(
                    self._request(session, "GET", "players", None, codec.MAX_PLAYERS_BYTES)
                )
            answers = await _all(requests)
            return PalworldStatus(
                info=codec.decode_info(answers[0][0]),
                metrics=codec.decode_metrics(answers[1][0]),
                players=codec.decode_players(answers[2][0]) if players else (),
                ping=min(elapsed for _, elapsed in answers),
            )

        return await self._call(fetch)

    # -- admin -----------------------------------------------------------------------------------

    async def announce(self, message: str) -> None:
        """``POST /announce``: a broadcast to every player."""
        await self._call(self._post("announce", codec.encode_announce(message)))

    async def kick(self, user_id: str, message: str = "") -> None:
        """``POST /kick``; ``user_id`` as /players gives it (``steam_…``), verbatim."""
        await self._call(self._post("kick", codec.encode_kick(user_id, message)))

    async def ban(self, user_id: str, message: str = "") -> None:
        """``POST /ban``. There is no endpoint listing bans (notes 6)."""
        await self._call(self._post("ban", codec.encode_ban(user_id, message)))

    async def unban(self, user_id: str) -> None:
        """``POST /unban``."""
        await self._call(self._post("unban", codec.encode_unban(user_id)))

    async def save(self) -> None:
        """``POST /save``: save the world now."""
        await self._call(self._post("save", None))

    async def shutdown(self, waittime: int, message: str) -> None:
        """``POST /shutdown``: announce ``message``, stop after ``waittime`` seconds."""
        await self._call(self._post("shutdown", codec.encode_shutdown(waittime, message)))

    async def stop(self) -> None:
        """``POST /stop``: stop at once, without saving first."""
        await self._call(self._post("stop", None))

    # -- transport -------------------------------------------------------------------------------

    def _get(self, route: str, limit: int) -> Callable[[aiohttp.ClientSession], Awaitable[bytes]]:
        async def run(session: aiohttp.ClientSession) -> bytes:
            body, _ = await self._request(session, "GET", route, None, limit)
            return body

        return run

    def _post(
        self, route: str, body: bytes | None
    ) -> Callable[[aiohttp.ClientSession], Awaitable[None]]:
        async def run(session: aiohttp.ClientSession) -> None:
            # Success bodies are empty or not JSON (notes 6): read (bounded), never parsed.
            await self._request(session, "POST", route, body, codec.MAX_ERROR_BYTES)

        return run

    async def _call(self, work: Callable[[aiohttp.ClientSession], Awaitable[T]]) -> T:
        """Run ``work`` under the timeout, on the caller's session or a fresh one."""
        if self._base is None:
            raise PalworldUnreachable(
                f"not a valid address: {self.host!r}:{self.port}", reason="invalid_address"
            )
        failure: PalworldError | None = None
        try:
            async with asyncio.timeout(self.timeout):
                if self._session is not None:
                    return await work(self._session)
                async with new_session() as session:
                    return await work(session)
        except PalworldError:
            raise
        except TimeoutError:
            failure = PalworldTimeout(
                f"{self.host}:{self.port}: no complete answer within {self.timeout:g} s"
            )
        # Raised outside the except block: no aiohttp exception rides along as its context.
        raise failure

    async def _request(
        self,
        session: aiohttp.ClientSession,
        method: str,
        route: str,
        body: bytes | None,
        limit: int,
    ) -> tuple[bytes, float]:
        """One request: (body of a 2xx answer, round trip in ms), or the error it means."""
        assert self._base is not None  # checked in _call
        path = API_PREFIX + route
        loop = asyncio.get_running_loop()
        started = loop.time()
        failure: PalworldError | None = None
        status = 0
        data = b""
        headers = self._headers
        if body is not None:
            headers = headers | {"Content-Type": "application/json"}
        elif method == "POST":
            body = b""  # Content-Length: 0 for save and stop
        try:
            async with bounded_request(
                session, method, self._base.with_path(path), headers=headers, data=body
            ) as response:
                status = response.status
                # Only a query's answer must be whole; of anything else the start will do.
                whole = method == "GET" and 200 <= status < 300
                limit = limit if whole else codec.MAX_ERROR_BYTES
                data = await read_bounded(
                    response, limit, path, too_large=BodyTooLarge, strict=whole
                )
        except TimeoutError:
            raise
        except PalworldError as exc:
            failure = exc
        except aiohttp.ClientError as exc:
            failure = client_error(
                path, exc, unreachable=PalworldUnreachable, malformed=NotPalworld
            )
        if failure is None:
            failure = codec.error_for(path, status, data, secrets=self._secrets)
        elapsed = (loop.time() - started) * 1000
        log.debug(
            "palworld %s:%d %s %s: %s in %.0f ms",
            self.host,
            self.port,
            method,
            path,
            status or type(failure).__name__,
            elapsed,
        )
        if failure is not None:
            raise failure
        self.ping = elapsed
        return data, elapsed


async def _all(requests: Sequence[Awaitable[T]]) -> list[T]:
    """Every request's result; on the first failure the others are cancelled and it is raised."""
    failure: BaseException | None = None
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(_awaited(request)) for request in requests]
    except BaseExceptionGroup as failures:
        failure = failures.exceptions[0]
        while isinstance(failure, BaseExceptionGroup):
            failure = failure.exceptions[0]
    if failure is not None:
        raise failure  # outside the except block: the group does not become its context
    return [task.result() for task in tasks]


async def _awaited(request: Awaitable[T]) -> T:
    return await request
