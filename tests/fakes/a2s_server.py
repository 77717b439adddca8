"""A fake A2S game server on loopback, for tests of the A2S client and of its users.

Contract (other test suites rely on it)::

    async with FakeA2SServer(info=InfoSpec(...), players=[PlayerSpec("alice", 3, 12.5)],
                             rules={"mp_timelimit": "30"}) as server:
        await ainfo(server.address)

* ``InfoSpec``: every field has a default (protocol 17, "Test Server", "de_dust2", folder
  "cstrike", game "Counter-Strike: Source", app_id 240, 0/16 players, 0 bots, type "d",
  platform "l", no password, VAC on, version "1.0.0.0", EDF with port 27015 and keywords "",
  game_id None). ``ship=(mode, witnesses, duration)`` adds The Ship fields; ``obsolete=True``
  answers in the GoldSrc 'm' layout.
* ``PlayerSpec(name, score=0, duration=0.0)``; ``deaths``/``money`` set on every player add
  The Ship trailer.
* ``FakeA2SServer(info=None, players=None, rules=None, *, host="127.0.0.1", port=0,
  challenge=True, ...)`` binds on port 0 by default; ``address`` is ``(host, port)``.
  ``info``, ``players``, ``rules``, ``silent`` and ``delay`` may be changed while it runs.
  ``requests`` counts datagrams received; ``received`` keeps them.

Behaviour knobs (keyword-only):
  challenge        PLAYER/RULES need a challenge (real Steam servers). Default True.
  info_challenge   INFO needs one too (Steam since Dec 2020). Default False.
  challenge_rounds successive challenges before the first answer (CS:GO/Rust send 2).
  split_size       payload bytes per fragment; longer answers are split. None: never split.
  compress         bzip2 split answers (bit 31 of the split id, size + CRC in packet 0).
  goldsrc_splits   use the GoldSrc split header.
  split_size_field include the Size field in Source split headers (False: 2006 engines).
  drop_requests    indices (0-based) of received datagrams to ignore: loss on the way in.
  drop_responses   indices (0-based) of sent datagrams to drop: loss on the way out.
  duplicate        send every datagram twice.
  reorder          send the fragments of an answer in reverse order.
  delay            seconds to wait before answering.
  silent           never answer.
  truncate         cut every answer message to this many bytes (before splitting).
  stray            before each answer, send junk: an answer from another port, a fragment of
                   another split id, and 64 zero bytes (python-a2s#61).
  double_header    repeat ``FF FF FF FF`` inside simple answers (Garry's Mod).
  responses        {"info"|"players"|"rules": message bytes} served verbatim instead of
                   encoding the specs (type byte first, no ``FF FF FF FF``).
"""

from __future__ import annotations

import asyncio
import bz2
import itertools
import socket
import struct
import zlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.served import Served

SIMPLE = b"\xff\xff\xff\xff"
SPLIT = b"\xfe\xff\xff\xff"


@dataclass
class InfoSpec:
    protocol: int = 17
    server_name: str | bytes = "Test Server"
    map_name: str | bytes = "de_dust2"
    folder: str | bytes = "cstrike"
    game: str | bytes = "Counter-Strike: Source"
    app_id: int = 240
    player_count: int = 0
    max_players: int = 16
    bot_count: int = 0
    server_type: str = "d"
    platform: str = "l"
    password_protected: bool = False
    vac_enabled: bool = True
    version: str | bytes = "1.0.0.0"
    port: int | None = 27015
    steam_id: int | None = None
    stv_port: int | None = None
    stv_name: str | bytes | None = None
    keywords: str | bytes | None = ""
    game_id: int | None = None
    ship: tuple[int, int, int] | None = None
    include_edf: bool = True
    obsolete: bool = False
    address: str = "127.0.0.1:27015"


@dataclass
class PlayerSpec:
    name: str | bytes
    score: int = 0
    duration: float = 0.0
    index: int = 0
    deaths: int | None = None
    money: int | None = None


def _b(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8")


def _cstr(text: str | bytes) -> bytes:
    return _b(text) + b"\x00"


def encode_info(spec: InfoSpec) -> bytes:
    """The INFO answer message (type byte first)."""
    if spec.obsolete:
        return (
            b"m"
            + b"".join(
                _cstr(s)
                for s in (spec.address, spec.server_name, spec.map_name, spec.folder, spec.game)
            )
            + bytes([spec.player_count, spec.max_players, spec.protocol])
            + _b(spec.server_type)[:1]
            + _b(spec.platform)[:1]
            + bytes([spec.password_protected, 0, spec.vac_enabled, spec.bot_count])
        )
    out = bytearray(b"I")
    out.append(spec.protocol)
    for s in (spec.server_name, spec.map_name, spec.folder, spec.game):
        out += _cstr(s)
    out += struct.pack("<H", spec.app_id & 0xFFFF)
    out += bytes([spec.player_count, spec.max_players, spec.bot_count])
    out += _b(spec.server_type)[:1] + _b(spec.platform)[:1]
    out += bytes([spec.password_protected, spec.vac_enabled])
    if spec.ship is not None:
        out += bytes(spec.ship)
    out += _cstr(spec.version)
    if not spec.include_edf:
        return bytes(out)
    edf = 0
    tail = bytearray()
    if spec.port is not None:
        edf |= 0x80
        tail += struct.pack("<H", spec.port)
    if spec.steam_id is not None:
        edf |= 0x10
        tail += struct.pack("<Q", spec.steam_id)
    if spec.stv_port is not None:
        edf |= 0x40
        tail += struct.pack("<H", spec.stv_port) + _cstr(spec.stv_name or "")
    if spec.keywords is not None:
        edf |= 0x20
        tail += _cstr(spec.keywords)
    if spec.game_id is not None:
        edf |= 0x01
        tail += struct.pack("<Q", spec.game_id)
    return bytes(out) + bytes([edf]) + bytes(tail)


def encode_players(players: Sequence[PlayerSpec]) -> bytes:
    out = bytearray(b"D")
    out.append(len(players) & 0xFF)
    for p in players:
        out.append(p.index)
        out += _cstr(p.name) + struct.pack("<if", p.score, p.duration)
    if players and all(p.deaths is not None and p.money is not None for p in players):
        for p in players:
            out += struct.pack("<ii", p.deaths or 0, p.money or 0)
    return bytes(out)


def encode_rules(rules: Mapping[str, str] | Mapping[bytes, bytes]) -> bytes:
    out = bytearray(b"E")
    out += struct.pack("<H", len(rules))
    for key, value in rules.items():
        out += _cstr(key) + _cstr(value)
    return bytes(out)


def split_source(
    datagram: bytes,
    split_id: int,
    chunk: int,
    *,
    compress: bool = False,
    size_field: bool = True,
) -> list[bytes]:
    """Cut a whole ``FF FF FF FF …`` answer into Source split datagrams."""
    body = bz2.compress(datagram) if compress else datagram
    if compress:
        split_id |= 0x80000000
    pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
    out = []
    for number, piece in enumerate(pieces):
        head = SPLIT + struct.pack("<IBB", split_id, len(pieces), number)
        if size_field:
            head += struct.pack("<H", chunk)
        if compress and number == 0:
            head += struct.pack("<II", len(datagram), zlib.crc32(datagram))
        out.append(head + piece)
    return out


def split_goldsrc(datagram: bytes, split_id: int, chunk: int) -> list[bytes]:
    pieces = [datagram[i : i + chunk] for i in range(0, len(datagram), chunk)]
    if len(pieces) > 15:
        raise ValueError("GoldSrc splits carry at most 15 fragments")
    return [
        SPLIT + struct.pack("<IB", split_id, number << 4 | len(pieces)) + piece
        for number, piece in enumerate(pieces)
    ]


_QUIET_TRIES = 20
_QUIET_SPAN = 12  # the bot probes game port ±10


def _window_is_quiet(host: str, port: int) -> bool:
    """No other UDP socket is bound within ±_QUIET_SPAN of ``port`` on ``host``."""
    for other in range(max(1, port - _QUIET_SPAN), min(65535, port + _QUIET_SPAN) + 1):
        if other == port:
            continue
        probe = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
        try:
            probe.bind((host, other))
        except OSError:
            return False
        finally:
            probe.close()
    return True


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, server: FakeA2SServer) -> None:
        self.server = server

    def datagram_received(self, data: bytes, addr: tuple[Any, ...]) -> None:
        self.server._on_datagram(data, addr)


@dataclass
class _ClientState:
    challenge: bytes
    rounds: int = 0
    passed: bool = False


class FakeA2SServer(Served):
    def __init__(
        self,
        info: InfoSpec | None = None,
        players: list[PlayerSpec] | None = None,
        rules: dict[str, str] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        challenge: bool = True,
        info_challenge: bool = False,
        challenge_rounds: int = 1,
        split_size: int | None = None,
        compress: bool = False,
        goldsrc_splits: bool = False,
        split_size_field: bool = True,
        drop_requests: Collection[int] = (),
        drop_responses: Collection[int] = (),
        duplicate: bool = False,
        reorder: bool = False,
        delay: float = 0.0,
        silent: bool = False,
        truncate: int | None = None,
        stray: bool = False,
        double_header: bool = False,
        responses: Mapping[str, bytes] | None = None,
    ) -> None:
        self.info = info if info is not None else InfoSpec()
        self.players = players if players is not None else []
        self.rules = rules if rules is not None else {}
        self.host = host
        self._port = port
        self.challenge = challenge
        self.info_challenge = info_challenge
        self.challenge_rounds = challenge_rounds
        self.split_size = split_size
        self.compress = compress
        self.goldsrc_splits = goldsrc_splits
        self.split_size_field = split_size_field
        self.drop_requests = set(drop_requests)
        self.drop_responses = set(drop_responses)
        self.duplicate = duplicate
        self.reorder = reorder
        self.delay = delay
        self.silent = silent
        self.truncate = truncate
        self.stray = stray
        self.double_header = double_header
        self.responses: dict[str, bytes] = dict(responses or {})
        self.requests = 0
        self.received: list[bytes] = []
        self.sent = 0
        self.challenges_sent = 0
        self._clients: dict[Any, _ClientState] = {}
        self._challenge_seq = itertools.count(0x1234567)
        self._split_ids = itertools.count(1)
        self._transport: asyncio.DatagramTransport | None = None
        self._stray_transport: asyncio.DatagramTransport | None = None
        self._handles: list[asyncio.TimerHandle] = []
        self.address: tuple[str, int] = (host, port)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        for attempt in range(1, _QUIET_TRIES + 1):
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Protocol(self), local_addr=(self.host, self._port)
            )
            port = int(transport.get_extra_info("sockname")[1])
            # An ephemeral port next to another UDP socket (another test worker's fake server)
            # would let a probe of this server's window find that one: take another port (on a
            # crowded machine, the last one tried).
            if self._port != 0 or attempt == _QUIET_TRIES or _window_is_quiet(self.host, port):
                break
            transport.close()
        self._transport = transport
        self.address = (self.host, port)
        stray, _ = await loop.create_datagram_endpoint(
            asyncio.DatagramProtocol, local_addr=(self.host, 0)
        )
        self._stray_transport = stray

    async def close(self) -> None:
        for handle in self._handles:
            handle.cancel()
        for transport in (self._transport, self._stray_transport):
            if transport is not None:
                transport.close()
        self._transport = self._stray_transport = None
        await asyncio.sleep(0)

    stop = close  # what ``Served`` calls on exit

    def rotate_challenge(self) -> None:
        """Invalidate every client's challenge (as a server restart would)."""
        self._clients.clear()

    # -- request handling ---------------------------------------------------------------------

    def _new_challenge(self) -> bytes:
        return struct.pack("<I", next(self._challenge_seq) * 2654435761 & 0xFFFFFFFF)

    def _on_datagram(self, data: bytes, addr: Any) -> None:
        index = self.requests
        self.requests += 1
        self.received.append(data)
        if self.silent or index in self.drop_requests:
            return
        if self.delay > 0:
            loop = asyncio.get_running_loop()
            self._handles.append(loop.call_later(self.delay, self._answer, data, addr))
        else:
            self._answer(data, addr)

    def _answer(self, data: bytes, addr: Any) -> None:
        if self._transport is None or not data.startswith(SIMPLE) or len(data) < 5:
            return
        kind = data[4]
        if kind == 0x54 and data[5:25] == b"Source Engine Query\x00":
            name, sent_challenge, need = "info", data[25:29] or None, self.info_challenge
        elif kind == 0x55 and len(data) >= 9:
            name, sent_challenge, need = "players", data[5:9], self.challenge
        elif kind == 0x56 and len(data) >= 9:
            name, sent_challenge, need = "rules", data[5:9], self.challenge
        else:
            return
        if need and not self._challenge_ok(addr, sent_challenge):
            self.challenges_sent += 1
            self._send([SIMPLE + b"A" + self._clients[addr].challenge], addr)
            return
        self._send(self._package(self._message(name)), addr)

    def _challenge_ok(self, addr: Any, sent: bytes | None) -> bool:
        state = self._clients.get(addr)
        if state is None:
            self._clients[addr] = _ClientState(self._new_challenge())
            return False
        if sent != state.challenge:
            return False
        if state.passed:
            return True
        state.rounds += 1
        if state.rounds < self.challenge_rounds:
            state.challenge = self._new_challenge()  # CS:GO/Rust: another round
            return False
        state.passed = True
        return True

    def _message(self, name: str) -> bytes:
        if name in self.responses:
            message = self.responses[name]
        elif name == "info":
            message = encode_info(self.info)
        elif name == "players":
            message = encode_players(self.players)
        else:
            message = encode_rules(self.rules)
        if self.truncate is not None:
            message = message[: self.truncate]
        return message

    def _package(self, message: bytes) -> list[bytes]:
        whole = SIMPLE + message
        if self.split_size is None or len(whole) <= self.split_size:
            return [SIMPLE + whole if self.double_header else whole]
        split_id = next(self._split_ids)
        if self.goldsrc_splits:
            parts = split_goldsrc(whole, split_id, self.split_size)
        else:
            parts = split_source(
                whole,
                split_id,
                self.split_size,
                compress=self.compress,
                size_field=self.split_size_field,
            )
        if self.reorder:
            parts.reverse()
        return parts

    def _send(self, datagrams: list[bytes], addr: Any) -> None:
        assert self._transport is not None
        if self.stray and self._stray_transport is not None:
            # Junk the client must ignore: another source port, another split id, zeros.
            self._stray_transport.sendto(SIMPLE + encode_info(InfoSpec(server_name="stray")), addr)
            junk_fragment = SPLIT + struct.pack("<IBBH", 0x7FFF0000, 2, 1, 1248) + b"x"
            self._transport.sendto(junk_fragment, addr)
            self._transport.sendto(bytes(64), addr)
        for datagram in datagrams:
            for _ in range(2 if self.duplicate else 1):
                index = self.sent
                self.sent += 1
                if index not in self.drop_responses:
                    self._transport.sendto(datagram, addr)


@dataclass
class ServerFleet:
    """Several fake servers started and stopped together."""

    servers: list[FakeA2SServer] = field(default_factory=list)

    async def __aenter__(self) -> ServerFleet:
        for server in self.servers:
            await server.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for server in self.servers:
            await server.close()
