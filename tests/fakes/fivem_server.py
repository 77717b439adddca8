"""A fake FXServer (FiveM / RedM) on 127.0.0.1: its three JSON endpoints, and UDP getinfo.

Contract (other test suites rely on it)::

    async with FakeFiveMServer(info=..., dynamic=..., players=[...]) as server:
        status = await fetch_status(*server.address, timeout=2)
        server.requests          # paths asked for, in order ("/info.json", ...)
        server.players = [...]   # change the answer while it runs (so may info/dynamic)
        server.modes["/info.json"] = "huge"

* ``info`` / ``dynamic`` / ``players``: JSON values served as they are (defaults:
  ``sample_info()``, ``sample_dynamic()``, ``sample_players()``, shaped as notes 3.1 show).
  ``bodies`` maps a path to raw bytes served instead of the JSON, labelled ``text/plain``.
* ``modes`` maps a path to a hostile behaviour (default ``"ok"``):
  ``missing`` 404 (a build without the endpoint); ``rate-limited`` 429 ``Rate limit exceeded.``;
  ``huge`` streams chunked JSON-looking bytes without end (stops at ``http_fake.HUGE_LIMIT``
  or when the client goes); ``huge-declared`` says ``Content-Length: 1 GiB`` and sends a
  little; ``slow`` sends the body a byte each ``slow_delay`` seconds; ``wrong-json`` valid
  HTTP, broken JSON;
  ``html`` a web page (another server on the port); ``redirect`` 302 to ``/elsewhere``;
  ``gzip`` the body gzip-compressed with ``Content-Encoding: gzip`` though not asked for;
  ``error`` HTTP 500; ``truncated`` a body shorter than its Content-Length.
* ``udp=True`` also answers ``getinfo`` on the same port number over UDP (from ``dynamic``;
  ``udp_silent`` drops requests like FXServer's rate limiter, ``udp_junk`` sends a datagram
  that is no infoResponse first, ``udp_challenge`` overrides the echoed challenge).
"""

from __future__ import annotations

import gzip
import json
import struct
import zlib
from typing import Any

from aiohttp import web

from tests.fakes.http_fake import HttpFake
from tests.fakes.udp_endpoint import LoopbackUdp

PATHS = ("/info.json", "/dynamic.json", "/players.json")


def tiny_png() -> bytes:
    """A valid 1x1 PNG (what FXServer's 96x96 icon looks like, smaller)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def sample_info() -> dict[str, Any]:
    import base64

    return {
        "enhancedHostSupport": True,
        "icon": base64.b64encode(tiny_png()).decode("ascii"),
        "requestSteamTicket": "off",
        "resources": ["hardcap", "sessionmanager", "mapmanager", "spawnmanager", "chat"],
        "server": "FXServer-master SERVER v1.0.0.7290 linux",
        "vars": {
            "gamename": "gta5",
            "locale": "en-US",
            "onesync_enabled": "true",
            "sv_enforceGameBuild": "2944",
            "sv_lan": "false",
            "sv_licenseKeyToken": "token",
            "sv_maxClients": "48",
            "sv_projectDesc": "^2Serious ^7roleplay",
            "sv_projectName": "^1Outpost ^7RP",
            "sv_scriptHookAllowed": "false",
            "tags": "roleplay,default",
        },
        "version": 1234567890,
    }


def sample_dynamic() -> dict[str, Any]:
    # clients is a number; the rest are convar strings (notes 3.1).
    return {
        "clients": 2,
        "gametype": "Freeroam",
        "hostname": "^1Outpost ^7RP ~r~|~s~ discord.gg/outpost",
        "iv": "1234567890",
        "mapname": "San Andreas",
        "sv_maxclients": "48",
    }


def sample_players() -> list[dict[str, Any]]:
    return [
        {
            "endpoint": "127.0.0.1",
            "id": 1,
            "identifiers": [
                "license:0123456789abcdef0123456789abcdef01234567",
                "steam:110000112345678",
                "discord:123456789012345678",
                "xbl:2535400000000000",
                "live:1055518000000000",
            ],
            "name": "^3Alice",
            "ping": 42,
        },
        {"endpoint": "127.0.0.1", "id": 7, "identifiers": [], "name": "Bob", "ping": -1},
    ]


class FakeFiveMServer(HttpFake):
    def __init__(
        self,
        *,
        info: Any = None,
        dynamic: Any = None,
        players: Any = None,
        bodies: dict[str, bytes] | None = None,
        modes: dict[str, str] | None = None,
        slow_delay: float = 0.05,
        udp: bool = False,
    ) -> None:
        super().__init__(slow_delay=slow_delay)
        self.info = sample_info() if info is None else info
        self.dynamic = sample_dynamic() if dynamic is None else dynamic
        self.players = sample_players() if players is None else players
        self.bodies = dict(bodies or {})
        self.modes = dict(modes or {})
        self.udp = udp
        self.udp_silent = False
        self.udp_junk = False
        self.udp_challenge: str | None = None
        self.requests: list[str] = []
        self.request_headers: list[dict[str, str]] = []
        self.datagrams: list[bytes] = []
        self._udp = LoopbackUdp(self._on_getinfo)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{name}", self._handle)
        await self._serve(app)
        if self.udp:
            await self._udp.open(*self.address)

    async def close(self) -> None:
        self._udp.close()
        await super().close()

    def _on_getinfo(self, data: bytes, addr: Any) -> None:
        self.datagrams.append(data)
        if self.udp_silent or not data.startswith(b"\xff\xff\xff\xffgetinfo "):
            return
        challenge = data[12:].split(b" ")[0].split(b"\n")[0].decode("ascii", "replace")
        if self.udp_junk:
            self._udp.sendto(b"\xff\xff\xff\xffprint hello", addr)
        dynamic = self.dynamic
        fields = {
            "sv_maxclients": dynamic.get("sv_maxclients", "48"),
            "clients": dynamic.get("clients", 0),
            "challenge": self.udp_challenge or challenge,
            "gamename": "CitizenFX",
            "protocol": 4,
            "hostname": dynamic.get("hostname", ""),
            "gametype": dynamic.get("gametype", ""),
            "mapname": dynamic.get("mapname", ""),
            "iv": dynamic.get("iv", "0"),
        }
        text = "".join(f"\\{key}\\{value}" for key, value in fields.items())
        self._udp.sendto(b"\xff\xff\xff\xffinfoResponse\n" + text.encode(), addr)

    def _body(self, path: str) -> bytes:
        if path in self.bodies:
            return self.bodies[path]
        value = {"/info.json": self.info, "/dynamic.json": self.dynamic}.get(path, self.players)
        return json.dumps(value).encode()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.requests.append(path)
        self.request_headers.append(dict(request.headers))
        if path not in PATHS:
            return web.Response(status=404, text="Not Found")
        mode = self.modes.get(path, "ok")
        body = self._body(path)
        # Raw bodies go out as text/plain, as some proxies relabel FXServer's JSON.
        json_type = "text/plain" if path in self.bodies else "application/json"
        if mode == "ok":
            return web.Response(body=body, content_type=json_type)
        if mode == "missing":
            return web.Response(status=404, text="Not Found")
        if mode == "rate-limited":
            return web.Response(status=429, text="Rate limit exceeded.")
        if mode == "error":
            return web.Response(status=500, text="Internal Server Error")
        if mode == "redirect":
            raise web.HTTPFound("/elsewhere")
        if mode == "wrong-json":
            return web.Response(body=b'{"clients": 3, "hostname": ', content_type=json_type)
        if mode == "html":
            return web.Response(
                text="<html><body>It works!</body></html>", content_type="text/html"
            )
        if mode == "gzip":
            headers = {"Content-Encoding": "gzip", "Content-Type": json_type}
            return web.Response(body=gzip.compress(body), headers=headers)
        if mode == "truncated":
            headers = {"Content-Length": str(len(body) + 100), "Content-Type": json_type}
            response = web.StreamResponse(headers=headers)
            response.force_close()  # the connection ends where the body stops
            await response.prepare(request)
            await response.write(body)
            return response
        if mode == "huge-declared":
            headers = {"Content-Length": str(1 << 30), "Content-Type": json_type}
            response = web.StreamResponse(headers=headers)
            await response.prepare(request)
            await response.write(b'{"clients": 1, "pad": "')
            return response
        return await self._stream(request, mode, body)
