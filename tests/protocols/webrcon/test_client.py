"""The asyncio client end to end against the fake server: commands, concurrency, events."""

from __future__ import annotations

import asyncio

import pytest

from bot.protocols.webrcon import (
    ChatMessage,
    ClientState,
    Connected,
    PlayerJoined,
    PlayerKicked,
    PlayerLeft,
    WebRconClient,
    WebRconClosed,
    WebRconRequestError,
    WebRconTimeout,
)
from tests.fakes.webrcon_server import FakeWebRconServer

from .helpers import client_for, drain, next_event


async def test_commands_players_and_serverinfo() -> None:
    async with FakeWebRconServer(responses={"status": "hostname: Fake"}) as server:
        async with client_for(server) as client:
            assert client.connected and client.state is ClientState.CONNECTED
            assert await client.command("status") == "hostname: Fake"
            players = await client.players()
            assert [p.name for p in players] == ["Alice", "Bob [EU]"]
            assert players[0].steam_id == "76561198000000001" and players[0].port == 52210
            info = await client.server_info()
            assert (info.hostname, info.max_players, info.map) == (
                "Fake Rust Server",
                100,
                "Procedural Map",
            )
            reply = await client.request("nosuchcommand")
            assert reply.type.value == "Warning" and reply.identifier > 1000
        assert server.received == ["status", "playerlist", "serverinfo", "nosuchcommand"]
    assert client.state is ClientState.CLOSED


async def test_twenty_concurrent_commands_answered_out_of_order_are_matched_right() -> None:
    async with FakeWebRconServer(mode="reorder") as server, client_for(server) as client:
        texts = [f"reply {n}" for n in range(20)]
        answers = await asyncio.gather(*(client.command(f"echo {t}") for t in texts))
        assert answers == texts
        assert client.stats.protocol.replies == 20


async def test_in_flight_bound_queues_the_rest() -> None:
    async with (
        FakeWebRconServer(reply_delay=0.01) as server,
        client_for(server, max_in_flight=2) as client,
    ):
        peak = 0

        async def one(n: int) -> str:
            nonlocal peak
            text = await client.command(f"echo {n}")
            return text

        async def watch() -> None:
            nonlocal peak
            while True:
                peak = max(peak, client._proto.in_flight)
                await asyncio.sleep(0)

        watcher = asyncio.ensure_future(watch())
        answers = await asyncio.gather(*(one(n) for n in range(10)))
        watcher.cancel()
        assert answers == [str(n) for n in range(10)]
        assert peak <= 2


async def test_pushes_arrive_as_typed_events_in_order() -> None:
    async with FakeWebRconServer() as server, client_for(server) as client:
        await server.push_join("76561198000000003", "Carl")
        await server.push_chat("Carl", "76561198000000003", "hi all", channel=1)
        await server.push_leave("76561198000000003", "Carl", "Timed Out")
        await server.push_console("Saving complete")
        events = [await next_event(client, object) for _ in range(5)]
        assert events[0] == Connected(reconnect=False)
        assert isinstance(events[1], PlayerJoined) and events[1].name == "Carl"
        assert isinstance(events[2], ChatMessage) and events[2].channel_name == "team"
        assert isinstance(events[3], PlayerLeft) and events[3].reason == "Timed Out"
        assert events[4].text == "Saving complete"


async def test_kick_reply_and_announcement() -> None:
    async with FakeWebRconServer() as server, client_for(server) as client:
        assert await client.command('kick "76561198000000001" "afk"') == "Kicked: Alice"
        assert await next_event(client, PlayerKicked) == PlayerKicked("Alice", "afk")


async def test_a_command_that_prints_nothing_times_out_unless_allow_empty() -> None:
    async with FakeWebRconServer() as server, client_for(server) as client:
        with pytest.raises(WebRconTimeout, match=r"within 0\.1 s"):
            await client.command("silent x", timeout=0.1)
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await client.command('say "hello"', allow_empty=True) == ""
        assert loop.time() - started < 0.5
        chat = await next_event(client, ChatMessage)
        assert (chat.username, chat.text, chat.channel_name) == ("SERVER", "hello", "server")
        # A command that does answer still returns its answer with allow_empty.
        assert await client.command("echo yes", allow_empty=True) == "yes"
        assert server.received[-1] == "serverinfo"  # the probe went after it


async def test_a_late_reply_is_dropped_not_taken_for_the_next_answer() -> None:
    async with FakeWebRconServer(reply_delay=0.2) as server, client_for(server) as client:
        with pytest.raises(WebRconTimeout):
            await client.command("echo first", timeout=0.05)
        assert await client.command("echo second") == "second"
        assert client.stats.protocol.late_replies == 1
        assert not [e for e in drain(client) if not isinstance(e, Connected)]


async def test_event_queue_drops_oldest_and_counts() -> None:
    async with FakeWebRconServer() as server, client_for(server, max_events=3) as client:
        for n in range(10):
            await server.push_console(f"line {n}")
        await client.command("echo sync")  # every push before this reply is queued by now
        assert client.stats.dropped_events == 8  # Connected + 10 lines, 3 kept
        assert [e.text for e in drain(client)] == ["line 7", "line 8", "line 9"]


async def test_events_end_when_the_client_closes() -> None:
    async with FakeWebRconServer() as server:
        client = client_for(server)
        await client.start()
        seen: list[object] = []

        async def consume() -> None:
            async for event in client.events():
                seen.append(event)

        consumer = asyncio.ensure_future(consume())
        await asyncio.sleep(0.05)
        await client.close()
        await asyncio.wait_for(consumer, 2.0)
        assert seen[0] == Connected(reconnect=False)


async def test_misuse_raises_typed_errors() -> None:
    async with FakeWebRconServer() as server:
        client = client_for(server)
        with pytest.raises(WebRconClosed, match="not started"):
            await client.command("status")
        await client.start()
        with pytest.raises(WebRconClosed, match="already started"):
            await client.start()
        with pytest.raises(WebRconRequestError):
            await client.command("say a\nquit")
        await client.close()
        await client.close()  # idempotent
        with pytest.raises(WebRconClosed, match="closed"):
            await client.command("status")


async def test_close_fails_a_waiting_command() -> None:
    async with FakeWebRconServer() as server, client_for(server) as client:
        waiting = asyncio.ensure_future(client.command("silent x", timeout=5))
        await asyncio.sleep(0.05)
        await client.close()
        with pytest.raises(WebRconClosed):
            await waiting


@pytest.mark.parametrize(
    ("host", "port", "password"),
    [
        ("", 28016, "pw"),
        ("bad host", 28016, "pw"),
        ("h", 0, "pw"),
        ("h", 70000, "pw"),
        ("h", 1, ""),
    ],
)
def test_bad_arguments(host: str, port: int, password: str) -> None:
    with pytest.raises(ValueError):
        WebRconClient(host, port, password)
