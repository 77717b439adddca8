"""berconpy's sans-IO BattlEye *server* protocol on a real UDP socket: an independent peer.

berconpy (thegamecracks/berconpy) ships ``RCONServerProtocol``, a server-side state machine
written by other people against the same spec; running our client against it checks that we
interoperate with an implementation we did not write.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from berconpy.protocol import (
    RCONServerProtocol,
    ServerAuthEvent,
    ServerCommandEvent,
    ServerCommandPacket,
    ServerMessageEvent,
)

from tests.fakes.udp_endpoint import Datagrams, on_loopback


class BerconpyPeer(Datagrams):
    def __init__(
        self,
        password: str,
        answer: Callable[[str], str],
        *,
        chunk_size: int = 512,
    ) -> None:
        super().__init__(self._on_datagram)
        self.password = password
        self.answer = answer
        self.chunk_size = chunk_size
        self.sessions: dict[tuple[Any, ...], RCONServerProtocol] = {}
        self.commands: list[str] = []
        self.acked: list[int] = []
        self.logins: list[bool] = []
        self.acked_event = asyncio.Event()

    def _on_datagram(self, data: bytes, addr: tuple[Any, ...]) -> None:
        session = self.sessions.setdefault(
            addr,
            RCONServerProtocol(password=self.password, response_chunk_size=self.chunk_size),
        )
        try:
            session.receive_datagram(data)
        except ValueError:
            return
        assert self.transport is not None
        for packet in session.packets_to_send():
            self.transport.sendto(packet.data, addr)
        for event in session.events_received():
            if isinstance(event, ServerAuthEvent):
                self.logins.append(event.success)
            elif isinstance(event, ServerCommandEvent):
                if event.message:
                    self.commands.append(event.message)
                reply = session.respond_to_command(event.sequence, self.answer(event.message))
                # berconpy makes no packet for an empty answer; BattlEye sends an empty one.
                packets = reply or [ServerCommandPacket(event.sequence, 1, 0, b"")]
                for packet in packets:
                    self.transport.sendto(packet.data, addr)
            elif isinstance(event, ServerMessageEvent):
                self.acked.append(event.sequence)
                self.acked_event.set()

    def send_message(self, text: str) -> None:
        assert self.transport is not None
        for addr, session in self.sessions.items():
            self.transport.sendto(session.send_message(text).data, addr)


async def start_peer(
    password: str, answer: Callable[[str], str], *, chunk_size: int = 512
) -> BerconpyPeer:
    return await on_loopback(BerconpyPeer(password, answer, chunk_size=chunk_size))
