"""A lean Rust WebRCON server for bench_webrcon, in its own process (aiohttp.web).

Run as ``python -m bench._webrcon_fake_server PASSWORD``; prints ``[port]`` as one JSON line,
then serves until its stdin closes or MAX_LIFETIME passes. As Rust: the password is the URL
path, messages are indented JSON envelopes (``tests.fakes.webrcon_server.envelope``), a reply
carries its request's Identifier, pushes carry 0 (console) or -1 (chat).

Commands: ``burst N`` pushes N messages (no reply): alternately a chat message and a console
line (joins and leaves, so the client parses both kinds), precomputed so that the server's own
cost per push is one ``send_str``; any other command is answered with its own text.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from urllib.parse import unquote

from aiohttp import WSMsgType, web

from bench._common import until_stdin_closes
from tests.fakes.webrcon_server import envelope

MAX_LIFETIME = 300.0
MAX_BURST = 100_000
PUSH_VARIETY = 64


def push_frames() -> list[str]:
    frames: list[str] = []
    for i in range(PUSH_VARIETY):
        steam_id = f"7656119800000{i:04d}"
        name = f"Survivor{i:02d}"
        if i % 2:
            chat = {
                "Channel": i % 2,
                "Message": f"hello from {name}, message {i}",
                "UserId": steam_id,
                "Username": name,
                "Color": "#5af",
                "Time": 1700000000 + i,
            }
            frames.append(envelope(-1, json.dumps(chat, indent=2), "Chat"))
        elif i % 4:
            frames.append(
                envelope(0, f"203.0.113.9:61234/{steam_id}/{name} joined [windows/{steam_id}]")
            )
        else:
            frames.append(
                envelope(0, f"203.0.113.9:61234/{steam_id}/{name} disconnecting: closing")
            )
    return frames


async def serve(password: str) -> None:
    frames = push_frames()

    async def handle(request: web.Request) -> web.StreamResponse:
        if unquote(request.raw_path[1:]) != password:
            raise web.HTTPForbidden()
        ws = web.WebSocketResponse(autoping=False, heartbeat=None, max_msg_size=1 << 20)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            request_json = json.loads(msg.data)
            command = str(request_json["Message"])
            if command.startswith("burst "):
                count = min(int(command.split()[1]), MAX_BURST)
                for i in range(count):
                    await ws.send_str(frames[i % PUSH_VARIETY])
                continue
            await ws.send_str(envelope(int(request_json["Identifier"]), command))
        return ws

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=0.5)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    print(json.dumps([sock.getsockname()[1]]), flush=True)
    try:
        await until_stdin_closes(MAX_LIFETIME)
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1] if len(sys.argv) > 1 else "bench"))
