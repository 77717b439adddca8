"""A scriptable 7 Days to Die telnet console on 127.0.0.1 for tests.

Contract (other test suites may rely on it)::

    async with FakeSdtdServer("secret", players=[FakePlayer(171, "Revlin McAwesome")]) as server:
        host, port = server.address
        await server.emit_log("GMSG: Player 'Halp' joined the game")   # to every logged-in client
        server.received_commands          # commands run, in order
        server.password_attempts          # passwords received (wrong ones included)
        await server.restart()            # drop every connection, stop listening, come back
        server.bans                       # (until, id, name, reason) as ``ban list`` shows them

Behaviour after protocol notes II, section 8: ``Please enter password:`` on connect (without a
line end when ``prompt_newline`` is False), ``Logon successful.`` then a banner ending with the
``Press 'help'`` line, or ``Password incorrect, please enter password:`` (the connection closes
after ``failed_login_limit`` wrong ones). Each command is echoed as a log line to every logged-in
client (unless ``echo`` is False: ``HideCommandExecutionLog``), then its output, untimestamped,
to the client that sent it. ``responses`` maps exact commands to output; ``delays`` holds output
back per command; ``noise`` puts a log line between output lines (log and output interleave);
``split_writes`` sends everything a byte at a time.

Hostile modes (``hostile``): ``"silence"`` (accept, say nothing), ``"no_newline"`` (bytes that
never end a line, then nothing), ``"endless_line"`` (one line that never ends), ``"http"`` (an
HTTP answer), ``"flood"`` (log in normally, then answer every command with lines that never
stop). Every endless stream stops at ``max_hostile_bytes``, and the server stops with its block.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from tests.fakes.served import Served

Hostile = Literal["silence", "no_newline", "endless_line", "http", "flood"]
BANNER = (
    "*** Connected with 7DTD server.",
    "*** Server version: V 1.0 (b333) Compatibility Version: V 1.0",
    "*** Dedicated server only build",
    "",
    "Server IP:   Any",
    "Server port: 26900",
    "Max players: 8",
)
BANNER_END = "Press 'help' to get a list of all commands. Press 'exit' to end session."


@dataclass
class FakePlayer:
    entity_id: int
    name: str
    pos: tuple[float, float, float] = (-933.9, 76.1, 1757.7)
    health: int = 73
    level: int = 31
    steam_id: str = ""
    platform_id: str = ""
    cross_id: str = ""
    ip: str = "1.2.3.4"
    ping: int = 25

    def row(self, index: int) -> str:
        x, y, z = self.pos
        ids = f"steamid={self.steam_id}"
        if self.cross_id or self.platform_id:
            ids = f"pltfmid={self.platform_id}, crossid={self.cross_id}"
        return (
            f"{index}. id={self.entity_id}, {self.name}, pos=({x:.1f}, {y:.1f}, {z:.1f}), "
            f"rot=(0.0, -117.7, 0.0), remote=True, health={self.health}, deaths=12, "
            f"zombies=47, players=0, score=776, level={self.level}, {ids}, ip={self.ip}, "
            f"ping={self.ping}"
        )


class _Client:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.logged_in = False
        peer = writer.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}"


class FakeSdtdServer(Served):
    def __init__(
        self,
        password: str = "secret",
        *,
        players: list[FakePlayer] | None = None,
        responses: dict[str, str] | None = None,
        handler: Callable[[str], str | None] | None = None,
        delays: dict[str, float] | None = None,
        echo: bool = True,
        prompt_newline: bool = True,
        banner: tuple[str, ...] = BANNER,
        noise: bool = False,
        split_writes: bool = False,
        hostile: Hostile | None = None,
        failed_login_limit: int = 10,
        max_hostile_bytes: int = 4 * 1024 * 1024,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.password = password
        self.players = list(players or [])
        self.responses = dict(responses or {})
        self.handler = handler
        self.delays = dict(delays or {})
        self.echo = echo
        self.prompt_newline = prompt_newline
        self.banner = banner
        self.noise = noise
        self.split_writes = split_writes
        self.hostile = hostile
        self.failed_login_limit = failed_login_limit
        self.max_hostile_bytes = max_hostile_bytes
        self.bans: list[tuple[str, str, str, str]] = []
        self.received_commands: list[str] = []
        self.password_attempts: list[str] = []
        self.said: list[str] = []
        self.connections = 0
        self.logins = 0
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._clients: set[_Client] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._background: set[asyncio.Task[None]] = set()
        self._changed = asyncio.Event()  # a client logged in or went away
        self._started = time.monotonic()

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def address(self) -> tuple[str, int]:
        return self._host, self._port

    @property
    def clients(self) -> int:
        """Logged-in connections."""
        return sum(1 for c in self._clients if c.logged_in)

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self._host, self._port)
        self._port = int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for client in list(self._clients):
            client.writer.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await task

    async def restart(self, down_for: float = 0.05) -> None:
        """Drop every connection, refuse new ones for ``down_for`` seconds, listen again."""
        await self.stop()
        await asyncio.sleep(down_for)
        await self.start()

    async def wait_clients(self, count: int, timeout: float = 5.0) -> None:
        async with asyncio.timeout(timeout):
            while self.clients != count:
                self._changed.clear()
                await self._changed.wait()

    # --- writing ------------------------------------------------------------------------------

    def log_line(self, message: str, level: str = "INF") -> str:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
        return f"{stamp} {time.monotonic() - self._started + 1:.3f} {level} {message}"

    async def _send(self, client: _Client, text: str, *, end: str = "\r\n") -> None:
        data = (text + end).encode("utf-8")
        if self.split_writes:
            for i in range(len(data)):
                client.writer.write(data[i : i + 1])
                await client.writer.drain()
                await asyncio.sleep(0)
            return
        client.writer.write(data)
        await client.writer.drain()

    async def emit_log(self, message: str, level: str = "INF") -> None:
        """A log line to every logged-in client."""
        line = self.log_line(message, level)
        for client in list(self._clients):
            if client.logged_in:
                with contextlib.suppress(ConnectionError):
                    await self._send(client, line)

    async def emit_raw(self, data: bytes) -> None:
        """Bytes as they are, to every logged-in client."""
        for client in list(self._clients):
            if client.logged_in:
                client.writer.write(data)
                with contextlib.suppress(ConnectionError):
                    await client.writer.drain()

    # --- a connection -------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        client = _Client(reader, writer)
        self._clients.add(client)
        self.connections += 1
        try:
            await self._session(client)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except asyncio.CancelledError:
            # Stopped by stop(): end normally, since asyncio's stream server logs an error
            # for a handler task that ends cancelled.
            pass
        finally:
            self._clients.discard(client)
            self._tasks.discard(task)
            self._changed.set()
            writer.close()

    async def _endless(self, client: _Client, chunk: bytes) -> None:
        sent = 0
        while sent < self.max_hostile_bytes and not client.writer.is_closing():
            client.writer.write(chunk)
            await client.writer.drain()
            sent += len(chunk)

    async def _session(self, client: _Client) -> None:
        if self.hostile in ("silence", "no_newline"):
            if self.hostile == "no_newline":
                await self._send(client, "garbage without a line end", end="")
            await client.reader.read()  # until the client gives up
            return
        if self.hostile == "endless_line":
            await self._endless(client, b"A" * 4096)
            return
        if self.hostile == "http":
            await self._send(client, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n")
            return
        failures = 0
        await self._send(client, "Please enter password:", end="\r\n" * self.prompt_newline)
        while True:
            line = (await client.reader.readuntil(b"\n")).decode().rstrip("\r\n")
            if not line:
                continue
            self.password_attempts.append(line)
            if line == self.password:
                break
            failures += 1
            if failures >= self.failed_login_limit:
                return
            await self._send(client, "Password incorrect, please enter password:")
        await self._send(client, "Logon successful.")
        for text in self.banner:
            await self._send(client, text)
        await self._send(client, BANNER_END)
        client.logged_in = True
        self.logins += 1
        self._changed.set()
        while True:
            raw = await client.reader.readuntil(b"\n")
            command = raw.decode("utf-8", errors="replace").rstrip("\r\n").strip()
            if not command:
                continue
            self.received_commands.append(command)
            if command == "exit":
                return
            if self.echo:
                await self.emit_log(f"Executing command '{command}' by Telnet from {client.peer}")
            await asyncio.sleep(self.delays.get(command, 0.0))
            if self.hostile == "flood":
                await self._endless(client, b"flooding output line\r\n")
                return
            for i, text in enumerate(self._run(command)):
                if self.noise and i:
                    await self._send(client, self.log_line("Time: 3.02m FPS: 33.4 Heap: 1102.7MB"))
                await self._send(client, text)
            if command == "shutdown":
                self._shutdown_soon()
                return

    def _shutdown_soon(self) -> None:
        task = asyncio.get_running_loop().create_task(self.stop())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- commands -----------------------------------------------------------------------------

    def _run(self, command: str) -> list[str]:
        if command in self.responses:
            return self.responses[command].split("\n") if self.responses[command] else []
        if self.handler is not None:
            answer = self.handler(command)
            if answer is not None:
                return answer.split("\n") if answer else []
        verb, _, rest = command.partition(" ")
        verb = verb.lower()
        if verb in ("lp", "listplayers"):
            rows = [player.row(i) for i, player in enumerate(self.players)]
            return [*rows, f"Total of {len(self.players)} in the game"]
        if verb == "say":
            self.said.append(rest.strip('"'))
            return []
        if verb == "version":
            return ["Game version: V 1.0 (b333) Compatibility Version: V 1.0"]
        if verb == "gettime":
            return ["Day 7, 14:23"]
        if verb == "shutdown":
            return ["Shutting server down..."]
        if command.startswith("ban list"):
            header = "Ban list entries:"
            return [header, *(f"  {u} - {i} ({n}) - {r}" for u, i, n, r in self.bans)]
        if verb == "kick":
            target = rest.split('"')[1] if '"' in rest else rest
            before = len(self.players)
            self.players = [
                p
                for p in self.players
                if target not in (str(p.entity_id), p.name, p.cross_id, p.steam_id)
            ]
            return ["Kicked"] if len(self.players) < before else [f"Player '{target}' not found"]
        return [f"*** ERROR: unknown command '{verb}'"]
