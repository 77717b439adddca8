"""A fake Minecraft: Java Edition server (Server List Ping and legacy pings) on 127.0.0.1.

It has its own packet code (not ``bot.protocols.minecraft``) so that a bug there cannot hide
itself. Contract::

    async with FakeMinecraftServer(status={"version": {...}, ...}) as server:
        host, port = server.address
        server.handshakes       # [Handshake(protocol_version, host, port, next_state)]
        server.legacy_requests  # bytes of each legacy ping received (after the first FE)
        server.pings            # payloads of ping requests received
        server.connections      # connections accepted

Keyword-only knobs:
  status        dict (dumped as JSON), str (sent as is) or bytes (sent as the String's bytes)
  mode          "modern": SLP, and the legacy pings answered like a current vanilla server;
                "legacy": a 1.4-1.6 server: legacy pings answered, an SLP handshake gets a kick
                packet (``on_modern="kick"``) or a closed connection (``on_modern="close"``);
                "pre14": ``FE`` answered with ``motd§online§max``, anything else closed.
  legacy        LegacySpec of the legacy answers.
  hostile       None, "oversized_length" (announces a 2 GB frame, then hangs), "oversized_string"
                (a small frame whose String claims 1 MB), "garbage" (sends ``garbage``, closes),
                "silent" (reads, never answers), "close" (closes after the handshake),
                "drip" (sends the answer one byte every ``drip_delay`` seconds). Each also
                applies to the legacy ping, so the fallback meets the same server.
  pong          "echo", "none" (close after the status), "wrong" (another payload), "silent".
                A ping right after the handshake (no status request) is answered too, as
                vanilla does.
  pong_delay    seconds before the pong.
  tail          bytes appended after the JSON String inside the status packet (BCC).
  fragment      write answers in chunks of this many bytes, yielding between them.
  lifetime      seconds after which the server stops by itself (tests never hang on it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
from dataclasses import dataclass
from typing import Any

from tests.fakes.served import Served

# The sample players a status names unless a test says otherwise (vanilla's own example UUIDs).
ALEX = {"name": "Alex", "id": "ec561538-f3fd-461d-aff5-086b22154bce"}
STEVE = {"name": "Steve", "id": "8667ba71-b85a-4004-af54-457a9734eed7"}
DEFAULT_STATUS: dict[str, Any] = {
    "version": {"name": "1.21.4", "protocol": 769},
    "players": {
        "max": 20,
        "online": 2,
        "sample": [ALEX, STEVE],
    },
    "description": {"text": "§aA Minecraft Server", "extra": [{"text": " here"}]},
    "enforcesSecureChat": True,
}


@dataclass
class LegacySpec:
    protocol: int = 127
    version: str = "1.6.4"
    motd: str = "A Minecraft Server"
    online: int = 0
    max_players: int = 20


@dataclass(frozen=True)
class Handshake:
    protocol_version: int
    host: str
    port: int
    next_state: int


def varint(value: int) -> bytes:
    value &= 0xFFFFFFFF
    out = bytearray()
    while True:
        if value < 0x80:
            out.append(value)
            return bytes(out)
        out.append(value & 0x7F | 0x80)
        value >>= 7


def mc_string(raw: bytes) -> bytes:
    return varint(len(raw)) + raw


def packet(body: bytes) -> bytes:
    return varint(len(body)) + body


def kick(text: str) -> bytes:
    encoded = text.encode("utf-16-be")
    return b"\xff" + struct.pack(">H", len(encoded) // 2) + encoded


async def read_varint(reader: asyncio.StreamReader) -> int:
    result = 0
    for index in range(5):
        byte = (await reader.readexactly(1))[0]
        result |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            return result - (1 << 32) if result >> 31 else result
    raise ValueError("VarInt too long")


def parse_varint(data: bytes, offset: int) -> tuple[int, int]:
    result = 0
    for index in range(5):
        byte = data[offset + index]
        result |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            value = result - (1 << 32) if result >> 31 else result
            return value, offset + index + 1
    raise ValueError("VarInt too long")


class FakeMinecraftServer(Served):
    def __init__(
        self,
        *,
        status: dict[str, Any] | str | bytes | None = None,
        mode: str = "modern",
        on_modern: str = "kick",
        legacy: LegacySpec | None = None,
        hostile: str | None = None,
        garbage: bytes = b"HTTP/1.1 400 Bad Request\r\n\r\n",
        drip_delay: float = 0.05,
        pong: str = "echo",
        pong_delay: float = 0.0,
        tail: bytes = b"",
        fragment: int | None = None,
        lifetime: float = 30.0,
    ) -> None:
        self.status: dict[str, Any] | str | bytes = DEFAULT_STATUS if status is None else status
        self.mode = mode
        self.on_modern = on_modern
        self.legacy = legacy or LegacySpec()
        self.hostile = hostile
        self.garbage = garbage
        self.drip_delay = drip_delay
        self.pong = pong
        self.pong_delay = pong_delay
        self.tail = tail
        self.fragment = fragment
        self.lifetime = lifetime
        self.handshakes: list[Handshake] = []
        self.legacy_requests: list[bytes] = []
        self.pings: list[int] = []
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopper: asyncio.TimerHandle | None = None
        self.address: tuple[str, int] = ("127.0.0.1", 0)

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.address = ("127.0.0.1", self._server.sockets[0].getsockname()[1])
        loop = asyncio.get_running_loop()
        self._stopper = loop.call_later(self.lifetime, lambda: loop.create_task(self.stop()))

    async def stop(self) -> None:
        if self._stopper is not None:
            self._stopper.cancel()
        if self._server is not None:
            self._server.close()
            self._server = None
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        task = asyncio.get_running_loop().create_task(self._serve(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            first = await reader.readexactly(1)
            if first == b"\xfe":
                await self._legacy(reader, writer)
            elif self.mode == "pre14":
                pass  # old servers know no SLP: they drop the connection
            else:
                await self._modern(first, reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    async def _send(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        if self.hostile == "drip":
            for index in range(len(data)):
                writer.write(data[index : index + 1])
                await writer.drain()
                await asyncio.sleep(self.drip_delay)
            return
        if self.fragment:
            for start in range(0, len(data), self.fragment):
                writer.write(data[start : start + self.fragment])
                await writer.drain()
                await asyncio.sleep(0)
            return
        writer.write(data)
        await writer.drain()

    # -- legacy ------------------------------------------------------------------------------

    def legacy_text(self, modern_format: bool) -> str:
        spec = self.legacy
        if not modern_format:
            return f"{spec.motd}§{spec.online}§{spec.max_players}"
        fields = [
            str(spec.protocol),
            spec.version,
            spec.motd,
            str(spec.online),
            str(spec.max_players),
        ]
        return "§1\0" + "\0".join(fields)

    async def _legacy(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Hostile modes misbehave on the legacy ping too ("drip" drips the real answer).
        if self.hostile != "drip" and await self._hostile(reader, writer):
            return
        if self.mode == "pre14":
            self.legacy_requests.append(b"")
            await self._send(writer, kick(self.legacy_text(False)))
            return
        rest = b""
        with contextlib.suppress(TimeoutError):
            rest = await asyncio.wait_for(reader.read(1024), 0.2)
        self.legacy_requests.append(rest)
        await self._send(writer, kick(self.legacy_text(rest.startswith(b"\x01"))))

    # -- modern ------------------------------------------------------------------------------

    async def _read_packet(self, reader: asyncio.StreamReader, first: bytes = b"") -> bytes:
        if first:
            length = first[0]
            if length & 0x80:
                rest = await read_varint(reader)
                length = (length & 0x7F) | (rest << 7)
        else:
            length = await read_varint(reader)
        if not 0 < length < 1 << 16:
            raise ValueError("bad packet length")
        return await reader.readexactly(length)

    def status_packet(self) -> bytes:
        if isinstance(self.status, dict):
            raw = json.dumps(self.status).encode("utf-8")
        elif isinstance(self.status, str):
            raw = self.status.encode("utf-8")
        else:
            raw = self.status
        return packet(b"\x00" + mc_string(raw) + self.tail)

    async def _modern(
        self, first: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        body = await self._read_packet(reader, first)
        if body[:1] != b"\x00":
            raise ValueError("not a handshake")
        version, offset = parse_varint(body, 1)
        length, offset = parse_varint(body, offset)
        host = body[offset : offset + length].decode("utf-8")
        offset += length
        port = struct.unpack_from(">H", body, offset)[0]
        next_state, _ = parse_varint(body, offset + 2)
        self.handshakes.append(Handshake(version, host, port, next_state))
        if self.mode == "legacy":
            if self.on_modern == "kick":
                await self._send(writer, kick("Outdated client! Please use 1.6.4"))
            return
        request = await self._read_packet(reader)
        # Vanilla also answers a ping sent straight after the handshake, with no status
        # request: mcstatus's ping() does exactly that against real servers.
        ping_first = request[:1] == b"\x01" and self.pong != "none"
        if request != b"\x00" and not ping_first:
            raise ValueError("not a status request")
        if await self._hostile(reader, writer):
            return
        if ping_first:
            await self._answer_ping(reader, writer, request)
            return
        await self._send(writer, self.status_packet())
        await self._answer_ping(reader, writer)

    async def _hostile(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        if self.hostile == "oversized_length":
            writer.write(varint(0x7FFFFFFF) + b"\x00" * 16)
            await writer.drain()
            await asyncio.sleep(self.lifetime)
        elif self.hostile == "oversized_string":
            await self._send(writer, packet(b"\x00" + varint(1 << 20) + b"{}"))
            await asyncio.sleep(self.lifetime)
        elif self.hostile == "garbage":
            await self._send(writer, self.garbage)
        elif self.hostile == "silent":
            await reader.read()  # until the client gives up and closes
        elif self.hostile == "close":
            pass
        else:
            return False
        return True

    async def _answer_ping(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes = b""
    ) -> None:
        if self.pong == "none":
            return
        if not body:
            body = await self._read_packet(reader)
        if body[:1] != b"\x01" or len(body) != 9:
            raise ValueError("not a ping")
        payload = struct.unpack(">q", body[1:])[0]
        self.pings.append(payload)
        if self.pong == "silent":
            await reader.read()
            return
        if self.pong_delay:
            await asyncio.sleep(self.pong_delay)
        echoed = payload ^ 1 if self.pong == "wrong" else payload
        await self._send(writer, packet(b"\x01" + struct.pack(">q", echoed)))
