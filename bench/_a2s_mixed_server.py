"""Mixed-game A2S answering process for bench_poller's 10,000-server round; no asyncio.

Run as ``python -m bench._a2s_mixed_server COUNT``. It binds COUNT UDP sockets on 127.0.0.1 (one
per game server: the poller routes answers by source address, so every server needs its own
query port), prints ``[[port, profile], ...]`` as one JSON line, then answers until its stdin
closes or MAX_LIFETIME passes.

Server ``i`` plays ``MIX[i % len(MIX)]``: games of the catalogue (bot/games.py) as their servers
answer, so the poller does the work real servers make it do:

* every server challenges A2S_PLAYER (all Steam servers do), Valve's own also A2S_INFO (since
  the 2020 update), each with its own challenge: a cold round pays the extra round trips, warm
  rounds reuse the cached challenge;
* player counts vary per server (0 to ~80 % of the slots); DayZ and Valheim send empty names;
* answers over 1,248 bytes (a full Rust server's player list) come as Source split packets.
"""

from __future__ import annotations

import json
import os
import resource
import selectors
import socket
import struct
import sys
import time
from dataclasses import dataclass

MAX_LIFETIME = 1800.0
SIMPLE = b"\xff\xff\xff\xff"
SPLIT = b"\xfe\xff\xff\xff"
CHUNK = 1248
INFO_QUERY = b"\xff\xff\xff\xffTSource Engine Query\x00"


@dataclass(frozen=True, slots=True)
class Profile:
    """How one kind of game server answers A2S, and how it is registered in the bot."""

    name: str
    game: str  # key in bot.games
    query_offset: int  # game port = query port - this (the game's query rule, for offsets)
    app_id: int
    folder: str
    description: str
    map: str
    max_players: int
    hides_names: bool = False
    challenges_info: bool = False


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            "cs2", "cs2", 0, 730, "csgo", "Counter-Strike 2", "de_mirage", 24, challenges_info=True
        ),
        Profile("tf2", "tf2", 0, 440, "tf", "Team Fortress", "ctf_2fort", 24, challenges_info=True),
        Profile("rust", "rust", 2, 252490, "rust", "Rust", "Procedural Map", 200),
        Profile("arma3", "arma3", 1, 107410, "Arma3", "Arma 3", "Altis", 64),
        Profile("dayz", "dayz", 0, 221100, "dayz", "DayZ", "chernarusplus", 60, hides_names=True),
        Profile(
            "ark",
            "ark",
            0,
            346110,
            "ark_survival_evolved",
            "ARK: Survival Evolved",
            "TheIsland",
            70,
        ),
        Profile("valheim", "valheim", 1, 892970, "valheim", "Valheim", "", 10, hides_names=True),
    )
}
# The share of each game among the registered servers (20 slots: cs2 and rust 4 each, ...).
MIX: tuple[str, ...] = (
    "cs2",
    "rust",
    "dayz",
    "arma3",
    "cs2",
    "ark",
    "rust",
    "tf2",
    "dayz",
    "valheim",
    "cs2",
    "rust",
    "arma3",
    "tf2",
    "dayz",
    "ark",
    "cs2",
    "rust",
    "valheim",
    "dayz",
)


def _cstr(text: str) -> bytes:
    return text.encode() + b"\x00"


def player_count(index: int, profile: Profile) -> int:
    """Spread over 0..80 % of the slots, deterministic per server."""
    return (index * 37) % (profile.max_players * 4 // 5 + 1)


def info_answer(index: int, port: int, profile: Profile) -> bytes:
    players = player_count(index, profile)
    body = (
        b"I\x11"
        + _cstr(f"[EU] {profile.description} #{index:05d} | community | discord.gg/outpost")
        + _cstr(profile.map)
        + _cstr(profile.folder)
        + _cstr(profile.description)
        + struct.pack("<H", profile.app_id & 0xFFFF)
        + bytes([players, profile.max_players, 0])
        + b"dl\x00\x01"
        + _cstr("1.0.0.24")
        + b"\xb1"  # EDF: port, steam id, keywords, game id
        + struct.pack("<HQ", port - profile.query_offset, 90000000000000000 + index)
        + _cstr("pve,vanilla,tags,with,some,length")
        + struct.pack("<Q", profile.app_id)
    )
    return SIMPLE + body


def players_answer(index: int, profile: Profile) -> bytes:
    count = player_count(index, profile)
    body = bytearray(b"D" + bytes([count]))
    for i in range(count):
        name = "" if profile.hides_names else f"Survivor_{index % 1000:03d}_{i:03d}"
        body += b"\x00" + _cstr(name) + struct.pack("<if", i * 3, 60.0 * i + 0.5)
    return SIMPLE + bytes(body)


def datagrams(message: bytes, split_id: int) -> list[bytes]:
    """One datagram, or Source split packets (with the Size field) when over CHUNK bytes."""
    if len(message) <= CHUNK:
        return [message]
    pieces = [message[i : i + CHUNK] for i in range(0, len(message), CHUNK)]
    return [
        SPLIT + struct.pack("<IBBH", split_id, len(pieces), n, CHUNK) + piece
        for n, piece in enumerate(pieces)
    ]


def challenge_of(port: int) -> bytes:
    # Never FF FF FF FF (the "no challenge" value).
    return struct.pack("<I", (port * 2654435761) & 0x7FFFFFFF)


@dataclass(slots=True)
class _Server:
    sock: socket.socket
    challenge: bytes
    challenge_answer: bytes
    info: list[bytes]
    players: list[bytes]
    challenges_info: bool


def _raise_fd_limit(count: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = count + 64
    if soft < wanted:
        top = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (top, hard))


def serve(count: int) -> None:
    _raise_fd_limit(count)
    sel = selectors.DefaultSelector()
    layout: list[tuple[int, str]] = []
    for index in range(count):
        profile = PROFILES[MIX[index % len(MIX)]]
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(False)
        port = sock.getsockname()[1]
        challenge = challenge_of(port)
        server = _Server(
            sock,
            challenge,
            SIMPLE + b"A" + challenge,
            datagrams(info_answer(index, port, profile), index),
            datagrams(players_answer(index, profile), index | 0x10000),
            profile.challenges_info,
        )
        sel.register(sock, selectors.EVENT_READ, server)
        layout.append((port, profile.name))
    sel.register(sys.stdin, selectors.EVENT_READ)
    print(json.dumps(layout), flush=True)
    buf = bytearray(2048)
    view = memoryview(buf)
    stdin = sys.stdin.fileno()
    deadline = time.monotonic() + MAX_LIFETIME
    while time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1.0):
            server: _Server | None = key.data
            if server is None:  # stdin
                if not os.read(stdin, 4096):
                    return  # the benchmark went away
                continue
            recv, send = server.sock.recvfrom_into, server.sock.sendto
            for _ in range(64):
                try:
                    size, addr = recv(buf)
                except BlockingIOError:
                    break
                if size < 9:
                    continue
                kind = buf[4]
                if kind == 0x54 and view[:25] == INFO_QUERY:
                    if server.challenges_info and view[25:size] != server.challenge:
                        answer = [server.challenge_answer]
                    else:
                        answer = server.info
                elif kind == 0x55:
                    ok = view[5:9] == server.challenge
                    answer = server.players if ok else [server.challenge_answer]
                else:
                    continue
                for datagram in answer:
                    try:
                        send(datagram, addr)
                    except BlockingIOError:
                        break


if __name__ == "__main__":
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
