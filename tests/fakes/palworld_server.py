"""A fake Palworld dedicated server's REST API on 127.0.0.1 (aiohttp.web, ephemeral port).

Contract (other test suites rely on it)::

    async with FakePalworldServer(password="secret") as server:
        client = PalworldClient(*server.address, password="secret", timeout=2)
        await client.kick("steam_76561197999054170", "bye")
        server.calls            # admin calls: AdminCall(route, body, raw, content_type)
        server.players = [...]  # the /players answer, changed at runtime (kick/ban remove)
        server.banned           # user ids banned and not unbanned
        server.auth_failures    # requests with a wrong or missing Authorization header

* Routes as notes 6 list them, under ``/v1/api/``: GET info, players, settings, metrics;
  POST announce, kick, ban, unban, save, shutdown, stop. Every request needs HTTP Basic
  ``admin:<password>``, else ``401`` with the plain-text body ``Unauthorized``. An unknown
  route answers 404 with Unreal's JSON error (``route_handler_not_found``).
* ``info`` / ``metrics`` / ``settings`` / ``players`` are the JSON values served (defaults
  ``sample_*()``); ``metrics`` gets ``currentplayernum`` from the player list unless given.
  POST success answers have the body ``post_reply`` (default empty: not JSON).
* ``modes`` maps a route (``"info"``, ``"kick"``…) to a hostile behaviour: ``huge`` streams
  without end (stops at ``http_fake.HUGE_LIMIT`` or when the client goes), ``wrong-json``, ``html``,
  ``error`` (500 with Unreal's JSON error), ``bad-request`` (400 plain text), ``missing``
  (the unknown-route 404, as if the route did not exist),
  ``echo-auth`` (400 whose text repeats the Authorization header and the password),
  ``slow`` (the body a byte each ``slow_delay`` s), ``redirect`` (302), ``hang`` (never
  answers; stops after ``HANG_LIMIT`` s).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.http_fake import HttpFake

HANG_LIMIT = 10.0
GET_ROUTES = ("info", "players", "settings", "metrics")
POST_ROUTES = ("announce", "kick", "ban", "unban", "save", "shutdown", "stop")
NOT_FOUND = {
    "errorCode": "errors.com.epicgames.httpserver.route_handler_not_found",
    "errorMessage": "",
}


@dataclass(frozen=True)
class AdminCall:
    route: str
    body: Any  # the JSON sent, or None when the body was empty or not JSON
    raw: bytes
    content_type: str


def sample_info() -> dict[str, Any]:
    return {
        "version": "v0.3.11.0",
        "servername": "Outpost Pals",
        "description": "A server for tests",
        "worldguid": "E5A1B2C3D4E5F60718293A4B5C6D7E8F",
    }


def sample_players() -> list[dict[str, Any]]:
    # Shapes from the notes' sources: pelican/plugins#124 (ids, empty ip, ping 59, level 51),
    # zaigie/palworld-server-tool#259 (accountName, building_count), a crossplay ps5_ id.
    return [
        {
            "name": "Alice",
            "accountName": "alice_steam",
            "playerId": "28F2DED7000000000000000000000000",
            "userId": "steam_76561197999054170",
            "ip": "",
            "ping": 59.0,
            "location_x": -123.5,
            "location_y": 4567.25,
            "level": 51,
            "building_count": 12,
        },
        {
            "name": "Bob",
            "accountName": "bob_psn",
            "playerId": "9A0000000000000000000000000000B1",
            "userId": "ps5_4591469878499095569",
            "ip": "203.0.113.7",
            "ping": 120.25,
            "location_x": 0.0,
            "location_y": 0.0,
            "level": 3,
            "building_count": 0,
        },
    ]


def sample_settings() -> dict[str, Any]:
    return {
        "Difficulty": "None",
        "DayTimeSpeedRate": 1.0,
        "ServerPlayerMaxNum": 32,
        "bIsPvP": False,
        "ServerName": "Outpost Pals",
        "RESTAPIEnabled": True,
        "RESTAPIPort": 8212,
    }


def sample_metrics() -> dict[str, Any]:
    return {
        "serverfps": 59,
        "serverframetime": 16.95,
        "maxplayernum": 32,
        "uptime": 3600,
        "days": 12,
        "basecampnum": 4,
    }


class FakePalworldServer(HttpFake):
    def __init__(
        self,
        *,
        password: str = "secret",
        info: Any = None,
        players: list[Any] | None = None,
        settings: Any = None,
        metrics: Any = None,
        modes: dict[str, str] | None = None,
        post_reply: bytes = b"",
        slow_delay: float = 0.05,
    ) -> None:
        super().__init__(slow_delay=slow_delay)
        self.password = password
        self.info = sample_info() if info is None else info
        self.players = sample_players() if players is None else players
        self.settings = sample_settings() if settings is None else settings
        self.metrics = sample_metrics() if metrics is None else metrics
        self.modes = dict(modes or {})
        self.post_reply = post_reply
        self.calls: list[AdminCall] = []
        self.requests: list[tuple[str, str]] = []  # (method, route)
        self.banned: set[str] = set()
        self.auth_failures = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        await self._serve(app)

    def _authorised(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return user == "admin" and hmac.compare_digest(password, self.password)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        route = path.removeprefix("/v1/api/") if path.startswith("/v1/api/") else ""
        self.requests.append((request.method, route or path))
        if not self._authorised(request):
            self.auth_failures += 1
            return web.Response(status=401, text="Unauthorized")
        known = GET_ROUTES if request.method == "GET" else POST_ROUTES
        if route not in known:
            return web.json_response(NOT_FOUND, status=404)
        raw = await request.read()
        mode = self.modes.get(route, "ok")
        if mode != "ok":
            return await self._hostile(request, mode)
        if request.method == "POST":
            return self._admin(route, raw, request.content_type)
        return web.json_response(self._answer(route))

    def _answer(self, route: str) -> Any:
        if route == "players":
            return {"players": self.players}
        if route == "metrics":
            if isinstance(self.metrics, dict) and "currentplayernum" not in self.metrics:
                return self.metrics | {"currentplayernum": len(self.players)}
            return self.metrics
        return self.info if route == "info" else self.settings

    def _admin(self, route: str, raw: bytes, content_type: str) -> web.Response:
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        self.calls.append(AdminCall(route, body, raw, content_type))
        user_id = body.get("userid") if isinstance(body, dict) else None
        if route in ("kick", "ban") and user_id is not None:
            self.players = [p for p in self.players if p.get("userId") != user_id]
            if route == "ban":
                self.banned.add(user_id)
        elif route == "unban" and user_id is not None:
            self.banned.discard(user_id)
        return web.Response(body=self.post_reply, content_type="text/plain")

    async def _hostile(self, request: web.Request, mode: str) -> web.StreamResponse:
        if mode == "missing":
            return web.json_response(NOT_FOUND, status=404)
        if mode == "wrong-json":
            return web.Response(body=b'{"players": [', content_type="application/json")
        if mode == "html":
            return web.Response(text="<html>It works!</html>", content_type="text/html")
        if mode == "error":
            error = {"errorCode": "errors.internal", "errorMessage": "world is busy saving"}
            return web.json_response(error, status=500)
        if mode == "bad-request":
            return web.Response(status=400, text="Bad Request: invalid userid")
        if mode == "echo-auth":
            echoed = f"bad: {request.headers.get('Authorization')} {self.password}"
            return web.Response(status=400, text=echoed)
        if mode == "redirect":
            raise web.HTTPFound("/elsewhere")
        if mode == "hang":
            await asyncio.sleep(HANG_LIMIT)
            return web.Response(status=504)
        if mode == "slow":
            body = json.dumps(self._answer(request.path.removeprefix("/v1/api/"))).encode()
            return await self._stream(request, "slow", body)
        return await self._stream(request, "huge", b"")
