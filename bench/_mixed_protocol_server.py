"""Non-A2S game servers for bench_poller's mixed-protocol round, many in one process.

Run as ``python -m bench._mixed_protocol_server KIND=COUNT ...`` (kinds: minecraft, bedrock,
quake3, fivem, satisfactory). Each server is its own port on 127.0.0.1 (the poller keys
servers by address); it prints ``[[port, kind], ...]`` as one JSON line, then answers until its
stdin closes or MAX_LIFETIME passes.

Lean answerers on asyncio protocols (the default loop: uvloop's transports close sockets
passed in with ``sock=`` in ways that broke the next bind), their bytes built with the
encoders of the test fakes (``tests/fakes``), answers precomputed per server where the request
does not change them:

* minecraft: Server List Ping on TCP (handshake, status, ping/pong, then close) with up to 12
  names in the sample, and Query (GameSpy4, full stat with every name) on UDP on the same port
  number, as vanilla with ``enable-query=true``;
* bedrock: RakNet unconnected pong; quake3: ``statusResponse`` with the challenge echoed and
  one line per player; satisfactory: Server State Response;
* fivem: HTTP/1.1 ``/dynamic.json``, ``/info.json``, ``/players.json``, one request per
  connection (``Connection: close``).

Player counts vary per server (``index * 37`` modulo 80 % of the slots).
"""

from __future__ import annotations

import asyncio
import functools
import json
import resource
import socket
import struct
import sys
from collections.abc import Callable
from typing import cast

from bench._common import until_stdin_closes
from tests.fakes import fivem_server
from tests.fakes.bedrock_server import encode_pong, motd_string, parse_ping
from tests.fakes.minecraft_query_server import DEFAULT_KV, VANILLA_PADDING, full_stat_body
from tests.fakes.minecraft_server import mc_string, packet, parse_varint, varint
from tests.fakes.quake3_server import DEFAULT_SERVERINFO, encode_status, parse_request
from tests.fakes.satisfactory_server import encode_response, parse_poll
from tests.fakes.udp_endpoint import Replies

MAX_LIFETIME = 600.0
MAX_REQUEST_BYTES = 8192  # a request larger than this is not ours: the connection is dropped
KINDS = ("minecraft", "bedrock", "quake3", "fivem", "satisfactory")
MAX_PLAYERS = {"minecraft": 50, "bedrock": 30, "quake3": 16, "fivem": 64, "satisfactory": 0}
QUERY_TOKEN = 9513307


def player_count(index: int, kind: str) -> int:
    top = MAX_PLAYERS[kind] * 4 // 5
    return (index * 37) % (top + 1) if top else 0


def _names(index: int, count: int) -> list[str]:
    return [f"Player_{index % 1000:03d}_{i:02d}" for i in range(count)]


# -- Minecraft ---------------------------------------------------------------------------------


def minecraft_status_packet(index: int, port: int) -> bytes:
    count = player_count(index, "minecraft")
    sample = [
        {"name": name, "id": f"{index:08x}-0000-4000-8000-{i:012x}"}
        for i, name in enumerate(_names(index, min(count, 12)))
    ]
    status = {
        "version": {"name": "1.21.4", "protocol": 769},
        "players": {"max": MAX_PLAYERS["minecraft"], "online": count, "sample": sample},
        "description": {"text": f"§aOutpost SMP #{index:04d}", "extra": [{"text": " survival"}]},
        "enforcesSecureChat": True,
    }
    return packet(varint(0) + mc_string(json.dumps(status).encode()))


def minecraft_stat_body(index: int, port: int) -> bytes:
    names = _names(index, player_count(index, "minecraft"))
    kv = [(k, v) for k, v in DEFAULT_KV if k not in ("numplayers", "maxplayers", "hostport")]
    kv += [
        ("numplayers", str(len(names))),
        ("maxplayers", str(MAX_PLAYERS["minecraft"])),
        ("hostport", str(port)),
    ]
    return full_stat_body(kv, list(names), VANILLA_PADDING)


class _Connection(asyncio.Protocol):
    """One TCP exchange: what it reads is buffered for ``_serve``; too much and it is dropped."""

    def __init__(self) -> None:
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        if len(self.buffer) > MAX_REQUEST_BYTES:
            self.transport.close()
            return
        self._serve(self.transport)

    def _serve(self, transport: asyncio.Transport) -> None:
        raise NotImplementedError  # pragma: no cover - every connection defines it


class _SlpConnection(_Connection):
    """Handshake, status request -> status; ping -> pong, then close."""

    def __init__(self, status: bytes) -> None:
        super().__init__()
        self.status = status

    def _serve(self, transport: asyncio.Transport) -> None:
        while True:
            try:
                length, start = parse_varint(self.buffer, 0)
                packet_id, _ = parse_varint(self.buffer, start)
            except (IndexError, ValueError):
                return  # more bytes to come
            end = start + length
            if len(self.buffer) < end:
                return
            frame, self.buffer = self.buffer[:end], self.buffer[end:]
            if packet_id == 1:  # ping: the same frame back, then the exchange is over
                transport.write(frame)
                transport.close()
                return
            if length == 1 and packet_id == 0:  # status request (the handshake has fields)
                transport.write(self.status)


def minecraft_query_answer(stat_body: bytes) -> Callable[[bytes], bytes | None]:
    """GameSpy4 on UDP: a handshake gets the fixed token, a full stat with it the body."""

    def answer(data: bytes) -> bytes | None:
        if len(data) < 7 or data[:2] != b"\xfe\xfd":
            return None
        kind, session = data[2], data[3:7]
        if kind == 9:
            return b"\x09" + session + str(QUERY_TOKEN).encode() + b"\x00"
        if kind == 0 and len(data) >= 15 and struct.unpack(">i", data[7:11])[0] == QUERY_TOKEN:
            return b"\x00" + session + stat_body
        return None

    return answer


# -- UDP one-shot answerers ----------------------------------------------------------------------


def bedrock_answer(index: int, port: int) -> Callable[[bytes], bytes | None]:
    motd = motd_string(
        name=f"Outpost Bedrock #{index:04d}",
        players=player_count(index, "bedrock"),
        max_players=MAX_PLAYERS["bedrock"],
        port_v4=port,
    )

    def answer(data: bytes) -> bytes | None:
        ping = parse_ping(data)
        return None if ping is None else encode_pong(ping[0], 0x0123456789ABCDEF + index, motd)

    return answer


def quake3_answer(index: int, port: int) -> Callable[[bytes], bytes | None]:
    pairs = dict(DEFAULT_SERVERINFO) | {"sv_hostname": f"^1Outpost ^7Arena #{index:04d}"}
    players = [
        (i * 3, 20 + i, f"^{i % 8}Fragger{i:02d}") for i in range(player_count(index, "quake3"))
    ]

    def answer(data: bytes) -> bytes | None:
        request = parse_request(data)
        if request is None or request[0] != "getstatus":
            return None
        return encode_status(pairs | {"challenge": request[1]}, players)

    return answer


def satisfactory_answer(index: int, port: int) -> Callable[[bytes], bytes | None]:
    name = f"Outpost Factory #{index:04d}"

    def answer(data: bytes) -> bytes | None:
        cookie = parse_poll(data)
        return None if cookie is None else encode_response(cookie, name=name)

    return answer


# -- FiveM ---------------------------------------------------------------------------------------


def _http(body: bytes) -> bytes:
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\nConnection: close\r\n\r\n"
        + body
    )


_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def fivem_answers(index: int, port: int) -> dict[bytes, bytes]:
    count = player_count(index, "fivem")
    info = fivem_server.sample_info()
    info["vars"] = info["vars"] | {"sv_maxClients": str(MAX_PLAYERS["fivem"])}
    dynamic = fivem_server.sample_dynamic() | {
        "clients": count,
        "hostname": f"^1Outpost ^7RP #{index:04d}",
        "sv_maxclients": str(MAX_PLAYERS["fivem"]),
    }
    template = fivem_server.sample_players()[0]
    players = [
        template | {"id": i + 1, "name": name, "ping": 30 + i}
        for i, name in enumerate(_names(index, count))
    ]
    return {
        b"/info.json": _http(json.dumps(info).encode()),
        b"/dynamic.json": _http(json.dumps(dynamic).encode()),
        b"/players.json": _http(json.dumps(players).encode()),
    }


class _HttpConnection(_Connection):
    """One GET, answered from the precomputed table, then close."""

    def __init__(self, answers: dict[bytes, bytes]) -> None:
        super().__init__()
        self.answers = answers

    def _serve(self, transport: asyncio.Transport) -> None:
        if b"\r\n\r\n" not in self.buffer:
            return
        parts = self.buffer.split(b" ", 2)
        path = parts[1] if len(parts) > 2 else b""
        transport.write(self.answers.get(path, _NOT_FOUND))
        transport.close()


# -- the process ---------------------------------------------------------------------------------


def _raise_fd_limit(count: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = count
    if soft < wanted:
        top = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (top, hard))


async def _minecraft(loop: asyncio.AbstractEventLoop, index: int) -> int:
    """A TCP listener and a UDP Query socket on one port number (retried until both bind)."""
    while True:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        port = int(listener.getsockname()[1])
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            udp.bind(("127.0.0.1", port))
        except OSError:
            listener.close()
            udp.close()
            continue
        status = functools.partial(_SlpConnection, minecraft_status_packet(index, port))
        await loop.create_server(status, sock=listener, backlog=512)
        query = minecraft_query_answer(minecraft_stat_body(index, port))
        await loop.create_datagram_endpoint(functools.partial(Replies, query), sock=udp)
        return port


async def serve(counts: dict[str, int]) -> None:
    _raise_fd_limit(2 * sum(counts.values()) + 4096)
    loop = asyncio.get_running_loop()
    layout: list[tuple[int, str]] = []
    index = 0
    for kind in KINDS:
        for _ in range(counts.get(kind, 0)):
            index += 1
            if kind == "minecraft":
                port = await _minecraft(loop, index)
            elif kind == "fivem":
                listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                listener.bind(("127.0.0.1", 0))
                port = int(listener.getsockname()[1])
                answers = fivem_answers(index, port)
                await loop.create_server(
                    functools.partial(_HttpConnection, answers), sock=listener, backlog=512
                )
            else:
                sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                sock.bind(("127.0.0.1", 0))
                port = int(sock.getsockname()[1])
                make = {
                    "bedrock": bedrock_answer,
                    "quake3": quake3_answer,
                    "satisfactory": satisfactory_answer,
                }[kind]
                answer = make(index, port)
                await loop.create_datagram_endpoint(functools.partial(Replies, answer), sock=sock)
            layout.append((port, kind))
    print(json.dumps(layout), flush=True)
    await until_stdin_closes(MAX_LIFETIME)


def main(argv: list[str]) -> None:
    counts = {}
    for item in argv:
        kind, _, count = item.partition("=")
        if kind not in KINDS:
            raise SystemExit(f"unknown kind {kind!r}; have {', '.join(KINDS)}")
        counts[kind] = int(count)
    asyncio.run(serve(counts))


if __name__ == "__main__":
    main(sys.argv[1:])
