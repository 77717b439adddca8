"""The 7 Days to Die telnet admin adapter against the fake console: sessions, events, errors."""

from __future__ import annotations

import asyncio
import random
import socket
from typing import Any

import pytest

from bot.adapters.admin import (
    CONSOLE_EVENT,
    AdminTarget,
    ConsoleEvent,
    ConsolePlayer,
    LoginStatus,
    SessionOptions,
    SessionState,
)
from bot.adapters.admin_errors import RconAuthError, RconInvalidInput, RconTimeout, RconUnavailable
from bot.adapters.sdtd import SdtdAdapter, SdtdSession, console_event
from bot.protocols import sdtd
from tests.adapters.sessions import listed_players
from tests.fakes.network_faults import refuse_address
from tests.fakes.sdtd_server import FakePlayer, FakeSdtdServer
from tests.fakes.waiting import eventually

FAST = sdtd.SessionConfig(first_output_wait=0.3, settle=0.05, banner_wait=0.1)
OPTIONS = SessionOptions(
    connect_timeout=1.0, backoff_initial=0.02, backoff_max=0.1, rng=random.Random(1)
)


def target(server: FakeSdtdServer, password: str = "secret", **kwargs: Any) -> AdminTarget:
    host, port = server.address
    return AdminTarget(1, "Main", host, port, password, **kwargs)


async def wait_state(session: SdtdSession, state: SessionState) -> None:
    await eventually(lambda: session.state is state)


async def test_execute_and_the_state_through_a_restart() -> None:
    adapter = SdtdAdapter(FAST)
    assert (adapter.protocol, adapter.transport) == ("sdtd_telnet", "TCP")
    async with FakeSdtdServer() as server:
        session = adapter.open(target(server), OPTIONS)
        assert session.state is SessionState.IDLE
        try:
            assert await session.execute("gettime", timeout=2.0) == "Day 7, 14:23"
            assert session.state is SessionState.CONNECTED
            await server.restart()
            await wait_state(session, SessionState.RECONNECTING)
            await wait_state(session, SessionState.CONNECTED)
            assert await session.execute("version", timeout=2.0) == (
                "Game version: V 1.0 (b333) Compatibility Version: V 1.0"
            )
            assert server.logins == 2
        finally:
            await session.close()
        assert session.state is SessionState.IDLE


async def test_listeners_get_typed_events_across_reconnects() -> None:
    async with FakeSdtdServer() as server:
        session = SdtdAdapter(FAST).open(target(server), OPTIONS)
        seen: list[tuple[str, Any]] = []
        done = asyncio.Event()

        async def on_chat(chat: sdtd.ChatMessage) -> None:
            seen.append(("chat", chat.text))
            done.set()

        session.add_listener("login", lambda: seen.append(("login", None)))
        session.add_listener("disconnect", lambda: seen.append(("disconnect", None)))
        session.add_listener("chat", on_chat)
        session.add_listener("player_join", lambda e: seen.append(("join", e.name)))
        session.add_listener("player_death", lambda e: 1 / 0)  # a broken listener is contained
        try:
            await session.execute("gettime", timeout=2.0)
            await server.restart()
            await wait_state(session, SessionState.CONNECTED)
            await session.execute("gettime", timeout=2.0)
            await server.emit_log("GMSG: Player 'Halp' died")
            await server.emit_log("GMSG: Player 'Halp' joined the game")
            await server.emit_log("Chat (from '1', entity id '2', to 'Global'): 'Halp': hi")
            async with asyncio.timeout(2):
                await done.wait()
        finally:
            await session.close()
    assert seen == [
        ("login", None),
        ("disconnect", None),
        ("login", None),
        ("join", "Halp"),
        ("chat", "hi"),
    ]


async def test_a_refused_password_is_auth_failed_and_never_retried() -> None:
    async with FakeSdtdServer() as server:
        session = SdtdAdapter(FAST).open(target(server, "wrong"), OPTIONS)
        try:
            with pytest.raises(RconAuthError, match="'Main'"):
                await session.execute("gettime", timeout=1.0)
            assert session.state is SessionState.AUTH_FAILED
            session.start()  # a no-op now
            await asyncio.sleep(0.2)
            assert server.password_attempts == ["wrong"]
        finally:
            await session.close()


async def test_a_password_changed_on_the_server_stops_the_session() -> None:
    async with FakeSdtdServer() as server:
        session = SdtdAdapter(FAST).open(target(server), OPTIONS)
        try:
            await session.execute("gettime", timeout=2.0)
            server.password = "rotated"
            await server.restart()
            await wait_state(session, SessionState.AUTH_FAILED)
            with pytest.raises(RconAuthError):
                await session.execute("gettime", timeout=1.0)
            assert server.password_attempts == ["secret", "secret"]
        finally:
            await session.close()


async def test_an_offline_server_is_unavailable_then_comes_back() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    offline = AdminTarget(1, "Main", "127.0.0.1", port, "secret")
    session = SdtdAdapter(FAST).open(offline, SessionOptions(connect_timeout=0.3))
    try:
        with pytest.raises(RconUnavailable, match="offline"):
            await session.execute("gettime", timeout=0.3)
        assert session.state is SessionState.RECONNECTING
    finally:
        await session.close()
    async with FakeSdtdServer(port=port) as server:
        session = SdtdAdapter(FAST).open(target(server), OPTIONS)
        try:
            assert await session.execute("gettime", timeout=2.0) == "Day 7, 14:23"
        finally:
            await session.close()


async def test_an_address_refused_by_resolve_is_said_and_never_connected_to() -> None:
    async with FakeSdtdServer() as server:
        session = SdtdAdapter(FAST).open(target(server, resolve=refuse_address), OPTIONS)
        try:
            with pytest.raises(RconUnavailable, match="does not accept private"):
                await session.execute("gettime", timeout=0.3)
        finally:
            await session.close()
        assert server.connections == 0


async def test_timeouts_invalid_input_and_lost_answers_map_to_admin_errors() -> None:
    delays = {"hang": 10.0, "kick 171": 10.0}
    async with FakeSdtdServer(delays=delays, echo=False) as server:
        session = SdtdAdapter(FAST).open(target(server), OPTIONS)
        try:
            with pytest.raises(RconInvalidInput):
                await session.execute("lp\nshutdown", timeout=1.0)
            assert session.state is SessionState.IDLE  # refused before connecting
            task = asyncio.create_task(session.execute("kick 171", timeout=5.0))
            await eventually(lambda: "kick 171" in server.received_commands)
            await server.restart()
            with pytest.raises(RconUnavailable, match="before answering"):
                await task
            with pytest.raises(RconTimeout, match=r"0\.2 s"):
                await session.execute("hang", timeout=0.2)
        finally:
            await session.close()
        assert server.received_commands.count("kick 171") == 1


async def test_an_endless_answer_is_unavailable_not_a_hang() -> None:
    config = sdtd.SessionConfig(
        first_output_wait=0.3, settle=0.05, banner_wait=0.1, max_answer_bytes=32 * 1024
    )
    async with FakeSdtdServer(hostile="flood") as server:
        session = SdtdAdapter(config).open(target(server), OPTIONS)
        try:
            with pytest.raises(RconUnavailable, match="limits"):
                await session.execute("lp", timeout=2.0)
        finally:
            await session.close()


@pytest.mark.parametrize(
    ("mode", "password", "status"),
    [
        (None, "secret", LoginStatus.OK),
        (None, "wrong", LoginStatus.REFUSED),
        (None, "bad\r\npassword", LoginStatus.REFUSED),
        ("silence", "secret", LoginStatus.NO_ANSWER),
        ("http", "secret", LoginStatus.NO_ANSWER),
        ("endless_line", "secret", LoginStatus.NO_ANSWER),
    ],
)
async def test_test_login(mode: Any, password: str, status: LoginStatus) -> None:
    async with FakeSdtdServer(hostile=mode) as server:
        result = await SdtdAdapter(FAST).test_login(*server.address, password, timeout=0.5)
    assert result.status is status, result
    assert password not in result.detail
    assert SdtdAdapter.hints.for_status(status) is not None


async def test_test_login_on_a_closed_port_and_a_dropped_login() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = await SdtdAdapter(FAST).test_login("127.0.0.1", port, "x", timeout=0.5)
    assert result.status is LoginStatus.UNREACHABLE
    # The console closes after the last allowed wrong password: a dropped login.
    async with FakeSdtdServer(failed_login_limit=1) as server:
        result = await SdtdAdapter(FAST).test_login(*server.address, "wrong", timeout=0.5)
    assert result.status is LoginStatus.DROPPED


def test_messages_name_the_server_never_the_password() -> None:
    shown = repr(AdminTarget(1, "Main", "h", 8081, "s3cr3t"))
    assert "s3cr3t" not in shown


PLTFM = "Steam_76561198028175941"
EOS = "EOS_0002b5d970954287afdcb5dc35af0424"


async def test_players_are_typed_console_players() -> None:
    players = [
        FakePlayer(171, "Revlin McAwesome", steam_id="76561198012345678", ping=25),
        FakePlayer(172, "Jürgen, der 2.", platform_id=PLTFM, cross_id=EOS, ip="5.6.7.8"),
    ]
    async with FakeSdtdServer(players=players) as server:
        listed = await listed_players(SdtdAdapter(FAST).open(target(server), OPTIONS))
    assert listed == [
        ConsolePlayer("Revlin McAwesome", "171", (("steam", "76561198012345678"),), 25, "1.2.3.4"),
        ConsolePlayer(
            "Jürgen, der 2.", "172", (("steam", "76561198028175941"), ("eos", EOS)), 25, "5.6.7.8"
        ),
    ]


async def test_console_events_are_neutral_and_skip_the_noise() -> None:
    spawn = (
        "PlayerSpawnedInWorld (reason: {reason}, position: 1, 2, 3): EntityID=171, "
        f"PltfmId='{PLTFM}', CrossId='{EOS}', OwnerID='{PLTFM}', PlayerName='Cata'"
    )
    lines = [
        "Time: 3.02m FPS: 33.4 Heap: 1102.7MB",
        spawn.format(reason="JoinMultiplayer"),
        spawn.format(reason="Died"),  # a respawn, not a join
        "Chat (from '-non-player-', entity id '-1', to 'Global'): 'Server': restart soon",
        f"Chat (from '{PLTFM}', entity id '171', to 'Party'): 'Cata': [ff0000]hi[-]",
        "GMSG: Player 'Cata' died",
        "Entity zombieNurse 613814 killed by Cata 171",
        'Executing command \'kick "Cata" "spam"\' by Telnet from 9.9.9.9:1',
        "Executing command 'ban add EOS_1 1 day \"grief\"' by WebCommandHandler",
        "Executing command 'saveworld' by Telnet from 9.9.9.9:1",
        f"Player disconnected: EntityID=171, PltfmId='{PLTFM}', CrossId='{EOS}', "
        f"OwnerID='{PLTFM}', PlayerName='Cata'",
    ]
    async with FakeSdtdServer() as server:
        session = SdtdAdapter(FAST).open(target(server), OPTIONS)
        seen: list[ConsoleEvent] = []
        session.add_listener(CONSOLE_EVENT, seen.append)
        try:
            await session.execute("gettime", timeout=2.0)  # our own echo: no event
            for line in lines:
                await server.emit_log(line)
            await eventually(lambda: len(seen) >= 8)
            await session.execute("shutdown", timeout=2.0)
            await eventually(lambda: len(seen) >= 9)
        finally:
            await session.close()
    ids = (("steam", "76561198028175941"), ("eos", EOS))
    assert seen == [
        ConsoleEvent("join", "Cata", ids),
        ConsoleEvent("chat", "Server", (), "restart soon", "global"),
        ConsoleEvent("chat", "Cata", (("steam", "76561198028175941"),), "hi", "party"),
        ConsoleEvent("death", "Cata"),
        ConsoleEvent("kick", "Cata", text='kick "Cata" "spam"'),
        ConsoleEvent("ban", "EOS_1", text='ban add EOS_1 1 day "grief"'),
        ConsoleEvent("save", text="saveworld"),
        ConsoleEvent("leave", "Cata", ids),
        ConsoleEvent("restart", text=seen[-1].text),
    ]
    assert seen[-1].text.startswith("shutdown (Telnet from 127.0.0.1:")


def test_entity_kills_and_connects_are_no_console_event() -> None:
    assert console_event(sdtd.EntityKilled("zombieNurse", 1, "Cata", 2)) is None
    assert console_event(sdtd.PlayerConnected(1, "Cata")) is None
