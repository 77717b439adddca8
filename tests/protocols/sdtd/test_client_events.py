"""Events streamed from the live log, the bounded queue, restarts and re-login."""

from __future__ import annotations

import asyncio

import pytest

from bot.protocols.sdtd import (
    ChatMessage,
    Connected,
    Disconnected,
    LogMessage,
    PlayerDisconnected,
    PlayerJoined,
    PlayerSpawned,
    SdtdAuthError,
    SdtdClosed,
    ServerShutdown,
)
from tests.fakes.sdtd_server import FakeSdtdServer
from tests.fakes.waiting import eventually

from .helpers import client_for, collect, has

PLTFM = "Steam_76561198028175941"
EOS = "EOS_0002b5d970954287afdcb5dc35af0424"
SPAWN = (
    "PlayerSpawnedInWorld (reason: JoinMultiplayer, position: 1873, 66, 347): EntityID=171, "
    f"PltfmId='{PLTFM}', CrossId='{EOS}', OwnerID='{PLTFM}', PlayerName='Catalysm'"
)
LEAVE = (
    f"Player disconnected: EntityID=171, PltfmId='{PLTFM}', CrossId='{EOS}', "
    f"OwnerID='{PLTFM}', PlayerName='Catalysm'"
)


async def test_log_lines_become_typed_events_in_order() -> None:
    async with FakeSdtdServer() as server:
        async with client_for(server) as client:
            await server.emit_log("GMSG: Player 'Catalysm' joined the game")
            await server.emit_log(SPAWN)
            await server.emit_log(
                f"Chat handled by mod 'CSMM Patrons': Chat (from '{PLTFM}', entity id '171', "
                "to 'Global'): [ff0000]hello[-]"
            )
            await server.emit_log(
                f"Chat (from '{PLTFM}', entity id '171', to 'Global'): 'Catalysm': hello"
            )
            await server.emit_log("Time: 3.02m FPS: 33.4 Heap: 1102.7MB")  # noise: no event
            await server.emit_log(LEAVE)
            events = await collect(client, has(PlayerDisconnected))
    assert events == [
        Connected(reconnect=False),
        PlayerJoined("Catalysm"),
        PlayerSpawned(171, "Catalysm", "JoinMultiplayer", (1873.0, 66.0, 347.0), PLTFM, EOS, PLTFM),
        ChatMessage(PLTFM, 171, "Global", None, "hello", mod="CSMM Patrons"),
        PlayerDisconnected(171, "Catalysm", PLTFM, EOS, PLTFM),
    ]
    assert client.duplicate_chats == 1  # the mod's copy and the plain line: one message


async def test_raw_log_lines_on_request() -> None:
    async with FakeSdtdServer() as server:
        async with client_for(server, raw_log=True) as client:
            await server.emit_log("Time: 3.02m FPS: 33.4 Heap: 1102.7MB", "WRN")
            events = await collect(client, has(LogMessage))
    raw = [e for e in events if isinstance(e, LogMessage)]
    assert raw[0].line.level == "WRN" and raw[0].line.message.startswith("Time: 3.02m")


async def test_a_slow_consumer_loses_the_oldest_events_and_is_told_how_many() -> None:
    async with FakeSdtdServer() as server:
        async with client_for(server, max_events=5) as client:
            for i in range(20):
                await server.emit_log(f"GMSG: Player 'p{i}' died")
            await client.command("gettime")  # every log line sent before is in by now
            events = client.pending_events()
    assert [getattr(e, "name", None) for e in events] == [f"p{i}" for i in range(15, 20)]
    assert client.dropped_events == 16  # Connected and p0..p14


async def test_commands_and_events_share_the_stream_without_mixing() -> None:
    async with FakeSdtdServer(players=[]) as server:
        async with client_for(server) as client:
            task = asyncio.create_task(client.command("lp"))
            await server.emit_log("GMSG: Player 'x' died")
            assert await task == "Total of 0 in the game"
            events = await collect(client, lambda seen: len(seen) >= 2)
    assert len(events) == 2 and events[1] == type(events[1])("x")


async def test_relogin_after_a_server_restart() -> None:
    async with FakeSdtdServer() as server:
        async with client_for(server) as client:
            await server.restart(down_for=0.1)  # refused connections in between
            await eventually(lambda: client.connected and client.reconnects == 1)
            assert await client.command("gettime") == "Day 7, 14:23"
            await server.emit_log("GMSG: Player 'back' joined the game")
            events = await collect(client, has(PlayerJoined))
        assert server.logins == 2 and server.password_attempts == ["secret", "secret"]
    assert [type(e) for e in events] == [Connected, Disconnected, Connected, PlayerJoined]
    assert events[2] == Connected(reconnect=True)


async def test_a_command_in_flight_at_the_restart_fails_and_is_not_sent_again() -> None:
    async with FakeSdtdServer(delays={"kick 171": 5.0}) as server:
        async with client_for(server) as client:
            task = asyncio.create_task(client.command("kick 171"))
            await eventually(lambda: "kick 171" in server.received_commands)
            await server.restart()
            with pytest.raises(SdtdClosed):
                await task
            await eventually(lambda: client.connected)
            assert await client.command("gettime") == "Day 7, 14:23"
        assert server.received_commands == ["kick 171", "gettime"]


async def test_a_command_waits_for_the_reconnect_within_its_timeout() -> None:
    async with FakeSdtdServer() as server:
        async with client_for(server) as client:
            await server.stop()
            await eventually(lambda: not client.connected)
            task = asyncio.create_task(client.command("gettime", timeout=2.0))
            await asyncio.sleep(0.05)
            await server.start()
            assert await task == "Day 7, 14:23"
            await server.stop()
            await eventually(lambda: not client.connected)
            with pytest.raises(SdtdClosed, match="reconnecting"):
                await client.command("gettime", timeout=0.1)


async def test_a_password_changed_while_down_stops_the_reconnects() -> None:
    async with FakeSdtdServer() as server:
        async with client_for(server) as client:
            server.password = "new"
            await server.restart()
            await eventually(lambda: isinstance(client.last_error, SdtdAuthError))
            await asyncio.sleep(0.3)  # many backoff steps
            assert server.password_attempts == ["secret", "secret"]
            with pytest.raises(SdtdAuthError):
                await client.command("gettime")
            assert not client.running
            async with asyncio.timeout(1):  # the stream ends: nothing more will come
                kinds = [type(e) async for e in client.events()]
            assert kinds == [Connected, Disconnected]


async def test_without_reconnect_a_lost_connection_stays_lost() -> None:
    async with FakeSdtdServer() as server:
        async with client_for(server, reconnect=False) as client:
            await server.restart()
            await asyncio.sleep(0.2)
            assert server.logins == 1
            with pytest.raises(SdtdClosed):
                await client.command("gettime")
            assert not client.running
            async with asyncio.timeout(1):
                assert [type(e) async for e in client.events()] == [Connected, Disconnected]


async def test_shutdown_is_announced_then_the_connection_ends() -> None:
    async with FakeSdtdServer() as server:
        async with client_for(server, reconnect=False) as client:
            assert await client.command("shutdown") == "Shutting server down..."
            events = await collect(client, has(Disconnected))
    assert [type(e) for e in events] == [Connected, ServerShutdown, Disconnected]


async def test_events_end_when_the_client_closes() -> None:
    async with FakeSdtdServer() as server:
        client = client_for(server)
        await client.connect()

        async def drain() -> int:
            return sum([1 async for _ in client.events()])

        consumer = asyncio.create_task(drain())
        await asyncio.sleep(0.02)
        await client.close()
        async with asyncio.timeout(1):
            assert await consumer == 1  # Connected, then the end
