"""The socket under the UDP fakes: bound on loopback, every datagram handed to the fake's
callback, answers sent back on it, closed by the fake or by itself after ``lifetime`` seconds
(so a test that forgets to close it leaves no socket behind for the rest of the run)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar, cast

OnDatagram = Callable[[bytes, Any], None]
_D = TypeVar("_D", bound="Datagrams")


class Datagrams(asyncio.DatagramProtocol):
    """Hands every datagram to ``on_datagram(data, addr)``; ``transport`` is for the answers."""

    def __init__(self, on_datagram: OnDatagram) -> None:
        self.on_datagram = on_datagram
        self.transport: asyncio.DatagramTransport | None = None

    @property
    def address(self) -> tuple[str, int]:
        assert self.transport is not None
        host, port = self.transport.get_extra_info("sockname")[:2]
        return str(host), int(port)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.on_datagram(data, addr)


async def on_loopback(protocol: _D) -> _D:
    """``protocol`` bound to a free port on 127.0.0.1 (its ``address`` says which)."""
    loop = asyncio.get_running_loop()
    await loop.create_datagram_endpoint(lambda: protocol, local_addr=("127.0.0.1", 0))
    return protocol


class Replies(Datagrams):
    """Answers every datagram with ``answer(data)``; None is no answer (a request it ignores)."""

    def __init__(self, answer: Callable[[bytes], bytes | None]) -> None:
        super().__init__(self._reply)
        self.answer = answer

    def _reply(self, data: bytes, addr: Any) -> None:
        reply = self.answer(data)
        if reply is not None and self.transport is not None:
            self.transport.sendto(reply, addr)


class LoopbackUdp:
    """One fake's UDP socket; ``sendto`` after ``close`` does nothing (a late timer's answer)."""

    def __init__(self, on_datagram: OnDatagram) -> None:
        self._on_datagram = on_datagram
        self._transport: asyncio.DatagramTransport | None = None
        self._stopper: asyncio.TimerHandle | None = None

    async def open(
        self, host: str = "127.0.0.1", port: int = 0, *, lifetime: float = 30.0
    ) -> tuple[str, int]:
        """Bind and return the address the fake serves on."""
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: Datagrams(self._on_datagram), local_addr=(host, port)
        )
        self._transport = transport
        self._stopper = loop.call_later(lifetime, self.close)
        return host, int(transport.get_extra_info("sockname")[1])

    @property
    def is_open(self) -> bool:
        return self._transport is not None

    def sendto(self, data: bytes, addr: Any) -> None:
        if self._transport is not None:
            self._transport.sendto(data, addr)

    def close(self) -> None:
        if self._stopper is not None:
            self._stopper.cancel()
            self._stopper = None
        if self._transport is not None:
            self._transport.close()
            self._transport = None
