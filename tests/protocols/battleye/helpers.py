"""Shared bits of the BattlEye client tests: fast timings and a scripted raw peer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.protocols.battleye import ClientConfig, ProtocolConfig, packets
from tests.fakes.udp_endpoint import Datagrams, on_loopback
from tests.fakes.waiting import eventually as eventually  # tests elsewhere import it from here

# Tenths of seconds instead of BattlEye's tens: the same logic, fast tests.
FAST_PROTOCOL = ProtocolConfig(
    command_attempts=3,
    command_interval=0.1,
    keepalive_interval=0.3,
    liveness_timeout=1.2,
    message_hold=1.0,
)
FAST = ClientConfig(
    protocol=FAST_PROTOCOL,
    login_timeout=0.3,
    login_attempts=2,
    reconnect_delay=0.05,
    backoff_initial=0.05,
    backoff_max=0.2,
    fetch_players_on_login=False,
)

Reply = Callable[[packets.ClientPacket], list[bytes]]


class ScriptedPeer(Datagrams):
    """A raw UDP peer whose answers a test scripts packet by packet."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(self._on_datagram)
        self.reply = reply
        self.received: list[packets.ClientPacket] = []

    def _on_datagram(self, data: bytes, addr: tuple[Any, ...]) -> None:
        packet = packets.decode_client_packet(data)
        self.received.append(packet)
        assert self.transport is not None
        for out in self.reply(packet):
            self.transport.sendto(out, addr)

    def commands(self) -> list[packets.CommandRequest]:
        return [p for p in self.received if isinstance(p, packets.CommandRequest)]


async def start_scripted(reply: Reply) -> ScriptedPeer:
    return await on_loopback(ScriptedPeer(reply))


def login_ok_then(on_command: Callable[[packets.CommandRequest], list[bytes]]) -> Reply:
    def reply(packet: packets.ClientPacket) -> list[bytes]:
        if isinstance(packet, packets.LoginRequest):
            return [packets.encode_login_response(True)]
        if isinstance(packet, packets.CommandRequest):
            return on_command(packet)
        return []

    return reply


class Collector:
    """A ``raw_event`` listener that records texts (with a prefix) and wakes waiters by count."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.items: list[str] = []
        self._enough = asyncio.Event()
        self._target = 0

    def __call__(self, text: str) -> None:
        if text.startswith(self.prefix):
            self.items.append(text)
            if self._target and len(self.items) >= self._target:
                self._enough.set()

    async def wait_count(self, count: int) -> list[str]:
        self._target = count
        if len(self.items) < count:
            self._enough.clear()
            await self._enough.wait()
        return self.items
