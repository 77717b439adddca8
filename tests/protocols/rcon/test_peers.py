"""Third-party peers: our client against the `rcon-server` package, and the `rcon` package's
Source clients against our fake server (proof that the fake speaks the protocol as others do)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from rcon.exceptions import WrongPassword
from rcon.source import Client
from rcon.source import rcon as rcon_async
from rcon_server.rcon_message import RCONMessage as ServerMessage
from rcon_server.rcon_packet import RCONPacket
from rcon_server.rcon_server import RCONServer

from bot.protocols import rcon
from bot.protocols.rcon import RCONAuthenticationError, RCONTimeoutError
from tests.fakes.rcon_server import FakeRCONServer

BIG = "".join(f"entry {i:06d}\n" for i in range(8000))  # ~100 KB, ASCII (rcon-server is ASCII)


class EchoServer(RCONServer):  # type: ignore[misc]
    """rcon-server leaves command handling to a subclass."""

    def handle_execcommand(self, packet: Any, connection: Any) -> None:
        body = packet.body
        answer = {"big": BIG, "quiet": ""}.get(body, body.removeprefix("echo "))
        message = ServerMessage(
            id=packet.id, type=RCONPacket.SERVERDATA_RESPONSE_VALUE, body=answer
        )
        connection.send_packet(message)


@pytest.fixture
async def rcon_server_address() -> AsyncIterator[tuple[str, int]]:
    server = EchoServer(bind=("127.0.0.1", 0), password="secret")
    loop = asyncio.get_running_loop()
    # The package's own listen() serves forever on a fixed port; its protocol factory is used
    # directly to get an ephemeral one.
    listener = await loop.create_server(server.connection_factory, "127.0.0.1", 0)
    async with listener:
        yield "127.0.0.1", listener.sockets[0].getsockname()[1]
        for conn in list(server.connections):
            conn.close_connection()


# -- our client against rcon-server ------------------------------------------------------------


@pytest.mark.parametrize("profile", ["lockstep", "lockstep-mirror"])
async def test_our_client_against_rcon_server(
    rcon_server_address: tuple[str, int], profile: str
) -> None:
    async with rcon.connect(rcon_server_address, "secret", profile=profile, timeout=5) as conn:
        assert await conn.execute("echo hello") == "hello"
        assert await conn.execute("big") == BIG  # 25 packets of 4086-byte bodies
        # Queued and sent one at a time: rcon-server parses one packet per TCP read.
        results = await asyncio.gather(*(conn.execute(f"echo {i}") for i in range(10)))
        assert results == [str(i) for i in range(10)]
        # Empty answers in a row: nothing may be held back waiting for a packet that never comes.
        assert [await conn.execute("quiet") for _ in range(3)] == ["", "", ""]
        assert await conn.execute("echo last") == "last"


async def test_rcon_server_wrong_password(rcon_server_address: tuple[str, int]) -> None:
    with pytest.raises(RCONAuthenticationError):
        await rcon.aexecute(rcon_server_address, "nope", "echo x", profile="lockstep")


async def test_rcon_server_reads_one_packet_per_read_hence_lockstep(
    rcon_server_address: tuple[str, int],
) -> None:
    # Command and sentinel leave in one write; rcon-server 0.1.3 handles only the first packet
    # of each read, so the sentinel is never answered. This is what the lockstep profile avoids.
    async with rcon.connect(rcon_server_address, "secret", profile="srcds") as conn:
        with pytest.raises(RCONTimeoutError):
            await conn.execute("echo x", timeout=0.2)


# -- the `rcon` package's clients against our fake -------------------------------------------------


def _sync_client(address: tuple[str, int], *commands: str, timeout: float = 2.0) -> list[str]:
    with Client(*address, passwd="secret", timeout=timeout) as client:
        return [client.run(c) for c in commands]


async def test_rcon_sync_client_against_fake_minecraft() -> None:
    async with FakeRCONServer(profile="minecraft", responses={"big": "m" * 10_000}) as server:
        results = await asyncio.to_thread(_sync_client, server.address, "echo a", "big", "echo b")
    # Its size heuristic works on Minecraft: 4096-byte bodies, an "Unknown request" ends it.
    assert results == ["a", "m" * 10_000, "b"]
    assert server.received == ["echo a", "big", "echo b"]


async def test_rcon_sync_client_against_fake_srcds_truncates_long_answers() -> None:
    async with FakeRCONServer(auth_order="auth-only", responses={"big": "s" * 10_000}) as server:
        results = await asyncio.to_thread(_sync_client, server.address, "echo a", "big")
    # As measured in the issue: SRCDS bodies never reach its 4096 threshold, so the answer is
    # cut after the first packet.
    assert results[0] == "a"
    assert results[1] == "s" * 4082


async def test_rcon_sync_client_hangs_on_coalesced_srcds_auth() -> None:
    async with FakeRCONServer(coalesce=True) as server:
        # Both auth packets arrive in one read: its buffered file swallows the second one.
        with pytest.raises(TimeoutError):
            await asyncio.to_thread(_sync_client, server.address, "echo a", timeout=0.3)
        assert server.auth_attempts == 1


@pytest.mark.parametrize("profile", ["srcds", "minecraft", "ark"])
async def test_rcon_async_client_against_fake(profile: str) -> None:
    async with FakeRCONServer(profile=profile) as server:
        host, port = server.address
        answer = await rcon_async("echo", "hi", host=host, port=port, passwd="secret", timeout=2)
        assert answer == "hi"
        with pytest.raises(WrongPassword):
            await rcon_async("echo", "x", host=host, port=port, passwd="bad", timeout=2)
    assert server.received == ["echo hi"]
