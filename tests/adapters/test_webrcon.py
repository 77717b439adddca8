"""The Rust WebRCON admin adapter against the fake server: commands, players, the event feed,
reconnects, refused passwords and addresses, login tests, and no password anywhere."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.adapters import listeners as listeners_module
from bot.adapters.admin import (
    CONSOLE_EVENT,
    AdminAdapter,
    AdminTarget,
    ConsoleEvent,
    ConsolePlayer,
    LoginStatus,
    PlayerLister,
    SessionOptions,
    SessionState,
)
from bot.adapters.admin_errors import (
    RconAuthError,
    RconError,
    RconInvalidInput,
    RconNotConfigured,
    RconTimeout,
    RconUnavailable,
)
from bot.adapters.webrcon import RAW_EVENT, WebRconAdapter, WebRconSession, to_console_event
from bot.protocols import webrcon
from tests.adapters.listener_doubles import AwaitedListener, broken_listener
from tests.adapters.sessions import assert_renamed_refusal, listed_players
from tests.fakes.network_faults import http_status_site, refuse_address, silent_tcp
from tests.fakes.waiting import eventually
from tests.fakes.webrcon_server import FakeWebRconServer
from tests.protocols.leaks import every_text, logged_texts

FAST = SessionOptions(connect_timeout=1.0, backoff_initial=0.05, backoff_max=0.2)
ALICE = "76561198000000001"


def _target(server: FakeWebRconServer, password: str | None = None, **extra: Any) -> AdminTarget:
    host, port = server.address
    secret = server.password if password is None else password
    return AdminTarget(1, "Test", host, port, secret, **extra)


def _session(
    server: FakeWebRconServer, password: str | None = None, **extra: Any
) -> WebRconSession:
    return WebRconAdapter().open(_target(server, password, **extra), FAST)


def test_the_adapter_says_what_it_is() -> None:
    adapter: AdminAdapter = WebRconAdapter()
    assert (adapter.protocol, adapter.label, adapter.transport) == (
        "webrcon",
        "Rust WebRCON",
        "TCP",
    )
    for status in LoginStatus:
        if status is not LoginStatus.OK:
            assert adapter.hints.for_status(status)
    assert "28016" in adapter.hints.no_answer and "rcon.web 1" in adapter.hints.no_answer


async def test_execute_runs_console_commands_on_one_connection() -> None:
    async with FakeWebRconServer(responses={"status": "hostname: Fake"}) as server:
        session = _session(server)
        assert isinstance(session, PlayerLister)
        assert session.state is SessionState.IDLE
        try:
            assert await session.execute("status", timeout=2.0) == "hostname: Fake"
            kick = f'kick "{ALICE}" "afk"'
            assert await session.execute(kick, timeout=2.0) == "Kicked: Alice"
            assert await session.execute("nope", timeout=2.0) == "Command 'nope' not found"
            assert session.state is SessionState.CONNECTED
            assert server.connections_made == 1
            # Sent as given, each followed by the probe that tells "no output" from silence.
            assert [c for c in server.received if c != "serverinfo"] == ["status", kick, "nope"]
        finally:
            await session.close()
        assert session.state is SessionState.IDLE
        assert session._runner is None and server.clients == 0


async def test_say_gets_no_reply_and_returns_empty_without_waiting_out_the_timeout() -> None:
    async with FakeWebRconServer() as server:
        session = _session(server)
        try:
            await session.execute("echo warm", timeout=2.0)
            loop = asyncio.get_running_loop()
            started = loop.time()
            assert await session.execute('say "hello all"', timeout=5.0) == ""
            assert loop.time() - started < 1.0
            assert server.received[-2:] == ['say "hello all"', "serverinfo"]
        finally:
            await session.close()


async def test_players_are_console_players_keyed_by_steamid() -> None:
    async with FakeWebRconServer() as server:
        players = await listed_players(_session(server))
    assert players == [
        ConsolePlayer("Alice", ALICE, (("steam", ALICE),), 28, "203.0.113.7"),
        ConsolePlayer(
            "Bob [EU]", "76561198000000002", (("steam", "76561198000000002"),), 61, "198.51.100.2"
        ),
    ]
    assert "203.0.113.7" not in repr(players[0])  # the player's IP stays out of reprs


async def test_a_playerlist_that_is_not_json_is_unavailable() -> None:
    async with FakeWebRconServer(responses={"playerlist": "no list"}) as server:
        session = _session(server)
        try:
            with pytest.raises(RconUnavailable, match="not a player list"):
                await session.players(timeout=2.0)
        finally:
            await session.close()


async def test_pushes_reach_console_event_listeners_and_raw_listeners(
    caplog: pytest.LogCaptureFixture,
) -> None:
    plain: list[ConsoleEvent] = []
    awaited = AwaitedListener[ConsoleEvent]()
    raw: list[object] = []

    async with FakeWebRconServer() as server:
        session = _session(server)
        session.add_listener(CONSOLE_EVENT, broken_listener)
        session.add_listener(CONSOLE_EVENT, plain.append)
        session.add_listener(CONSOLE_EVENT, awaited)
        session.add_listener(RAW_EVENT, raw.append)
        session.add_listener("other", plain.append)  # an event nobody sends
        try:
            await session.execute("echo up", timeout=10.0)
            await server.push_join("76561198000000003", "Carl")
            await server.push_chat("Carl", "76561198000000003", "hi team", channel=1)
            await server.push_chat("Dora", 76561198000000004, "hi all")  # numeric UserId
            await session.execute(f'kick "{ALICE}" "afk"', timeout=10.0)
            await server.push_chat("SERVER", "0", "Kickbanning Bob [EU] for 1 day (cheating)")
            await server.push_console("Saved 20,838 ents, cache(0.01), write(0.01), disk(0.00).")
            await server.push_console("Restarting in 60 seconds")
            await server.push_leave("76561198000000003", "Carl", "Timed Out")
            await server.push_console("[CHAT] Carl[76561198000000003] : hi team")
            await eventually(lambda: len(plain) == 9 and len(awaited.events) == 9, 10)
            assert session.state is SessionState.CONNECTED
        finally:
            await session.close()
    carl = (("steam", "76561198000000003"),)
    assert plain == [
        ConsoleEvent("join", "Carl", carl),
        ConsoleEvent("chat", "Carl", carl, "hi team", "team"),
        ConsoleEvent("chat", "Dora", (("steam", "76561198000000004"),), "hi all", "global"),
        ConsoleEvent("kick", "Alice", text="afk"),
        ConsoleEvent("ban", "Bob [EU]", text="cheating (for 1 day)"),
        ConsoleEvent("save", text="20,838 entities"),
        ConsoleEvent("restart", text="in 60 s"),
        ConsoleEvent("leave", "Carl", carl, "Timed Out"),
        ConsoleEvent("line", text="[CHAT] Carl[76561198000000003] : hi team"),
    ]
    assert awaited.events == plain
    assert raw[0] == webrcon.Connected(reconnect=False)
    assert isinstance(raw[1], webrcon.PlayerJoined) and raw[1].steam_id == "76561198000000003"
    assert isinstance(raw[4], webrcon.PlayerKicked)
    # The broken listener failed nine times: logged once, and nothing else stopped.
    failures = [r for r in caplog.records if "listener of server 1 failed" in r.getMessage()]
    assert len(failures) == 1 and failures[0].exc_info is not None


async def test_coroutine_listener_calls_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listeners_module, "MAX_LISTENER_TASKS", 2)
    release = asyncio.Event()
    finished: list[str] = []

    async def stuck(event: ConsoleEvent) -> None:
        await release.wait()
        finished.append(event.text)

    async with FakeWebRconServer() as server:
        session = _session(server)
        session.add_listener(CONSOLE_EVENT, stuck)
        try:
            await session.execute("echo up", timeout=2.0)
            for n in range(5):
                await server.push_console(f"line {n}")
            await eventually(lambda: session.listeners.dropped == 3)
            release.set()
            await eventually(lambda: len(finished) == 2)
            assert finished == ["line 0", "line 1"]
        finally:
            await session.close()


async def test_reconnects_after_a_restart_and_listeners_stay() -> None:
    seen: list[ConsoleEvent] = []
    raw: list[object] = []
    async with FakeWebRconServer() as server:
        session = _session(server)
        session.add_listener(CONSOLE_EVENT, seen.append)
        session.add_listener(RAW_EVENT, raw.append)
        try:
            assert await session.execute("echo one", timeout=2.0) == "one"
            restarting = asyncio.ensure_future(server.restart(downtime=0.3))
            await eventually(lambda: session.state is SessionState.RECONNECTING)
            with pytest.raises(RconUnavailable):
                await session.execute("echo down", timeout=0.1)
            await restarting
            await eventually(lambda: session.state is SessionState.CONNECTED)
            assert await session.execute("echo two", timeout=2.0) == "two"
            await server.push_console("after the restart")
            await eventually(lambda: len(seen) == 1)
            assert seen == [ConsoleEvent("line", text="after the restart")]
            assert server.connections_made == 2
            assert webrcon.Connected(reconnect=True) in raw
            assert any(isinstance(e, webrcon.Disconnected) for e in raw)
        finally:
            await session.close()


async def test_a_server_down_at_start_is_waited_out() -> None:
    server = FakeWebRconServer()
    await server.start()
    await server.stop()
    session = _session(server)
    try:
        with pytest.raises(RconUnavailable, match="offline or its WebRCON port"):
            await session.execute("echo x", timeout=0.3)
        assert session.state is SessionState.RECONNECTING  # attempts failed, still trying
        await server.start()  # the same port
        assert await session.execute("echo up", timeout=2.0) == "up"
        assert session.state is SessionState.CONNECTED
    finally:
        await session.close()
        await server.stop()


async def test_a_refused_password_is_auth_failed_and_never_retried() -> None:
    async with FakeWebRconServer(password="right") as server:
        session = _session(server, password="wrong-one")
        try:
            with pytest.raises(RconAuthError, match="'Test'") as caught:
                await session.execute("status", timeout=2.0)
            assert "wrong-one" not in str(caught.value)
            assert session.state is SessionState.AUTH_FAILED
            await asyncio.sleep(0.4)  # several backoff periods: no second login
            session.start()
            with pytest.raises(RconAuthError):
                await session.players(timeout=1.0)
            assert server.connections_made == 1 and server.refused == 1
            assert server.received == []
        finally:
            await session.close()


async def test_a_refused_address_fails_at_once_and_sends_nothing() -> None:
    async with FakeWebRconServer() as server:
        session = _session(server, resolve=refuse_address)
        try:
            loop = asyncio.get_running_loop()
            started = loop.time()
            with pytest.raises(RconUnavailable, match="does not accept private"):
                await session.execute("status", timeout=3.0)
            assert loop.time() - started < 1.0  # said at once, not after the timeout
            assert session.state is SessionState.RECONNECTING
            await asyncio.sleep(0.2)  # retried with backoff, still refused
            with pytest.raises(RconUnavailable, match="does not accept private"):
                await session.execute("status", timeout=0.5)
            assert server.connections_made == 0 and server.received == []
        finally:
            await session.close()


async def test_every_attempt_connects_where_resolve_says() -> None:
    asked: list[str] = []

    async def resolve(host: str) -> str:
        asked.append(host)
        return "127.0.0.1"

    async with FakeWebRconServer() as server:
        target = AdminTarget(
            1, "Test", "rust.example", server.port, server.password, resolve=resolve
        )
        session = WebRconAdapter().open(target, FAST)
        try:
            assert await session.execute("echo a", timeout=2.0) == "a"
            await server.restart()
            await eventually(lambda: session.state is SessionState.CONNECTED and len(asked) >= 2)
            assert await session.execute("echo b", timeout=2.0) == "b"
        finally:
            await session.close()
    assert asked[:2] == ["rust.example", "rust.example"]


async def test_bad_commands_silence_and_downtime_are_typed() -> None:
    async with FakeWebRconServer() as server:
        session = _session(server)
        try:
            with pytest.raises(RconInvalidInput) as caught:
                await session.execute("say a\nquit", timeout=1.0)
            assert "quit" not in str(caught.value)
            assert server.connections_made == 0  # refused before connecting
            await session.execute("echo up", timeout=2.0)
            server.mode = "silent"
            with pytest.raises(RconTimeout, match=r"within 0\.3 s"):
                await session.execute("status", timeout=0.3)
            server.mode = "normal"
            await server.stop()
            await eventually(lambda: session.state is SessionState.RECONNECTING)
            with pytest.raises(RconUnavailable, match="offline"):
                await session.execute("status", timeout=0.3)
        finally:
            await session.close()
    with pytest.raises(RconUnavailable, match="closed"):
        await session.execute("status", timeout=0.3)


async def test_rename_and_unusable_settings() -> None:
    async with FakeWebRconServer(password="right") as server:
        session = _session(server, password="wrong")
        await assert_renamed_refusal(session)
        empty = _session(server, password="")
        with pytest.raises(RconNotConfigured, match="no RCON password"):
            await empty.execute("status", timeout=0.5)
        assert empty.state is SessionState.IDLE and server.connections_made == 1


def test_console_events_for_server_chat_and_markers() -> None:
    chat = webrcon.ChatMessage(channel=2, username="SERVER", user_id="0", text="hello")
    assert to_console_event(chat) == ConsoleEvent("chat", "SERVER", (), "hello", "server")
    assert to_console_event(webrcon.ServerSaved(None)) == ConsoleEvent("save")
    assert to_console_event(webrcon.Connected(reconnect=True)) is None
    assert to_console_event(webrcon.Disconnected("gone")) is None


async def _closed_port() -> int:
    server = FakeWebRconServer()
    await server.start()
    await server.stop()
    return server.port


async def test_login_statuses() -> None:
    adapter = WebRconAdapter()
    async with FakeWebRconServer(password="pw") as server:
        ok = await adapter.test_login(*server.address, "pw", timeout=1.0)
        refused = await adapter.test_login(*server.address, "nope", timeout=1.0)
        server.mode = "close_on_connect"
        dropped = await adapter.test_login(*server.address, "pw", timeout=1.0)
        assert server.connections_made == 3  # one attempt each
    assert ok.ok and refused.status is LoginStatus.REFUSED
    assert dropped.status is LoginStatus.DROPPED
    unreachable = await adapter.test_login("127.0.0.1", await _closed_port(), "pw", timeout=1.0)
    assert unreachable.status is LoginStatus.UNREACHABLE and "cannot connect" in unreachable.detail
    loop = asyncio.get_running_loop()
    async with silent_tcp() as port:
        started = loop.time()
        silent = await adapter.test_login("127.0.0.1", port, "pw", timeout=0.3)
        assert loop.time() - started < 1.0
    assert silent.status is LoginStatus.NO_ANSWER
    async with http_status_site(404) as port:
        not_webrcon = await adapter.test_login("127.0.0.1", port, "pw", timeout=1.0)
    assert not_webrcon.status is LoginStatus.NO_ANSWER and "not as WebRCON" in not_webrcon.detail
    assert (await adapter.test_login("127.0.0.1", 28016, "", timeout=0.1)).status is (
        LoginStatus.REFUSED
    )


TOKEN = "Pw9xQz41"  # in every spelling of the password: raw, percent-encoded, in the URL
PASSWORD = f"{TOKEN} s#p/é%"


async def test_the_password_is_in_no_error_log_or_repr(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    texts: list[str] = []

    async def collect(call: Any) -> None:
        try:
            await call
        except RconError as exc:
            errors.append(exc)

    adapter = WebRconAdapter()
    async with FakeWebRconServer(password=PASSWORD) as server:
        session = _session(server)
        assert await session.execute("echo ok", timeout=2.0) == "ok"
        texts += [repr(session), repr(vars(session)), repr(session.client)]
        server.mode = "silent"
        await collect(session.execute("status", timeout=0.2))
        server.mode = "non_json"  # the connection is dropped, then made again
        await collect(session.execute("status", timeout=1.0))
        server.mode = "normal"
        await eventually(lambda: session.state is SessionState.CONNECTED)
        await server.restart(password="changed")  # the stored one no longer works
        await eventually(lambda: session.state is SessionState.AUTH_FAILED)
        await collect(session.execute("status", timeout=1.0))
        await session.close()
        for other in (_session(server, PASSWORD + "x"), _session(server, resolve=refuse_address)):
            await collect(other.execute("status", timeout=0.5))
            await other.close()
        for mode in ("normal", "close_on_connect"):
            server.mode = mode
            texts.append(repr(await adapter.test_login(*server.address, PASSWORD, timeout=1.0)))
    texts.append(repr(await adapter.test_login(*server.address, PASSWORD, timeout=1.0)))
    kinds = {type(e).__name__ for e in errors}
    assert kinds >= {"RconTimeout", "RconUnavailable", "RconAuthError"}
    texts += [every_text(e) for e in errors] + logged_texts(caplog)
    for text in texts:
        assert TOKEN not in text
    assert "refused the password; not retrying" in caplog.text
