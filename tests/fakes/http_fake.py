"""The aiohttp side shared by the HTTP fakes (FiveM, Palworld): an app served on a free port of
127.0.0.1, and the two chunked answers a bounded reader must survive (a body a byte at a time,
and JSON-looking bytes without end). What each fake answers stays in its own module."""

from __future__ import annotations

import asyncio
import socket

from aiohttp import web

from tests.fakes.served import Served

HUGE_LIMIT = 64 * 1024 * 1024  # where an endless answer stops if the client never goes


class HttpFake(Served):
    """An aiohttp app on 127.0.0.1 (``address`` once started); ``close``/``stop`` end it."""

    def __init__(self, *, slow_delay: float) -> None:
        self.slow_delay = slow_delay  # seconds between the bytes of a ``slow`` answer
        self.huge_bytes_sent = 0  # how far ``huge`` answers got before their clients went
        self.address: tuple[str, int] = ("127.0.0.1", 0)
        self._runner: web.AppRunner | None = None

    async def _serve(self, app: web.Application) -> None:
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.address = ("127.0.0.1", sock.getsockname()[1])
        await web.SockSite(self._runner, sock).start()

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def stop(self) -> None:  # what ``Served`` calls on exit
        await self.close()

    async def _stream(self, request: web.Request, mode: str, body: bytes) -> web.StreamResponse:
        """A chunked JSON answer: ``slow`` sends ``body`` a byte each ``slow_delay`` seconds,
        ``huge`` sends bytes without end (up to ``HUGE_LIMIT``); either stops if the client goes."""
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            if mode == "slow":
                for index in range(len(body)):
                    await response.write(body[index : index + 1])
                    await asyncio.sleep(self.slow_delay)
            elif mode == "huge":
                await response.write(b'{"pad": "')
                block = b"x" * 65536
                while self.huge_bytes_sent < HUGE_LIMIT:
                    await response.write(block)
                    self.huge_bytes_sent += len(block)
        except ConnectionError:
            pass  # the client dropped the connection: what a bounded reader does
        return response
