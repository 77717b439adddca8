"""Our client against berconpy's independent sans-IO BattlEye server, over real UDP."""

from __future__ import annotations

import asyncio

import pytest

from bot.protocols.battleye import BattlEyeClient, LoginRefused

from .berconpy_peer import start_peer
from .helpers import FAST, Collector, eventually

LONG = "".join(f"line {i:04d} of a long answer\n" for i in range(200))


def answer(command: str) -> str:
    return {"version": "2.0", "long": LONG}.get(command, "")


async def test_login_commands_multipart_messages_and_acks() -> None:
    peer = await start_peer("pw", answer, chunk_size=100)
    client = BattlEyeClient(FAST)
    got = Collector()
    client.add_listener("raw_event", got)
    try:
        async with client.connect(*peer.address, "pw"):
            assert peer.logins == [True]
            assert await client.send_command("version") == "2.0"
            text = await client.send_command("long")
            assert text == LONG and len(LONG.encode()) > 100 * 50  # 50+ parts reassembled
            for i in range(300):  # beyond 255: both sequence spaces wrap
                peer.send_message(f"msg {i}")
                if i % 50 == 0:
                    await client.send_command("")
            async with asyncio.timeout(5):
                await got.wait_count(300)
            await eventually(lambda: len(peer.acked) >= 300)
            assert got.items == [f"msg {i}" for i in range(300)]
            assert peer.acked == [i % 256 for i in range(300)]
            assert peer.commands == ["version", "long"]
    finally:
        assert peer.transport is not None
        peer.transport.close()


async def test_wrong_password_is_refused_by_the_peer() -> None:
    peer = await start_peer("pw", answer)
    client = BattlEyeClient(FAST)
    try:
        with pytest.raises(LoginRefused):
            async with client.connect(*peer.address, "wrong"):
                pytest.fail("logged in with a wrong password")
        assert peer.logins == [False]
    finally:
        assert peer.transport is not None
        peer.transport.close()
