"""The Palworld REST admin adapter: console language, session states, events, against the fake."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable, Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.admin import (
    CONSOLE_EVENT,
    AdminAdapter,
    AdminSession,
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
    RconInvalidInput,
    RconRefused,
    RconTimeout,
    RconUnavailable,
)
from bot.adapters.palworld_admin import PalworldAdminAdapter, PalworldAdminSession
from bot.adapters.palworld_commands import USER_ID, PalworldCommand, parse_command
from tests.adapters.listener_doubles import AwaitedListener, broken_listener
from tests.adapters.sessions import assert_renamed_refusal
from tests.fakes.network_faults import refuse_address
from tests.fakes.palworld_server import FakePalworldServer
from tests.fakes.waiting import eventually
from tests.protocols.leaks import record_texts

PASSWORD = "pal-admin-secret-pw"
TOKEN = base64.b64encode(f"admin:{PASSWORD}".encode()).decode()
FAST = SessionOptions(connect_timeout=2.0, backoff_initial=0.05, backoff_max=0.2)
ALICE = "steam_76561197999054170"
BOB = "ps5_4591469878499095569"
CAROL = "steam_76561198000000001"


def _target(
    port: int, *, host: str = "127.0.0.1", resolve: Callable[[str], Awaitable[str]] | None = None
) -> AdminTarget:
    if resolve is None:
        return AdminTarget(7, "Pals", host, port, PASSWORD)
    return AdminTarget(7, "Pals", host, port, PASSWORD, resolve=resolve)


def _open(server: FakePalworldServer, **extra: object) -> PalworldAdminSession:
    return PalworldAdminAdapter(**extra).open(_target(server.address[1]), FAST)  # type: ignore[arg-type]


def _clean(text: str) -> None:
    assert PASSWORD not in text and TOKEN not in text


@pytest.fixture(autouse=True)
def _no_log_record_holds_the_password(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.DEBUG)  # ours and aiohttp's, at every level
    yield
    for text in record_texts(caplog):
        _clean(text)


def _player(name: str, user_id: str, ip: str = "") -> dict[str, object]:
    return {"name": name, "accountName": name.lower(), "playerId": "AB", "userId": user_id,
            "ip": ip, "ping": 30.4, "level": 1}  # fmt: skip


# -- the adapter and the console language ------------------------------------------------------


def test_it_is_an_admin_adapter_and_a_player_lister() -> None:
    adapter: AdminAdapter = PalworldAdminAdapter()
    assert (adapter.protocol, adapter.label, adapter.transport) == (
        "palworld_rest",
        "Palworld REST API",
        "TCP",
    )
    session: AdminSession = adapter.open(_target(8212), FAST)
    assert isinstance(session, PlayerLister) and session.state is SessionState.IDLE
    _clean(repr(session))
    for status in LoginStatus:
        if status is not LoginStatus.OK:
            assert adapter.hints.for_status(status)
    assert (
        "AdminPassword" in adapter.hints.refused and "RESTAPIEnabled" in adapter.hints.unreachable
    )
    assert "RESTAPIPort" in adapter.hints.no_answer and "8212" in adapter.hints.no_answer
    with pytest.raises(ValueError):
        PalworldAdminAdapter(poll_interval=0)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("players", PalworldCommand("players")),
        ("  PLAYERS  ", PalworldCommand("players")),
        (f"kick {ALICE}", PalworldCommand("kick", user_id=ALICE)),
        (f"kick {ALICE}  be nice  ", PalworldCommand("kick", user_id=ALICE, message="be nice")),
        (f"Ban {BOB} cheating", PalworldCommand("ban", user_id=BOB, message="cheating")),
        (f"unban {ALICE}", PalworldCommand("unban", user_id=ALICE)),
        ("announce Back in 5  min", PalworldCommand("announce", message="Back in 5  min")),
        ("broadcast hi", PalworldCommand("announce", message="hi")),
        ("save", PalworldCommand("save")),
        ("shutdown 60 Back soon", PalworldCommand("shutdown", seconds=60, message="Back soon")),
        ("shutdown 0 now", PalworldCommand("shutdown", seconds=0, message="now")),
        ("stop", PalworldCommand("stop")),
        ("info", PalworldCommand("info")),
        ("metrics", PalworldCommand("metrics")),
    ],
)  # fmt: skip
def test_the_console_language(text: str, command: PalworldCommand) -> None:
    assert parse_command(text) == command


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "status",
        "ShowPlayers",  # the deprecated RCON's words are not this language
        "kick",
        "kick Alice",  # a name, not a userId
        "kick 76561197999054170",  # no platform prefix
        'kick steam_1","message":"x',  # JSON smuggling
        "kick steam_../../stop",
        "kick steam_7656;stop",
        "ban _76561197999054170",
        "ban steam_" + "7" * 65,
        "unban",
        f"unban {ALICE} extra",
        "save now",
        "stop please",
        "players all",
        "announce",
        "announce     ",
        "announce " + "x" * 501,
        f"kick {ALICE} line\nsplit",
        "announce tab\there",
        "players\x00",
        "shutdown",
        "shutdown 60",
        "shutdown soon bye",
        "shutdown -5 bye",
        "shutdown 86401 bye",
        "shutdown 9999999999 bye",
        "shutdown ６０ bye",  # fullwidth digits
        "x" * 1025,
    ],
)
def test_bad_input_is_refused_without_repeating_it(text: str) -> None:
    with pytest.raises(RconInvalidInput) as caught:
        parse_command(text)
    message = str(caught.value)
    assert message
    for word in text.split()[1:]:
        if len(word) > 4:
            assert word not in message


def test_an_unknown_command_names_the_known_ones() -> None:
    with pytest.raises(RconInvalidInput) as caught:
        parse_command("teleport steam_1 0 0")
    for verb in ("players", "kick", "ban", "unban", "announce", "broadcast", "save", "shutdown"):
        assert verb in str(caught.value)
    assert "teleport" not in str(caught.value)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80) | st.from_regex(r"(kick|ban|unban|shutdown) \S{0,40}( .{0,20})?"))
def test_any_text_parses_or_is_refused(text: str) -> None:
    try:
        command = parse_command(text)
    except RconInvalidInput:
        return
    if command.user_id:
        assert USER_ID.fullmatch(command.user_id)
    assert all(c.isprintable() for c in command.message)


# -- commands against the fake -----------------------------------------------------------------

COMMAND_CALLS = [
    (f"kick {ALICE} be nice", "kick", {"userid": ALICE, "message": "be nice"}, f"Kicked {ALICE}."),
    (f"ban {BOB}", "ban", {"userid": BOB, "message": ""}, f"Banned {BOB}."),
    (f"unban {BOB}", "unban", {"userid": BOB}, f"Unbanned {BOB}."),
    ("announce Hello pals", "announce", {"message": "Hello pals"}, "Announced."),
    ("broadcast Hi", "announce", {"message": "Hi"}, "Announced."),
    ("save", "save", None, "World saved."),
    (
        "shutdown 60 Bye",
        "shutdown",
        {"waittime": 60, "message": "Bye"},
        "Shutdown in 60 s announced.",
    ),
    ("stop", "stop", None, "Stopping now, without saving."),
]


async def test_every_admin_command_is_its_call() -> None:
    async with FakePalworldServer(password=PASSWORD) as server:
        session = _open(server)
        try:
            for text, route, body, answer in COMMAND_CALLS:
                assert await session.execute(text, timeout=2.0) == answer
                call = server.calls[-1]
                assert (call.route, call.body) == (route, body)
                if body is None:
                    assert call.raw == b""
                else:
                    assert call.content_type == "application/json"
            assert len(server.calls) == len(COMMAND_CALLS)
            assert server.banned == set()  # banned, then unbanned
            assert session.state is SessionState.CONNECTED
        finally:
            await session.close()
    # One health check, then one request per command: nothing else.
    assert server.requests == [("GET", "info")] + [
        ("POST", route) for _, route, _, _ in COMMAND_CALLS
    ]


async def test_query_commands_answer_short_text() -> None:
    async with FakePalworldServer(password=PASSWORD) as server:
        session = _open(server)
        try:
            listing = await session.execute("players", timeout=2.0)
            info = await session.execute("info", timeout=2.0)
            metrics = await session.execute("metrics", timeout=2.0)
            server.players = []
            empty = await session.execute("players", timeout=2.0)
        finally:
            await session.close()
    assert listing.splitlines() == ["Players online: 2", f"{ALICE} Alice", f"{BOB} Bob"]
    assert info.splitlines() == [
        "Outpost Pals (v0.3.11.0)",
        "A server for tests",
        "World E5A1B2C3D4E5F60718293A4B5C6D7E8F",
    ]
    assert metrics == (
        "Players 2/32, 59 fps, 16.9 ms per frame, up 1 h 00 min, day 12, 4 base camps"
    )
    assert empty == "Players online: 0"
    assert server.calls == []


async def test_bad_input_sends_nothing_at_all() -> None:
    async with FakePalworldServer(password=PASSWORD) as server:
        session = _open(server)
        try:
            for text in ("kick Alice", f"ban {ALICE} a\nb", "unban 123", "shutdown x y", "nope"):
                with pytest.raises(RconInvalidInput):
                    await session.execute(text, timeout=2.0)
            assert server.requests == [] and session.state is SessionState.IDLE
            await session.execute("info", timeout=2.0)
            before = len(server.requests)
            with pytest.raises(RconInvalidInput):
                await session.execute("kick steam_1,x", timeout=2.0)
            assert len(server.requests) == before
        finally:
            await session.close()


async def test_players_are_typed() -> None:
    async with FakePalworldServer(password=PASSWORD) as server:
        logging_in = {"name": "Dave", "accountName": "dave", "ip": "", "ping": 0.4}
        server.players = [*server.players, logging_in]
        session = _open(server)
        try:
            players = await session.players(timeout=2.0)
            listing = await session.execute("players", timeout=2.0)
        finally:
            await session.close()
    assert players == [
        ConsolePlayer("Alice", ALICE, (("steam", "76561197999054170"),), 59, ""),
        ConsolePlayer("Bob", BOB, (), 120, "203.0.113.7"),
        ConsolePlayer("Dave", "", (), 0, ""),
    ]
    assert listing.splitlines()[0] == "Players online: 3"
    assert listing.splitlines()[3] == "(logging in) Dave"


@pytest.mark.parametrize(
    ("mode", "error", "text"),
    [
        ("bad-request", RconRefused, "HTTP 400: Bad Request: invalid userid"),
        ("error", RconUnavailable, "HTTP 500: world is busy saving"),
        ("missing", RconUnavailable, "older build"),
        ("redirect", RconUnavailable, "HTTP 302"),
    ],
)
async def test_server_errors_keep_the_session(mode: str, error: type[Exception], text: str) -> None:
    async with FakePalworldServer(password=PASSWORD, modes={"kick": mode}) as server:
        session = _open(server)
        try:
            with pytest.raises(error, match=text) as caught:
                await session.execute(f"kick {ALICE}", timeout=2.0)
            assert "'Pals'" in str(caught.value)
            assert session.state is SessionState.CONNECTED  # the server answered
        finally:
            await session.close()


# -- states: auth, network, addresses ----------------------------------------------------------


async def test_a_refused_password_stops_every_request() -> None:
    async with FakePalworldServer(password="another") as server:
        session = _open(server, poll_interval=0.02)
        session.add_listener(CONSOLE_EVENT, lambda event: None)
        try:
            with pytest.raises(RconAuthError) as caught:
                await session.execute("players", timeout=2.0)
            _clean(str(caught.value))
            assert session.state is SessionState.AUTH_FAILED
            await asyncio.sleep(0.3)  # several backoff periods and poll intervals
            with pytest.raises(RconAuthError):
                await session.players(timeout=1.0)
            session.start()  # a no-op after AUTH_FAILED
        finally:
            await session.close()
    assert server.requests == [("GET", "info")] and server.auth_failures == 1


async def test_a_password_changed_on_the_server_stops_the_session() -> None:
    async with FakePalworldServer(password=PASSWORD) as server:
        session = _open(server, poll_interval=0.02)
        session.add_listener(CONSOLE_EVENT, lambda event: None)
        try:
            assert await session.execute("save", timeout=2.0) == "World saved."
            server.password = "changed"
            await eventually(lambda: session.state is SessionState.AUTH_FAILED)
            count = len(server.requests)
            await asyncio.sleep(0.2)
            with pytest.raises(RconAuthError, match="Pals"):
                await session.execute("save", timeout=1.0)
            assert len(server.requests) == count and server.auth_failures == 1
        finally:
            await session.close()


async def test_network_failures_reconnect_with_backoff_and_no_storm() -> None:
    # The stored host is a name nobody resolves: every request goes to what resolve says.
    address = ["127.0.0.1"]
    lookups: list[str] = []

    async def resolve(host: str) -> str:
        lookups.append(host)
        return address[0]

    async with FakePalworldServer(password=PASSWORD) as server:
        target = _target(server.address[1], host="pal.invalid", resolve=resolve)
        session = PalworldAdminAdapter().open(target, FAST)
        try:
            assert await session.execute("save", timeout=2.0) == "World saved."
            address[0] = "127.0.0.2"  # pinned: the connection keeps its checked address
            assert await session.execute("save", timeout=2.0) == "World saved."
            assert lookups == ["pal.invalid"]
            server.modes["players"] = "hang"
            with pytest.raises(RconTimeout):
                await session.execute("players", timeout=0.3)
            assert session.state is SessionState.RECONNECTING
            # Nothing listens on 127.0.0.2: the health checks fail, on the backoff's schedule.
            window_start = len(lookups)
            for _ in range(20):
                with pytest.raises(RconUnavailable, match="offline"):
                    await session.execute("save", timeout=1.0)  # at once, no request
                await asyncio.sleep(0.03)
            checks = len(lookups) - window_start
            assert 2 <= checks <= 12  # ~0.6 s of 0.025-0.2 s waits
            assert server.requests.count(("POST", "save")) == 2
            server.modes.clear()
            address[0] = "127.0.0.1"
            await eventually(lambda: session.state is SessionState.CONNECTED)
            assert await session.execute("save", timeout=2.0) == "World saved."
        finally:
            await session.close()


async def test_a_refused_address_is_said_and_nothing_is_sent() -> None:
    async def unknown(host: str) -> str:
        raise OSError("no such host")

    async with FakePalworldServer(password=PASSWORD) as server:
        for resolve, text in ((refuse_address, "does not accept private"), (unknown, "resolve")):
            target = _target(server.address[1], resolve=resolve)
            session = PalworldAdminAdapter().open(target, FAST)
            try:
                with pytest.raises(RconUnavailable, match=text):
                    await session.execute("save", timeout=1.0)
                assert session.state is SessionState.RECONNECTING
            finally:
                await session.close()
    assert server.requests == []


async def test_rename_and_close() -> None:
    async with FakePalworldServer(password="other") as server:
        session = _open(server, poll_interval=0.02)
        await assert_renamed_refusal(session, "info")
        assert session.state is SessionState.IDLE
        session.start()
        with pytest.raises(RconUnavailable, match="closed"):
            await session.execute("info", timeout=0.5)
    assert len(server.requests) == 1


# -- joins and leaves --------------------------------------------------------------------------


async def test_joins_and_leaves_come_from_list_changes() -> None:
    events: list[ConsoleEvent] = []
    awaited = AwaitedListener[ConsoleEvent]()

    async with FakePalworldServer(password=PASSWORD) as server:
        session = _open(server, poll_interval=0.02)
        session.add_listener(CONSOLE_EVENT, broken_listener)
        session.add_listener(CONSOLE_EVENT, events.append)
        session.add_listener(CONSOLE_EVENT, awaited)
        session.add_listener("other", lambda *args: pytest.fail("not a console event"))
        try:
            session.start()
            await eventually(lambda: server.requests.count(("GET", "players")) >= 3)
            assert events == []  # the first list is the baseline: nobody "joins"
            server.players = [server.players[0], _player("Carol", CAROL, "198.51.100.4")]
            await eventually(lambda: len(events) >= 2)
            server.players = [server.players[1], {"name": "Eve", "ip": ""}]  # Eve: no userId yet
            await eventually(lambda: len(events) >= 3)
            await asyncio.sleep(0.1)
            await eventually(lambda: len(awaited.events) == len(events))
        finally:
            await session.close()
    assert events == [
        ConsoleEvent("leave", "Bob"),
        ConsoleEvent("join", "Carol", (("steam", "76561198000000001"),)),
        ConsoleEvent("leave", "Alice", (("steam", "76561197999054170"),)),
    ]
    assert awaited.events == events


async def test_players_are_polled_only_while_someone_listens() -> None:
    events: list[ConsoleEvent] = []
    async with FakePalworldServer(password=PASSWORD) as server:
        session = _open(server, poll_interval=0.02)
        try:
            await session.execute("save", timeout=2.0)
            await asyncio.sleep(0.15)
            assert ("GET", "players") not in server.requests
            session.add_listener(CONSOLE_EVENT, events.append)
            await eventually(lambda: server.requests.count(("GET", "players")) >= 2)
            session.remove_listener(CONSOLE_EVENT, events.append)
            await asyncio.sleep(0.05)
            count = server.requests.count(("GET", "players"))
            await asyncio.sleep(0.15)
            assert server.requests.count(("GET", "players")) == count
            # A new listener starts from a new baseline: no joins for those already on.
            session.add_listener(CONSOLE_EVENT, events.append)
            await eventually(lambda: server.requests.count(("GET", "players")) >= count + 2)
            assert events == []
        finally:
            await session.close()
        polled = len(server.requests)
        await asyncio.sleep(0.1)
        assert len(server.requests) == polled  # close stopped the poller


async def test_a_bad_player_list_is_skipped() -> None:
    events: list[ConsoleEvent] = []
    async with FakePalworldServer(password=PASSWORD) as server:
        session = _open(server, poll_interval=0.02)
        session.add_listener(CONSOLE_EVENT, events.append)
        try:
            session.start()
            await eventually(lambda: server.requests.count(("GET", "players")) >= 2)
            server.modes["players"] = "missing"  # answers, but not a list: no events, no loss
            server.players = []
            await asyncio.sleep(0.1)
            assert events == [] and session.state is SessionState.CONNECTED
            server.modes.clear()
            await eventually(lambda: len(events) == 2)
        finally:
            await session.close()
    assert [e.kind for e in events] == ["leave", "leave"]


# -- test_login --------------------------------------------------------------------------------


async def test_login_statuses() -> None:
    adapter = PalworldAdminAdapter()
    async with FakePalworldServer(password=PASSWORD) as server:
        host, port = server.address
        ok = await adapter.test_login(host, port, PASSWORD, timeout=2.0)
        refused = await adapter.test_login(host, port, "wrong", timeout=2.0)
        server.modes["info"] = "hang"
        silent = await adapter.test_login(host, port, PASSWORD, timeout=0.3)
        server.modes["info"] = "html"
        other = await adapter.test_login(host, port, PASSWORD, timeout=2.0)
        closed = await adapter.test_login("127.0.0.2", port, PASSWORD, timeout=2.0)
    assert ok.ok and ok.detail == "Outpost Pals v0.3.11.0"
    assert refused.status is LoginStatus.REFUSED
    assert silent.status is LoginStatus.NO_ANSWER
    assert (other.status, other.detail) == (LoginStatus.UNREACHABLE, "not Palworld's REST API")
    assert (closed.status, closed.detail) == (LoginStatus.UNREACHABLE, "connection refused")
    # One request per test, never retried.
    assert server.requests == [("GET", "info")] * 4


async def test_a_server_echoing_the_password_does_not_leak_it() -> None:
    async with FakePalworldServer(password=PASSWORD, modes={"announce": "echo-auth"}) as server:
        session = _open(server)
        try:
            with pytest.raises(RconRefused) as caught:
                await session.execute("announce hi", timeout=2.0)
        finally:
            await session.close()
    _clean(str(caught.value))
    assert "***" in str(caught.value)
