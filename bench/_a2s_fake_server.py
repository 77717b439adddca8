"""A2S answering process for bench_a2s: N UDP ports on 127.0.0.1, canned answers, no asyncio.

Run by the benchmark as ``python -m bench._a2s_fake_server PORTS``. It prints the bound ports as
one JSON line, then answers until its stdin closes or MAX_LIFETIME passes (it stops by itself).
INFO gets one datagram, PLAYER one, RULES a Source split (Size field, 1,248-byte fragments). No
challenge is required, so every client does one round trip per query.
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import struct
import sys
import time

MAX_LIFETIME = 900.0
SIMPLE = b"\xff\xff\xff\xff"


def _cstr(text: str) -> bytes:
    return text.encode() + b"\x00"


def info_answer() -> bytes:
    body = (
        b"I\x11"
        + _cstr("Outpost benchmark server | 24/7 de_dust2 | fast downloads")
        + _cstr("de_dust2")
        + _cstr("csgo")
        + _cstr("Counter-Strike: Global Offensive")
        + struct.pack("<H", 730)
        + bytes([20, 40, 1])
        + b"dl\x00\x01"
        + _cstr("1.38.7.9")
        + b"\xf1"
        + struct.pack("<HQH", 27015, 85568392920275190, 27020)
        + _cstr("SourceTV")
        + _cstr("empty,secure,casual,valve_ds,de_dust2,tags,with,some,length")
        + struct.pack("<Q", 730)
    )
    return SIMPLE + body


def players_answer(count: int = 32) -> bytes:
    body = bytearray(b"D" + bytes([count]))
    for i in range(count):
        body += b"\x00" + _cstr(f"Player number {i:02d}") + struct.pack("<if", i * 3, 123.5 * i)
    return SIMPLE + bytes(body)


def rules_message(count: int = 400) -> bytes:
    body = bytearray(b"E" + struct.pack("<H", count))
    for i in range(count):
        body += _cstr(f"sv_rule_{i:03d}") + _cstr(f"value-{i * 7}")
    return SIMPLE + bytes(body)


def rules_answer(split_id: int, chunk: int = 1248) -> list[bytes]:
    whole = rules_message()
    pieces = [whole[i : i + chunk] for i in range(0, len(whole), chunk)]
    return [
        b"\xfe\xff\xff\xff" + struct.pack("<IBBH", split_id, len(pieces), n, chunk) + piece
        for n, piece in enumerate(pieces)
    ]


def serve(count: int) -> None:
    socks = []
    sel = selectors.DefaultSelector()
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        sock.bind(("127.0.0.1", 0))
        sock.setblocking(False)
        sel.register(sock, selectors.EVENT_READ, sock)
        socks.append(sock)
    sel.register(sys.stdin, selectors.EVENT_READ)
    print(json.dumps([s.getsockname()[1] for s in socks]), flush=True)
    info, players, rules = info_answer(), players_answer(), rules_answer(7)
    # Indexed by the request type byte; one reused receive buffer. The server must stay cheaper
    # per query than the fastest client, or the floors would measure the server.
    answers: list[list[bytes]] = [[] for _ in range(256)]
    answers[0x54], answers[0x55], answers[0x56] = [info], [players], rules
    buf = bytearray(2048)
    stdin = sys.stdin.fileno()
    deadline = time.monotonic() + MAX_LIFETIME
    while time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1.0):
            peer: socket.socket | None = key.data
            if peer is None:  # stdin
                if not os.read(stdin, 4096):
                    return  # the benchmark went away
                continue
            recv, send = peer.recvfrom_into, peer.sendto
            for _ in range(256):
                try:
                    size, addr = recv(buf)
                except BlockingIOError:
                    break
                if size < 5:
                    continue
                for datagram in answers[buf[4]]:
                    try:
                        send(datagram, addr)
                    except BlockingIOError:
                        break


if __name__ == "__main__":
    serve(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
