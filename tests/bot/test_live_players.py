"""Live player lists for /rcon autocomplete: memory first, A2S names as the fallback."""

from __future__ import annotations

import asyncio

import pytest

from bot.protocols import battleye as be
from bot.protocols.battleye import Player
from bot.services.rcon.actions import PlayerRef
from bot.services.rcon.errors import RconError
from bot.services.rcon.live_players import LivePlayers
from bot.services.rcon.pool import RconPool
from tests.bot.test_rcon_pool import PASSWORD, server
from tests.fakes.battleye_server import FakeBattlEyeServer
from tests.fakes.rcon_server import FakeRCONServer

STATUS = "\n".join(
    [
        "# userid name uniqueid connected ping loss state rate adr",
        '#      2 "Ann" STEAM_1:0:11 05:12 50 0 active 786432 1.2.3.4:27005',
        '#      3 "BOT Bo" BOT active',
        '#      6 "Annika" STEAM_1:0:13 01:12 50 0 active 786432 1.2.3.4:27007',
    ]
)


async def test_suggestions_come_from_memory_and_refresh_in_the_background() -> None:
    clock = [100.0]
    pool = RconPool(lambda _s: PASSWORD, connect_timeout=1.0)
    live = LivePlayers(pool, lambda _s: ["Ann", " "], ttl=10.0, clock=lambda: clock[0])
    try:
        async with FakeRCONServer(password=PASSWORD, responses={"status": STATUS}) as fake:
            s = server(fake.address[1])
            # Nothing cached: A2S names (no ids yet), and a refresh starts.
            assert live.suggestions(s, "an") == [PlayerRef(-1, "Ann")]
            refresh = live._refreshing[s.id]
            await asyncio.wait_for(refresh, 3)
            ann = PlayerRef(2, "Ann", "STEAM_1:0:11")
            annika = PlayerRef(6, "Annika", "STEAM_1:0:13")
            assert live.suggestions(s, "an") == [ann, annika]
            assert live.suggestions(s, "#6") == [annika]
            assert fake.received == ["status"]  # bots are left out, one fetch only
            live.suggestions(s, "")
            assert fake.received == ["status"]  # fresh: no new fetch
            clock[0] += 11.0
            live.suggestions(s, "")
            await asyncio.wait_for(live._refreshing[s.id], 3)
            assert fake.received == ["status", "status"]
    finally:
        await live.close()
        await pool.close()


async def test_background_refresh_with_an_undecryptable_password_ends_quietly() -> None:
    from bot.crypto import DecryptionError

    def undecryptable(_server: object) -> str:
        raise DecryptionError("the key differs")

    pool = RconPool(undecryptable, connect_timeout=1.0)
    live = LivePlayers(pool, lambda _s: ["Ann"])
    try:
        s = server(1)
        assert live.suggestions(s, "an") == [PlayerRef(-1, "Ann")]
        refresh = live._refreshing[s.id]
        await asyncio.wait({refresh}, timeout=3)
        # Retrieved and handled here, not left for "Task exception was never retrieved".
        assert refresh.done() and refresh.exception() is None
    finally:
        await live.close()
        await pool.close()


async def test_a_battleye_server_that_stops_answering_is_a_friendly_error() -> None:
    fast = be.ClientConfig(
        protocol=be.ProtocolConfig(command_attempts=1, command_interval=0.2), reask_rounds=0
    )
    pool = RconPool(lambda _s: PASSWORD, connect_timeout=1.0, battleye_config=fast)
    live = LivePlayers(pool, lambda _s: [])
    players = [Player(0, "Spam", "1.2.3.4", 2304, 47, "394e2c09af98b00fd4094f86c7921622", True)]
    try:
        async with FakeBattlEyeServer(PASSWORD, players=players) as fake:
            s = server(fake.address[1], game="dayz")
            assert [p.name for p in await live.fetch(s)] == ["Spam"]
            fake.silent = True  # logged in, then no answer: the client's own error
            with pytest.raises(RconError) as refused:
                await asyncio.wait_for(live.fetch(s), 10)
            assert refused.value.key == "rcon.no_player_list"
    finally:
        await live.close()
        await pool.close()
