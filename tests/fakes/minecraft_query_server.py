"""A fake Minecraft Query (GameSpy4, ``enable-query=true``) server on 127.0.0.1 UDP.

Own packet code, independent of ``bot.protocols.minecraft``. Like vanilla, it answers a stat
request only with a token it issued to that address within ``token_lifetime``, and otherwise
stays silent (there is no error packet). Contract::

    async with FakeQueryServer(players=["Alex", "Steve"]) as server:
        host, port = server.address
        server.requests   # every datagram received
        server.tokens     # {address: token} issued

Knobs (keyword-only): ``kv`` ([(key, value)], sent in that order; str values are written one
byte per character like vanilla, bytes as they are), ``players``, ``padding`` (11 bytes before
the pairs), ``token`` (fixed instead of random), ``token_lifetime``, ``silent`` (never answer),
``answer_stat`` (False: handshakes only), ``drop_first`` (ignore the first N datagrams: loss),
``stray`` (before each answer send one with another session id), ``raw_stat`` (bytes sent as
the stat answer's body after the header), ``lifetime`` (stops by itself), ``port`` (0: any; the
TCP status port of a FakeMinecraftServer, to serve both on one port number as vanilla does).
"""

from __future__ import annotations

import random
import struct
import time
from typing import Any

from tests.fakes.served import Served
from tests.fakes.udp_endpoint import LoopbackUdp

VANILLA_PADDING = b"splitnum\x00\x80\x00"
DEFAULT_KV: list[tuple[str, str | bytes]] = [
    ("hostname", "A Minecraft Server"),
    ("gametype", "SMP"),
    ("game_id", "MINECRAFT"),
    ("version", "1.21.4"),
    ("plugins", "Paper on 1.21.4-R0.1: WorldEdit 7.3.9; LuckPerms 5.4.1"),
    ("map", "world"),
    ("numplayers", "2"),
    ("maxplayers", "20"),
    ("hostport", "25565"),
    ("hostip", "127.0.0.1"),
]


def vanilla_bytes(text: str | bytes) -> bytes:
    """Vanilla writes each char as one byte (the low 8 bits)."""
    if isinstance(text, bytes):
        return text
    return bytes(ord(char) & 0xFF for char in text)


def full_stat_body(
    kv: list[tuple[str, str | bytes]], players: list[str | bytes], padding: bytes
) -> bytes:
    out = bytearray(padding)
    for key, value in kv:
        out += key.encode() + b"\x00" + vanilla_bytes(value) + b"\x00"
    out += b"\x00\x01player_\x00\x00"
    for name in players:
        out += vanilla_bytes(name) + b"\x00"
    return bytes(out + b"\x00")


class FakeQueryServer(Served):
    def __init__(
        self,
        *,
        kv: list[tuple[str, str | bytes]] | None = None,
        players: list[str | bytes] | None = None,
        padding: bytes = VANILLA_PADDING,
        token: int | None = None,
        token_lifetime: float = 30.0,
        silent: bool = False,
        answer_stat: bool = True,
        drop_first: int = 0,
        stray: bool = False,
        raw_stat: bytes | None = None,
        lifetime: float = 30.0,
        port: int = 0,
    ) -> None:
        self.port = port
        self.kv = DEFAULT_KV if kv is None else kv
        self.players: list[str | bytes] = ["Alex", "Steve"] if players is None else players
        self.padding = padding
        self.fixed_token = token
        self.token_lifetime = token_lifetime
        self.silent = silent
        self.answer_stat = answer_stat
        self.drop_first = drop_first
        self.stray = stray
        self.raw_stat = raw_stat
        self.lifetime = lifetime
        self.requests: list[bytes] = []
        self.tokens: dict[Any, int] = {}
        self._issued: dict[Any, float] = {}
        self._udp = LoopbackUdp(self._on_datagram)
        self.address: tuple[str, int] = ("127.0.0.1", 0)

    async def start(self) -> None:
        self.address = await self._udp.open(port=self.port, lifetime=self.lifetime)

    def close(self) -> None:
        self._udp.close()

    async def stop(self) -> None:
        self.close()

    def _send(self, data: bytes, addr: Any, session: bytes) -> None:
        if self.stray:
            other = bytes([session[0] ^ 0x01]) + session[1:]
            self._udp.sendto(data[:1] + other + data[5:], addr)
        self._udp.sendto(data, addr)

    def _on_datagram(self, data: bytes, addr: Any) -> None:
        self.requests.append(data)
        if len(self.requests) <= self.drop_first or self.silent:
            return
        if len(data) < 7 or data[:2] != b"\xfe\xfd":
            return
        kind, session = data[2], data[3:7]
        if kind == 9:
            token = self.fixed_token if self.fixed_token is not None else random.randrange(1 << 31)
            self.tokens[addr] = token
            self._issued[addr] = time.monotonic()
            self._send(b"\x09" + session + str(token).encode() + b"\x00", addr, session)
        elif kind == 0 and len(data) >= 11 and self.answer_stat:
            token = struct.unpack(">i", data[7:11])[0]
            fresh = time.monotonic() - self._issued.get(addr, -1e9) < self.token_lifetime
            if self.tokens.get(addr) != token or not fresh:
                return  # vanilla ignores a wrong or expired token
            if len(data) < 15:
                return  # basic stat: not served by this fake
            body = self.raw_stat
            if body is None:
                body = full_stat_body(self.kv, self.players, self.padding)
            self._send(b"\x00" + session + body, addr, session)
