"""A fake Source RCON server on 127.0.0.1 with the behaviour of real servers, for tests.

It has its own packet code (not ``bot.protocols.rcon``) so that a bug there cannot hide itself.

Contract (other helpers rely on it)::

    async with FakeRCONServer(password="secret", profile="srcds",
                              handler=lambda cmd: "...") as server:
        host, port = server.address
        ...
        server.received        # every non-empty command executed, in order
        server.auth_attempts   # AUTH packets received; server.failed_auth: the wrong ones
        await server.restart() # drop every connection, keep listening on the same port
        await server.restart(downtime=0.1)  # ...and refuse connections for a while
        server.received_packets               # every packet, sentinels included
        server.connections_made, server.connections, server.bad_packets, server.banned
        server.send_chat("[ChatAll] hi")      # push a type-1 chat packet (Squad)

Constructor: ``password``; ``profile`` one of ``srcds``, ``minecraft``, ``palworld``, ``squad``,
``ark``; ``handler`` (command -> answer text, or bytes sent as they are) answers every command when
given; otherwise ``responses`` (command -> text or bytes) is looked up, then ``echo X`` answers
``X`` and anything else gets an empty answer (the empty sentinel commands clients send are answered
per profile and never reach the handler, nor ``received``); ``max_failed_auth`` (after that many
wrong passwords the client IP is banned: its connections are dropped without an answer, SRCDS
style, whatever the profile; ``unban()`` lifts it and ``restart()`` forgets it). Knobs:
``auth_order`` (srcds: ``"empty-first"`` sends the empty RESPONSE_VALUE before the AUTH_RESPONSE,
``"auth-first"`` after it, ``"auth-only"`` skips it), ``coalesce`` (all packets produced by one
read go out in one write), ``fragment`` (write in chunks of that many bytes, yielding
``fragment_delay`` seconds between them), ``delay`` / ``command_delays`` (seconds before a
command's answer; later answers on that connection wait, as servers answer in order),
``split_size`` (largest packet sent, size field included; 4096 by default, Minecraft 4110),
``interleave_chat`` (squad: a chat packet after the first packet of every answer),
``squad_close_delay`` (squad closes the connection this long after a wrong password instead of
answering).

Profiles:

* ``srcds``: empty RESPONSE_VALUE + AUTH_RESPONSE (order per ``auth_order``), id -1 on failure;
  mirror trick (an empty RESPONSE_VALUE is echoed, then a packet with body ``00 01 00 00``);
  answers split into packets of at most 4096 bytes; an unauthenticated command gets an empty
  RESPONSE_VALUE.
* ``minecraft``: AUTH_RESPONSE only; no mirror (type 0 gets "Unknown request 0"); 4096-byte bodies.
* ``ark``: AUTH_RESPONSE only; ignores RESPONSE_VALUE packets; empty answers become
  "Server received, But no response!!".
* ``palworld``: every packet it sends has id 0; exactly one packet per command; no mirror.
* ``squad``: like srcds, but an empty request gets an empty answer followed by the broken packet
  (size field 10, 21 bytes on the wire); pushes chat packets of type 1 (``send_chat``); a wrong
  password closes the connection with no answer.

Run ``python -m tests.fakes.rcon_server --profile minecraft`` to serve from another process: it
prints the port on the first line and stops when its stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import struct
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import cast

from tests.fakes.served import Served

AUTH = 3
AUTH_RESPONSE = 2
EXECCOMMAND = 2
RESPONSE_VALUE = 0
CHAT_VALUE = 1

PROFILES = ("srcds", "minecraft", "palworld", "squad", "ark")
MAX_CLIENT_PACKET = 4096
SQUAD_BROKEN_BODY = b"\x00\x00\x00\x01\x00\x00\x00"
MIRROR_TERMINATOR = b"\x00\x01\x00\x00"
ARK_NO_RESPONSE = "Server received, But no response!! \n "
MINECRAFT_EMPTY = "Unknown or incomplete command, see below for error<--[HERE]"

_HEADER = struct.Struct("<iii")


def packet(id_: int, type_: int, body: bytes) -> bytes:
    """One well-formed packet."""
    return _HEADER.pack(len(body) + 10, id_, type_) + body + b"\x00\x00"


def squad_broken_packet(id_: int) -> bytes:
    """Squad's follow-up: the size field says 10, but 21 bytes are sent."""
    return _HEADER.pack(10, id_, RESPONSE_VALUE) + SQUAD_BROKEN_BODY + b"\x00\x00"


@dataclass(slots=True)
class ReceivedPacket:
    id: int
    type: int
    body: bytes = field(repr=False)


class _Conn(asyncio.Protocol):
    def __init__(self, server: FakeRCONServer) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.authenticated = False
        self.closed = False
        self.out: list[bytes] | None = None  # coalescing buffer during one read
        self.queue: asyncio.Queue[tuple[float, bytes]] | None = None
        self.writer: asyncio.Task[None] | None = None

    # -- asyncio callbacks --
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is a look-alike
        self.server._conns.add(self)
        self.server.connections_made += 1
        if self.server.banned:
            transport.abort()
            return
        if self.server._slow:
            self.queue = asyncio.Queue()
            self.writer = asyncio.get_running_loop().create_task(self._write_loop())

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.server._conns.discard(self)
        if self.writer is not None:
            self.writer.cancel()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.server.coalesce:
            self.out = []
        while len(self.buffer) >= 4 and not self.closed:
            (size,) = struct.unpack_from("<i", self.buffer)
            if size < 10 or size + 4 > MAX_CLIENT_PACKET:
                self.server.bad_packets += 1
                self.close()
                return
            if len(self.buffer) < size + 4:
                break
            _, id_, type_ = _HEADER.unpack_from(self.buffer)
            body = bytes(self.buffer[12 : size + 2])
            del self.buffer[: size + 4]
            self.handle(id_, type_, body)
        if self.out is not None:
            out, self.out = self.out, None
            if out:
                self._send(b"".join(out), 0.0)

    # -- output --
    def emit(self, *packets: bytes, delay: float = 0.0) -> None:
        if self.closed:
            return
        if self.out is not None:
            self.out.extend(packets)
            return
        if self.server.coalesce or self.queue is not None:
            self._send(b"".join(packets), delay)
        else:
            for p in packets:
                self._send(p, delay)

    def _send(self, data: bytes, delay: float) -> None:
        if self.queue is not None:
            self.queue.put_nowait((delay, data))
        elif self.transport is not None:
            self.transport.write(data)

    async def _write_loop(self) -> None:
        assert self.queue is not None
        chunk = self.server.fragment
        while True:
            delay, data = await self.queue.get()
            if delay:
                await asyncio.sleep(delay)
            if self.closed or self.transport is None:
                return
            if not chunk:
                self.transport.write(data)
                continue
            for start in range(0, len(data), chunk):
                self.transport.write(data[start : start + chunk])
                await asyncio.sleep(self.server.fragment_delay)
                if self.closed:
                    return

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()

    # -- protocol --
    def handle(self, id_: int, type_: int, body: bytes) -> None:
        server = self.server
        server.received_packets.append(ReceivedPacket(id_, type_, body))
        profile = server.profile
        if type_ == AUTH:
            self.handle_auth(id_, body)
        elif not self.authenticated:
            if type_ == EXECCOMMAND and profile in ("srcds", "squad"):
                self.emit(packet(id_, RESPONSE_VALUE, b""))
        elif type_ == EXECCOMMAND:
            self.handle_command(id_, body)
        elif type_ == RESPONSE_VALUE:
            if profile == "srcds" and not body:
                mirror = packet(id_, RESPONSE_VALUE, b"")
                self.emit(mirror, packet(id_, RESPONSE_VALUE, MIRROR_TERMINATOR))
            elif profile == "squad" and not body:
                self.emit(packet(id_, RESPONSE_VALUE, b""), squad_broken_packet(id_))
            elif profile == "minecraft":
                self.emit(packet(id_, RESPONSE_VALUE, b"Unknown request 0"))

    def handle_auth(self, id_: int, body: bytes) -> None:
        server = self.server
        server.auth_attempts += 1
        if server.banned:
            self.close()
            return
        ok = hmac.compare_digest(body, server.password.encode("utf-8"))
        if not ok:
            server.failed_auth += 1
            if server.failed_auth >= server.max_failed_auth:
                server.banned = True
        self.authenticated = ok
        profile = server.profile
        answer_id = id_ if ok else -1
        if profile == "palworld":
            self.emit(packet(0 if ok else -1, AUTH_RESPONSE, b""))
        elif profile in ("minecraft", "ark"):
            self.emit(packet(answer_id, AUTH_RESPONSE, b""))
        elif profile == "squad" and not ok:
            asyncio.get_running_loop().call_later(server.squad_close_delay, self.close)
        else:
            empty = packet(id_, RESPONSE_VALUE, b"")
            auth = packet(answer_id, AUTH_RESPONSE, b"")
            order = server.auth_order if profile == "srcds" else "empty-first"
            if order == "empty-first":
                self.emit(empty, auth)
            elif order == "auth-first":
                self.emit(auth, empty)
            else:
                self.emit(auth)

    def handle_command(self, id_: int, body: bytes) -> None:
        server = self.server
        profile = server.profile
        command = body.decode("utf-8", errors="replace")
        if body:
            server.received.append(command)
        delay = server.command_delays.get(command, server.delay)
        if not body:
            if profile == "squad":
                self.emit(packet(id_, RESPONSE_VALUE, b""), squad_broken_packet(id_), delay=delay)
                return
            answer = MINECRAFT_EMPTY if profile == "minecraft" else ""
        else:
            answer = server.answer(command)
        if profile == "ark" and not answer:
            answer = ARK_NO_RESPONSE
        data = answer.encode("utf-8") if isinstance(answer, str) else answer
        if profile == "palworld":
            self.emit(packet(0, RESPONSE_VALUE, data), delay=delay)
            return
        limit = server.split_size - 14
        chunks = [data[i : i + limit] for i in range(0, len(data), limit)] or [b""]
        packets = [packet(id_, RESPONSE_VALUE, c) for c in chunks]
        if server.interleave_chat is not None:
            packets.insert(1, packet(0, CHAT_VALUE, server.interleave_chat.encode("utf-8")))
        self.emit(*packets, delay=delay)


class FakeRCONServer(Served):
    """Async context manager serving RCON on 127.0.0.1 (port 0 unless given); see module doc."""

    def __init__(
        self,
        password: str = "secret",
        profile: str = "srcds",
        *,
        responses: Mapping[str, str | bytes] | None = None,
        handler: Callable[[str], str | bytes] | None = None,
        max_failed_auth: int = 3,
        auth_order: str = "empty-first",
        coalesce: bool = False,
        fragment: int | None = None,
        fragment_delay: float = 0.0005,
        delay: float = 0.0,
        command_delays: dict[str, float] | None = None,
        split_size: int | None = None,
        interleave_chat: str | None = None,
        squad_close_delay: float = 0.02,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}")
        if auth_order not in ("empty-first", "auth-first", "auth-only"):
            raise ValueError(f"unknown auth_order {auth_order!r}")
        self.password = password
        self.profile = profile
        self.responses = dict(responses or {})
        self.handler = handler
        self.max_failed_auth = max_failed_auth
        self.auth_order = auth_order
        self.coalesce = coalesce
        self.fragment = fragment
        self.fragment_delay = fragment_delay
        self.delay = delay
        self.command_delays = dict(command_delays or {})
        self.split_size = split_size or (4110 if profile == "minecraft" else 4096)
        self.interleave_chat = interleave_chat
        self.squad_close_delay = squad_close_delay
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._conns: set[_Conn] = set()
        self.address: tuple[str, int] = (host, port)
        self.received: list[str] = []
        self.received_packets: list[ReceivedPacket] = []
        self.auth_attempts = 0
        self.failed_auth = 0
        self.connections_made = 0
        self.bad_packets = 0
        self.banned = False

    def __repr__(self) -> str:
        return f"<FakeRCONServer {self.profile} {self.address[0]}:{self.address[1]}>"

    @property
    def _slow(self) -> bool:
        return bool(self.fragment or self.delay or self.command_delays)

    @property
    def connections(self) -> int:
        """Connections open right now."""
        return len(self._conns)

    def answer(self, command: str) -> str | bytes:
        if self.handler is not None:
            return self.handler(command)
        if command in self.responses:
            return self.responses[command]
        if command.startswith("echo "):
            return command[5:]
        return ""

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Conn(self), self._host, self._port)
        sock = self._server.sockets[0]
        self.address = (self._host, int(sock.getsockname()[1]))
        self._port = self.address[1]

    async def stop(self) -> None:
        self.drop_connections()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    def drop_connections(self) -> None:
        for conn in list(self._conns):
            conn.closed = True
            if conn.transport is not None:
                conn.transport.abort()

    async def restart(self, downtime: float = 0.0) -> None:
        """Drop every connection (as a crashing server would) and listen again on the same port.

        With ``downtime``, the port refuses connections for that long. A ban is forgotten.
        """
        self.banned = False
        if downtime <= 0:
            self.drop_connections()
            await asyncio.sleep(0)
            return
        await self.stop()
        await asyncio.sleep(downtime)
        await self.start()

    def unban(self) -> None:
        """``removeip``: accept this IP again and reset the failure count."""
        self.banned = False
        self.failed_auth = 0

    def send_chat(self, text: str) -> None:
        """Push a type-1 chat packet (Squad) to every authenticated connection."""
        for conn in list(self._conns):
            if conn.authenticated:
                conn.emit(packet(0, CHAT_VALUE, text.encode("utf-8")))


async def _serve(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.rcon_server")
    parser.add_argument("--profile", default="srcds", choices=PROFILES)
    parser.add_argument("--password", default="secret")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--big", type=int, default=100_000, help="bytes answered to 'big'")
    args = parser.parse_args(argv)
    big = "x" * args.big
    server = FakeRCONServer(
        args.password,
        args.profile,
        responses={"big": big},
        max_failed_auth=1_000_000,
        port=args.port,
    )
    async with server:
        print(server.address[1], flush=True)
        loop = asyncio.get_running_loop()
        # Stop when the parent closes our stdin: the server can never outlive the benchmark.
        await loop.run_in_executor(None, sys.stdin.read)


def main(argv: list[str]) -> int:
    try:
        import uvloop
    except ImportError:
        asyncio.run(_serve(argv))
    else:
        uvloop.run(_serve(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
