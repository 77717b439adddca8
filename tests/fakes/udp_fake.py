"""What the UDP query fakes (Bedrock, Quake 3, Satisfactory) share: a socket on 127.0.0.1 that
stops by itself after ``lifetime`` seconds, the requests kept (bounded), and the scripted faults
every one of them offers: silence, dropping the first requests, junk datagrams before the answer,
a delay. Each fake says how to read a request (``_parse``) and what to answer (``_answer``)."""

from __future__ import annotations

import asyncio
from typing import Any, NotRequired, Self, TypedDict

from tests.fakes.udp_endpoint import LoopbackUdp

MAX_KEPT = 100
STRAY = b"\x00junk"


class Faults(TypedDict):
    """The keyword arguments every UDP fake passes on to ``UdpFake`` (``**faults``)."""

    drop_first: NotRequired[int]
    stray: NotRequired[int]
    delay: NotRequired[float]
    raw: NotRequired[bytes | None]
    host: NotRequired[str]
    lifetime: NotRequired[float]


class UdpFake:
    def __init__(
        self,
        *,
        drop_first: int = 0,
        stray: int = 0,
        delay: float = 0.0,
        raw: bytes | None = None,
        host: str = "127.0.0.1",
        lifetime: float = 30.0,
    ) -> None:
        self.drop_first = drop_first
        self.stray = stray
        self.delay = delay
        self.raw = raw
        self.host = host
        self.lifetime = lifetime
        self.requests = 0
        self.received: list[bytes] = []
        self.address: tuple[str, int] = (host, 0)
        self._udp = LoopbackUdp(self._on_datagram)
        self._handles: list[asyncio.TimerHandle] = []  # delayed answers

    # -- what each fake defines ----------------------------------------------------------------

    def _parse(self, data: bytes) -> tuple[Any, ...] | None:
        """The request's fields, or None for a datagram this server ignores."""
        raise NotImplementedError  # pragma: no cover - every fake defines it

    def _answer(self, *request: Any) -> bytes:
        """The answer to a request; not asked while ``raw`` is set (that is sent instead)."""
        raise NotImplementedError  # pragma: no cover - every fake defines it

    def _silent_now(self) -> bool:
        """True while the server ignores requests (its mode says silent; tests switch it)."""
        return False

    def _may_answer(self) -> bool:
        """A rate limit's say (Quake 3); called once per request it would answer."""
        return True

    # -- lifecycle -----------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        self.address = await self._udp.open(self.host, lifetime=self.lifetime)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._close()
        await asyncio.sleep(0)

    def _close(self) -> None:
        for handle in self._handles:
            handle.cancel()
        self._handles.clear()
        self._udp.close()

    # -- traffic -------------------------------------------------------------------------------

    def _on_datagram(self, data: bytes, addr: Any) -> None:
        self.requests += 1
        self.received = [*self.received[-(MAX_KEPT - 1) :], data]
        request = self._parse(data)
        if request is None or self._silent_now():
            return
        if self.drop_first > 0:
            self.drop_first -= 1
            return
        if not self._may_answer():
            return
        answer = self.raw if self.raw is not None else self._answer(*request)
        if self.delay > 0:
            loop = asyncio.get_running_loop()
            self._handles.append(loop.call_later(self.delay, self._send, answer, addr))
        else:
            self._send(answer, addr)

    def _send(self, answer: bytes, addr: Any) -> None:
        if not self._udp.is_open:
            return
        for _ in range(self.stray):
            self._udp.sendto(STRAY, addr)
        self._udp.sendto(answer, addr)
