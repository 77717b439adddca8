"""BattlEye RCon sessions as neutral console events: each client event's ConsoleEvent (pure),
then a session against the fake server (order, the bot's own login left out, a GUID from the
player cache, listeners that fail or are coroutines) and its typed player list."""

from __future__ import annotations

import asyncio

from bot.adapters import battleye as adapter
from bot.adapters.admin import (
    CONSOLE_EVENT,
    AdminTarget,
    ConsoleEvent,
    ConsolePlayer,
    SessionOptions,
)
from bot.adapters.battleye import ADMIN_ID, GUID_ID, BattlEyeAdapter
from bot.protocols.battleye.events import MAX_NAME
from bot.protocols.battleye.models import Player
from tests.adapters.listener_doubles import AwaitedListener, broken_listener
from tests.adapters.sessions import listed_players
from tests.fakes.battleye_server import FakeBattlEyeServer
from tests.protocols.battleye.helpers import FAST, eventually

OPTIONS = SessionOptions(connect_timeout=2.0, backoff_initial=0.05, backoff_max=0.2)
GUID = "0123456789abcdef0123456789abcdef"
BOB = Player(3, "Bob", "1.2.3.4", 2304, guid=GUID.upper())


def test_player_events() -> None:
    ids = ((GUID_ID, GUID),)  # lower case, whatever BattlEye wrote
    assert adapter.join_event(Player(3, "Bob")) == ConsoleEvent("join", "Bob")
    assert adapter.guid_event(BOB) == ConsoleEvent(
        "line", "Bob", ids, f"Player #3 Bob - BE GUID: {GUID.upper()}"
    )
    assert adapter.leave_event(BOB) == ConsoleEvent("leave", "Bob", ids)
    assert adapter.kick_event(BOB, "Client not responding") == ConsoleEvent(
        "kick", "Bob", ids, "Client not responding"
    )
    assert adapter.kick_event(BOB, "Admin Ban (cheating)").kind == "ban"
    assert adapter.kick_event(BOB, "Global Ban #1a2b").kind == "ban"


def test_chat_and_admin_events() -> None:
    assert adapter.chat_event(BOB, "Global", "hi") == ConsoleEvent(
        "chat", "Bob", ((GUID_ID, GUID),), "hi", "global"
    )
    # A custom radio channel is kept as written.
    assert adapter.chat_event(Player(-1, "Ann"), "Radio 7", "x").channel == "Radio 7"
    admin = ((ADMIN_ID, "2"),)
    assert adapter.admin_login_event(2) == ConsoleEvent("admin_login", "admin #2", admin)
    assert adapter.admin_message_event(2, "To Bob", "psst") == ConsoleEvent(
        "chat", "admin #2", admin, "psst", "To Bob"
    )
    assert adapter.notice_event("Connected to BE Master") == ConsoleEvent(
        "line", text="Connected to BE Master"
    )


def test_everything_is_clipped() -> None:
    huge = Player(1, "N" * 5000, guid="A" * 500)
    chat = adapter.chat_event(huge, "C" * 5000, "t" * 100_000)
    assert len(chat.player) == MAX_NAME and chat.ids == ((GUID_ID, "a" * 32),)
    assert len(chat.text) == adapter.MAX_TEXT and len(chat.channel) == adapter.MAX_CHANNEL
    assert len(adapter.kick_event(huge, "r" * 100_000).text) == adapter.MAX_TEXT
    assert len(adapter.admin_message_event(1, "Global", "m" * 100_000).text) == adapter.MAX_TEXT
    assert len(adapter.notice_event("n" * 100_000).text) == adapter.MAX_TEXT


def _target(fake: FakeBattlEyeServer) -> AdminTarget:
    host, port = fake.address
    return AdminTarget(1, "Day", host, port, "pw")


async def test_a_session_emits_console_events_in_order() -> None:
    seen: list[ConsoleEvent] = []
    async with FakeBattlEyeServer("pw") as fake:
        session = BattlEyeAdapter(FAST).open(_target(fake), OPTIONS)
        session.add_listener(CONSOLE_EVENT, seen.append)
        try:
            await session.execute("players", timeout=2.0)  # logged in (own login announced)
            await fake.push_messages(
                [
                    *fake.player_joins(BOB),
                    "(Side) Bob: flank left",
                    "RCon admin #7 (9.9.9.9:1) logged in",
                    "RCon admin #7: (Global) restart soon",
                    "Connected to BE Master",
                    "Player #3 Bob disconnected",
                ]
            )
            await fake.wait_acked()
            await eventually(lambda: len(seen) >= 7)
        finally:
            await session.close()
    ids = ((GUID_ID, GUID),)
    assert seen == [
        ConsoleEvent("join", "Bob"),
        ConsoleEvent("line", "Bob", ids, f"Player #3 Bob - BE GUID: {GUID.upper()}"),
        # The GUID comes from the client's player cache: the chat line has only the name.
        ConsoleEvent("chat", "Bob", ids, "flank left", "side"),
        ConsoleEvent("admin_login", "admin #7", ((ADMIN_ID, "7"),)),
        ConsoleEvent("chat", "admin #7", ((ADMIN_ID, "7"),), "restart soon", "global"),
        ConsoleEvent("line", text="Connected to BE Master"),
        ConsoleEvent("leave", "Bob", ids),
    ]


async def test_listeners_added_later_failing_or_coroutines_get_events() -> None:
    plain: list[ConsoleEvent] = []
    awaited = AwaitedListener[ConsoleEvent]()

    async with FakeBattlEyeServer("pw") as fake:
        session = BattlEyeAdapter(FAST).open(_target(fake), OPTIONS)
        try:
            await session.execute("players", timeout=2.0)
            # Connected before anyone listened: the translation starts with the first listener.
            session.add_listener(CONSOLE_EVENT, broken_listener)
            session.add_listener(CONSOLE_EVENT, plain.append)
            session.add_listener(CONSOLE_EVENT, awaited)
            await fake.push_message("Player #1 Ann (1.2.3.5:2304) connected")
            await eventually(lambda: len(plain) == 1 and len(awaited.events) == 1)
            session.remove_listener(CONSOLE_EVENT, plain.append)
            await fake.push_message("Player #1 Ann disconnected")
            await eventually(lambda: len(awaited.events) == 2)
        finally:
            await session.close()
    assert plain == [ConsoleEvent("join", "Ann")]
    assert awaited.events == [ConsoleEvent("join", "Ann"), ConsoleEvent("leave", "Ann")]


async def test_after_a_reconnect_the_own_login_is_left_out_again() -> None:
    seen: list[ConsoleEvent] = []
    async with FakeBattlEyeServer("pw") as fake:
        session = BattlEyeAdapter(FAST).open(_target(fake), OPTIONS)
        session.add_listener(CONSOLE_EVENT, seen.append)
        logins = asyncio.Event()
        session.add_listener("login", logins.set)
        try:
            await session.execute("players", timeout=2.0)
            logins.clear()
            await fake.restart()  # the client logs in again: its own login is announced again
            async with asyncio.timeout(5):
                await logins.wait()
            await session.execute("players", timeout=2.0)
            await fake.push_message("RCon admin #4 (9.9.9.9:1) logged in")
            await eventually(lambda: len(seen) >= 1)
        finally:
            await session.close()
    assert seen == [ConsoleEvent("admin_login", "admin #4", ((ADMIN_ID, "4"),))]


async def test_players_are_listed_typed() -> None:
    ann = Player(0, "Ann", "1.2.3.5", 2304, guid=GUID)
    async with FakeBattlEyeServer("pw", players=[ann, Player(4, "Cid", "1.2.3.6", 2304)]) as fake:
        listed = await listed_players(BattlEyeAdapter(FAST).open(_target(fake), OPTIONS))
    assert [(p.name, p.handle, p.ids, p.address) for p in listed] == [
        ("Ann", "0", ((GUID_ID, GUID),), "1.2.3.5"),
        ("Cid", "4", (), "1.2.3.6"),
    ]
    assert all(isinstance(p, ConsolePlayer) and p.ping_ms is not None for p in listed)
