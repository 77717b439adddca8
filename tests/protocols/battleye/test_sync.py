"""The blocking facade, used from a worker thread while the fake server runs in this loop."""

from __future__ import annotations

import asyncio

import pytest

from bot.protocols.battleye import LoginRefused, Player, SyncBattlEyeClient
from tests.fakes.battleye_server import FakeBattlEyeServer

from .helpers import FAST

SPAM = Player(0, "Spam", "1.2.3.4", 2304, 47, "394e2c09af98b00fd4094f86c7921622", True)


async def test_sync_client_commands() -> None:
    async with FakeBattlEyeServer(players=[SPAM]) as server:
        host, port = server.address

        def use() -> tuple[list[Player], str]:
            with SyncBattlEyeClient(host, port, "secret", FAST) as rcon:
                assert "secret" not in repr(rcon)
                return rcon.fetch_players(), rcon.send("hi")

        players, said = await asyncio.to_thread(use)
        assert players == [SPAM] and said == ""
        assert server.received_commands == ["players", "say -1 hi"]


async def test_sync_client_login_refused_and_not_connected() -> None:
    async with FakeBattlEyeServer() as server:
        host, port = server.address

        def refused() -> None:
            with SyncBattlEyeClient(host, port, "wrong", FAST):
                pytest.fail("logged in with a wrong password")

        with pytest.raises(LoginRefused):
            await asyncio.to_thread(refused)
        idle = SyncBattlEyeClient(host, port, "secret", FAST)
        with pytest.raises(RuntimeError):
            idle.send_command("players")
        idle.close()  # closing a client that never opened is a no-op
