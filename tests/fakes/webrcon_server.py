"""A fake Rust WebRCON server (aiohttp.web WebSocket on 127.0.0.1) for tests.

It has its own JSON code (not ``bot.protocols.webrcon``) so that a bug there cannot hide itself.

Contract::

    async with FakeWebRconServer(password="secret") as server:
        host, port = server.address
        server.received            # every command text, in order (keep-alives included)
        server.connections_made    # upgrades attempted; server.refused: wrong passwords
        await server.push_chat("Bob", "76561198000000001", "hi")   # to every client
        await server.push_console("1.2.3.4:5/7656.../Bob joined [windows/7656...]")
        await server.restart(downtime=0.2)   # drop every connection, listen again on the port
        server.password = "new"              # later upgrades need the new one
        server.mode = "silent"               # takes effect for the next message

Like Rust: the password is the URL path (percent-decoded); a wrong one gets the bare close
frame ``88 02 03 E8`` instead of an HTTP answer; pushes carry Identifier 0 (console) and -1
(chat); replies carry the request's Identifier, one message per command, in order; commands
that print nothing (``say``, ``silent …``) get no reply; the server answers no pings.

Commands: ``responses`` (exact text -> reply) first, then ``playerlist`` (``players``, indented
JSON as Rust writes it), ``serverinfo``, ``echo X`` (X), ``say X`` (a SERVER chat push, no reply),
``kick <id> <reason>`` ("Kicked: name" plus the "Kicking name (reason)" announcement),
``silent …`` (no reply); anything else: a Warning "Command '…' not found".

Modes: ``normal``; ``silent`` (accepts, never answers); ``giant`` (every reply is
``giant_bytes`` long); ``non_json`` (replies are not JSON); ``binary`` (replies are binary
frames); ``wrong_ids`` (replies carry Identifier + 100000); ``reorder`` (replies held 20 ms and
sent newest first); ``close_on_connect`` (closes the TCP connection during the upgrade).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from aiohttp import WSMsgType, web

from tests.fakes.served import Served

RAW_CLOSE_FRAME = b"\x88\x02\x03\xe8"  # what Rust writes instead of refusing with HTTP
MODES = (
    "normal",
    "silent",
    "giant",
    "non_json",
    "binary",
    "wrong_ids",
    "reorder",
    "close_on_connect",
)
LIFETIME = 60.0  # a server a test forgot to stop goes away by itself

DEFAULT_PLAYERS: list[dict[str, Any]] = [
    {
        "SteamID": "76561198000000001",
        "OwnerSteamID": "0",
        "DisplayName": "Alice",
        "Ping": 28,
        "Address": "203.0.113.7:52210",
        "ConnectedSeconds": 300,
        "VoiationLevel": 0.0,
        "CurrentLevel": 0.0,
        "UnspentXp": 0.0,
        "Health": 87.5,
    },
    {
        "SteamID": "76561198000000002",
        "OwnerSteamID": "0",
        "DisplayName": "Bob [EU]",
        "Ping": 61,
        "Address": "198.51.100.2:61000",
        "ConnectedSeconds": 42,
        "VoiationLevel": 0.0,
        "CurrentLevel": 0.0,
        "UnspentXp": 0.0,
        "Health": 100.0,
    },
]

DEFAULT_SERVER_INFO: dict[str, Any] = {
    "Hostname": "Fake Rust Server",
    "MaxPlayers": 100,
    "Players": 2,
    "Queued": 0,
    "Joining": 1,
    "EntityCount": 123456,
    "GameTime": "06/01/2024 12:00:00",
    "Uptime": 3600,
    "Map": "Procedural Map",
    "Framerate": 59.9,
    "Memory": 8000,
    "Collections": 12,
    "NetworkIn": 1000,
    "NetworkOut": 2000,
    "Restarting": False,
    "SaveCreatedTime": "06/01/2024 11:00:00",
}


def envelope(identifier: int, message: str, type_: str = "Generic") -> str:
    """A server message as Rust writes it (indented JSON)."""
    return json.dumps(
        {"Message": message, "Identifier": identifier, "Type": type_, "Stacktrace": ""}, indent=2
    )


class FakeWebRconServer(Served):
    def __init__(
        self,
        password: str = "secret",
        *,
        mode: str = "normal",
        responses: Mapping[str, str] | None = None,
        players: list[dict[str, Any]] | None = None,
        server_info: dict[str, Any] | None = None,
        giant_bytes: int = 1 << 20,
        reply_delay: float = 0.0,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.password = password
        self.mode = mode
        self.responses = dict(responses or {})
        self.players = list(DEFAULT_PLAYERS if players is None else players)
        self.server_info = dict(DEFAULT_SERVER_INFO if server_info is None else server_info)
        self.giant_bytes = giant_bytes
        self.reply_delay = reply_delay
        self.received: list[str] = []
        self.connections_made = 0
        self.refused = 0
        self.host = "127.0.0.1"
        self.port = 0
        self._clients: set[web.WebSocketResponse] = set()
        self._runner: web.AppRunner | None = None
        self._reorder: list[tuple[web.WebSocketResponse, str]] = []
        self._reorder_task: asyncio.Task[None] | None = None
        self._lifetime: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    @property
    def clients(self) -> int:
        return len(self._clients)

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        # No access log: it would print the request path, which is the password.
        runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port, reuse_address=True)
        await site.start()
        self._runner = runner
        if self.port == 0:
            server = site._server
            assert isinstance(server, asyncio.base_events.Server)
            self.port = server.sockets[0].getsockname()[1]
        if self._lifetime is None:
            loop = asyncio.get_running_loop()
            self._lifetime = loop.call_later(LIFETIME, lambda: self._spawn(self.stop()))

    async def _drop_clients(self) -> None:
        for ws in list(self._clients):
            # Like a process dying: no close frame, the socket just goes.
            request_transport = getattr(ws, "_req", None)
            transport = request_transport.transport if request_transport is not None else None
            if transport is not None:
                transport.abort()
        self._clients.clear()

    async def stop(self) -> None:
        if self._lifetime is not None:
            self._lifetime.cancel()
            self._lifetime = None
        await self._drop_clients()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        for task in list(self._tasks):
            task.cancel()

    async def restart(self, downtime: float = 0.0, password: str | None = None) -> None:
        """Drop every connection and stop listening; listen again after ``downtime``."""
        await self._drop_clients()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()
        if password is not None:
            self.password = password
        await asyncio.sleep(downtime)
        await self.start()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- pushes -------------------------------------------------------------------------------

    async def push(self, text: str) -> None:
        for ws in list(self._clients):
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.send_str(text)

    async def push_console(self, line: str, type_: str = "Generic") -> None:
        await self.push(envelope(0, line, type_))

    async def push_chat(
        self,
        username: str,
        user_id: str | int,
        text: str,
        *,
        channel: int = 0,
        color: str = "#5af",
        time: int = 1700000000,
    ) -> None:
        entry = {
            "Channel": channel,
            "Message": text,
            "UserId": user_id,
            "Username": username,
            "Color": color,
            "Time": time,
        }
        await self.push(envelope(-1, json.dumps(entry, indent=2), "Chat"))

    async def push_join(self, steam_id: str, name: str, address: str = "203.0.113.9:61234") -> None:
        await self.push_console(f"{address}/{steam_id}/{name} joined [windows/{steam_id}]")

    async def push_leave(
        self,
        steam_id: str,
        name: str,
        reason: str = "disconnect",
        address: str = "203.0.113.9:61234",
    ) -> None:
        await self.push_console(f"{address}/{steam_id}/{name} disconnecting: {reason}")

    # --- connections --------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.connections_made += 1
        transport = request.transport
        if self.mode == "close_on_connect" or unquote(request.raw_path[1:]) != self.password:
            if self.mode != "close_on_connect":
                self.refused += 1
                if transport is not None:
                    transport.write(RAW_CLOSE_FRAME)
            if transport is not None:
                transport.close()
            raise asyncio.CancelledError  # nothing more goes out on this connection
        ws = web.WebSocketResponse(autoping=False, heartbeat=None, max_msg_size=1 << 20)
        await ws.prepare(request)
        self._clients.add(ws)
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._on_command(ws, msg.data)
                elif msg.type is WSMsgType.PING:
                    continue  # Rust does not answer pings
        finally:
            self._clients.discard(ws)
        return ws

    async def _on_command(self, ws: web.WebSocketResponse, text: str) -> None:
        try:
            request = json.loads(text)
            identifier = int(request["Identifier"])
            command = str(request["Message"])
        except (ValueError, KeyError, TypeError):
            return  # Rust ignores what it cannot parse
        self.received.append(command)
        if self.mode == "silent":
            return
        reply = await self._run(command)
        if reply is None:
            return
        if self.reply_delay:
            await asyncio.sleep(self.reply_delay)
        await self._reply(ws, identifier, reply)

    async def _reply(
        self, ws: web.WebSocketResponse, identifier: int, reply: tuple[str, str]
    ) -> None:
        message, type_ = reply
        mode = self.mode
        if mode == "giant":
            message = "x" * self.giant_bytes
        if mode == "non_json":
            await ws.send_str("this is not JSON")
            return
        if mode == "binary":
            await ws.send_bytes(envelope(identifier, message, type_).encode())
            return
        if mode == "wrong_ids":
            identifier += 100000
        if mode == "reorder":
            self._reorder.append((ws, envelope(identifier, message, type_)))
            if self._reorder_task is None:
                self._reorder_task = asyncio.ensure_future(self._flush_reordered())
            return
        with contextlib.suppress(ConnectionError, RuntimeError):
            await ws.send_str(envelope(identifier, message, type_))

    async def _flush_reordered(self) -> None:
        await asyncio.sleep(0.02)
        held, self._reorder = self._reorder, []
        self._reorder_task = None
        for ws, text in reversed(held):
            with contextlib.suppress(ConnectionError, RuntimeError):
                await ws.send_str(text)

    async def _run(self, command: str) -> tuple[str, str] | None:
        """The reply (text, Type) to ``command``, or None when it prints nothing."""
        if command in self.responses:
            return self.responses[command], "Generic"
        verb, _, rest = command.partition(" ")
        if verb in ("playerlist", "global.playerlist"):
            return json.dumps(self.players, indent=2), "Generic"
        if verb == "serverinfo":
            return json.dumps(self.server_info, indent=2), "Generic"
        if verb == "echo":
            return rest, "Generic"
        if verb in ("say", "global.say"):
            await self.push_chat("SERVER", "0", rest.strip('"'), channel=2, color="#eee")
            return None
        if verb == "silent":
            return None
        if verb == "kick":
            steam_id, _, reason = rest.partition(" ")
            steam_id = steam_id.strip('"')
            reason = reason.strip('"') or "no reason given"
            name = next((p["DisplayName"] for p in self.players if p["SteamID"] == steam_id), None)
            if name is None:
                return "Player not found", "Generic"
            await self.push_chat("SERVER", "0", f"Kicking {name} ({reason})", channel=2)
            return f"Kicked: {name}", "Generic"
        return f"Command '{verb}' not found", "Warning"
