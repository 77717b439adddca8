"""Squad's pushed packets as console events: the protocol notes' sample lines (II, section 9),
the older SteamID forms, hostile text (fuzzed: an event or None, bounded, fast), and a Squad
session against the fake server pushing them unasked, also in the middle of an answer."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters import squad_events as squad
from bot.adapters.admin import CONSOLE_EVENT, AdminTarget, ConsoleEvent, SessionOptions
from bot.adapters.source_rcon import SourceRconAdapter
from bot.protocols.rcon import RCONMessage
from tests.adapters.listener_doubles import AwaitedListener, broken_listener
from tests.fakes.rcon_server import FakeRCONServer
from tests.protocols.battleye.helpers import eventually

EOS = "0002a1b2c3d4e5f60718293a4b5c6d7e"
STEAM = "76561198000000000"
IDS = (("eos", EOS), ("steam", STEAM))
ONLINE = f"EOS: {EOS} steam: {STEAM}"
KINDS = {"chat", "join", "leave", "kick", "ban", "admin_action", "line"}


def test_the_notes_chat_lines() -> None:
    assert squad.parse(f"[ChatAll] [Online IDs:{ONLINE}] Foo : hello") == ConsoleEvent(
        "chat", "Foo", IDS, "hello", "global"
    )
    channels = {"ChatTeam": "team", "ChatSquad": "squad", "ChatAdmin": "admin"}
    for raw, channel in channels.items():
        event = squad.parse(f"[{raw}] [Online IDs:{ONLINE}] Foo Bar : a : b")
        # The name ends at the first " : " (SquadJS's lazy match); the text keeps the rest.
        assert event == ConsoleEvent("chat", "Foo Bar", IDS, "a : b", channel)
    # Ids in any order, any platform; and the older SteamID form.
    event = squad.parse(f"[ChatAll] [Online IDs:steam: {STEAM} EOS: {EOS}] Foo : hi")
    assert event is not None and dict(event.ids) == dict(IDS)
    assert squad.parse(f"[ChatTeam] [SteamID:{STEAM}] Foo : gg") == ConsoleEvent(
        "chat", "Foo", (("steam", STEAM),), "gg", "team"
    )


def test_the_notes_admin_camera_warn_kick_ban_and_squad_lines() -> None:
    possessed = f"[Online Ids:{ONLINE}] Foo has possessed admin camera."
    unpossessed = f"[Online IDs:{ONLINE}] Foo has unpossessed admin camera."
    took, left = "took the admin camera", "left the admin camera"
    assert squad.parse(possessed) == ConsoleEvent("admin_action", "Foo", IDS, took)
    assert squad.parse(unpossessed) == ConsoleEvent("admin_action", "Foo", IDS, left)
    old = f"[SteamID:{STEAM}] Foo Bar has possessed admin camera."
    assert squad.parse(old) == ConsoleEvent("admin_action", "Foo Bar", (("steam", STEAM),), took)
    warn = 'Remote admin has warned player Foo. Message was "stop that"'
    assert squad.parse(warn) == ConsoleEvent("line", "Foo", (), warn)
    assert squad.parse(f"Kicked player 3. [Online IDs= {ONLINE}] Foo") == ConsoleEvent(
        "kick", "Foo", IDS
    )
    assert squad.parse(
        f"Banned player 3. [Online IDs= {ONLINE}] Foo Bar for interval 1d"
    ) == ConsoleEvent("ban", "Foo Bar", IDS, "for 1d")
    permanent = squad.parse(f"Banned player 3. [steamid={STEAM}] Foo for interval 0")
    assert permanent == ConsoleEvent("ban", "Foo", (("steam", STEAM),), "permanently")
    created = (
        f"Foo (Online IDs: {ONLINE}) has created Squad 3 (Squad Name: ALPHA) on United States Army"
    )
    assert squad.parse(created) == ConsoleEvent("line", "Foo", IDS, created)


def test_anything_else_is_a_line_and_empty_packets_nothing() -> None:
    assert squad.parse("Server restarting") == ConsoleEvent("line", text="Server restarting")
    assert squad.parse("[ChatAll] no ids : hi") == ConsoleEvent(
        "line", text="[ChatAll] no ids : hi"
    )
    assert squad.parse("  \r\n") is None
    assert squad.parse("") is None


def test_only_chat_packets_are_read() -> None:
    chat = f"[ChatAll] [Online IDs:{ONLINE}] Foo : hi".encode()
    assert squad.console_event(RCONMessage(0, squad.CHAT_VALUE, chat)) is not None
    # A late answer's tail (type 0) is no event.
    assert squad.console_event(RCONMessage(5, 0, chat)) is None
    broken = squad.console_event(RCONMessage(0, 1, b"[ChatAll] [SteamID:1] F\xffo : h\xc3"))
    assert broken == ConsoleEvent("chat", "F\ufffdo", (("steam", "1"),), "h\ufffd", "global")


def _bounded(event: ConsoleEvent | None) -> None:
    if event is None:
        return
    assert event.kind in KINDS
    assert len(event.player) <= squad.MAX_NAME and len(event.text) <= squad.MAX_TEXT
    assert len(event.ids) <= squad.MAX_IDS
    assert all(len(k) <= squad.MAX_ID_KIND and len(v) <= squad.MAX_ID for k, v in event.ids)
    assert event.channel in ("", *squad.CHANNELS.values())


def test_long_and_hostile_lines_are_clipped() -> None:
    many = " ".join(f"p{i}: {'9' * 100}" for i in range(20))  # 20 ids of 100 digits
    event = squad.parse(f"[ChatAll] [Online IDs:{many}] {'N' * 500} : {'t' * 1500}")
    _bounded(event)
    assert event is not None and len(event.ids) == squad.MAX_IDS
    assert len(event.player) == squad.MAX_NAME and len(event.text) == squad.MAX_TEXT
    assert squad.parse("x" * 100_000) == ConsoleEvent("line", text="x" * squad.MAX_TEXT)


def test_crafted_lines_parse_in_linear_time() -> None:
    # Each pattern's worst input: many partial matches in one full-size packet.
    n = squad.MAX_LINE
    crafted = [
        "[ChatAll] [Online IDs:" + "a: b " * (n // 5),
        "[ChatAll] [SteamID:1] " + " :" * (n // 2),
        "[Online IDs:x] " + " has" * (n // 4) + " possessed admin camera.",
        "Banned player 1. [steamid=1] " + " for interval a" * (n // 15),
        "Remote admin has warned player " + '. Message was "' * (n // 16) + '"',
        " (Online IDs:" * (n // 13) + ") has created Squad ",
        "Kicked player 1. [Online IDs=" + "EOS:" * (n // 4),
    ]
    for line in crafted:
        started = time.perf_counter()
        _bounded(squad.parse(line))
        assert time.perf_counter() - started < 0.2, line[:40]  # ~0.1 ms measured


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600))
def test_any_text_gives_a_bounded_event(text: str) -> None:
    _bounded(squad.parse(text))


_TEMPLATES = (
    "[ChatAll] [Online IDs:{ids}] {name} : {text}",
    "[ChatSquad] [SteamID:{ids}] {name} : {text}",
    "[Online Ids:{ids}] {name} has possessed admin camera.",
    'Remote admin has warned player {name}. Message was "{text}"',
    "Kicked player 3. [Online IDs= {ids}] {name}",
    "Banned player 3. [Online IDs= {ids}] {name} for interval {text}",
    "{name} (Online IDs: {ids}) has created Squad 3 (Squad Name: {text}) on {text}",
)
_PARTS = st.text(alphabet=st.sampled_from(list("ab :[]()\"'.=\n\x00é")), max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_TEMPLATES), _PARTS, _PARTS, _PARTS)
def test_squad_shaped_text_gives_a_bounded_event(
    template: str, ids: str, name: str, text: str
) -> None:
    _bounded(squad.parse(template.format(ids=ids, name=name, text=text)))


@settings(max_examples=100, deadline=None)
@given(
    st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zs"]), min_size=1),
    st.text(max_size=200),
)
def test_chat_gives_back_the_name_and_text(name: str, text: str) -> None:
    event = squad.parse(f"[ChatAll] [SteamID:{STEAM}] {name} : {text}")
    assert event is not None and event.kind == "chat"
    assert event.player == name[: squad.MAX_NAME]
    assert event.text == text.rstrip()[: squad.MAX_TEXT]


OPTIONS = SessionOptions(connect_timeout=2.0, backoff_initial=0.05, backoff_max=0.2)


def _target(fake: FakeRCONServer, profile: str) -> AdminTarget:
    host, port = fake.address
    return AdminTarget(1, "Squad", host, port, "pw", profile=profile)


async def test_a_squad_session_emits_pushed_packets_as_console_events() -> None:
    seen: list[ConsoleEvent] = []
    messages: list[RCONMessage] = []
    chat = f"[ChatTeam] [Online IDs:{ONLINE}] Foo : rush B"
    async with FakeRCONServer("pw", profile="squad", interleave_chat=chat) as fake:
        session = SourceRconAdapter().open(_target(fake, "squad"), OPTIONS)
        session.add_listener(CONSOLE_EVENT, seen.append)
        session.add_listener("message", messages.append)
        try:
            # A chat packet arrives in the middle of the answer: the answer stays whole.
            assert await session.execute("echo hello", timeout=2.0) == "hello"
            fake.send_chat(f"Kicked player 3. [Online IDs= {ONLINE}] Foo")
            await eventually(lambda: len(seen) >= 2)
        finally:
            await session.close()
    assert seen == [
        ConsoleEvent("chat", "Foo", IDS, "rush B", "team"),
        ConsoleEvent("kick", "Foo", IDS),
    ]
    assert [m.type for m in messages] == [1, 1]  # the raw packets still reach "message"


async def test_other_profiles_emit_no_console_events() -> None:
    seen: list[ConsoleEvent] = []
    messages: list[RCONMessage] = []
    async with FakeRCONServer("pw", profile="squad") as fake:
        session = SourceRconAdapter().open(_target(fake, "srcds"), OPTIONS)
        session.add_listener(CONSOLE_EVENT, seen.append)
        session.add_listener("message", messages.append)
        try:
            await session.execute("echo hi", timeout=2.0)
            fake.send_chat("[ChatAll] [SteamID:1] Foo : hi")
            await eventually(lambda: len(messages) == 1)
        finally:
            await session.close()
    assert seen == []


async def test_failing_and_coroutine_listeners_do_not_break_the_session() -> None:
    awaited = AwaitedListener[ConsoleEvent]()

    async with FakeRCONServer("pw", profile="squad") as fake:
        session = SourceRconAdapter().open(_target(fake, "squad"), OPTIONS)
        session.add_listener(CONSOLE_EVENT, broken_listener)
        session.add_listener(CONSOLE_EVENT, awaited)
        try:
            await session.execute("echo hi", timeout=2.0)
            fake.send_chat("[ChatAll] [SteamID:1] Foo : one")
            fake.send_chat("[ChatAll] [SteamID:1] Foo : two")
            await eventually(lambda: len(awaited.events) == 2)
            assert await session.execute("echo still", timeout=2.0) == "still"
        finally:
            await session.close()
    assert [e.text for e in awaited.events] == ["one", "two"]


async def test_coroutine_message_listeners_run_like_console_event_ones() -> None:
    # "message" listeners go through the same registry: a coroutine one is run, not ignored.
    awaited = AwaitedListener[RCONMessage]()

    async with FakeRCONServer("pw", profile="squad") as fake:
        session = SourceRconAdapter().open(_target(fake, "srcds"), OPTIONS)
        session.add_listener("message", awaited)
        try:
            await session.execute("echo hi", timeout=2.0)
            fake.send_chat("[ChatAll] [SteamID:1] Foo : hi")
            await eventually(lambda: len(awaited.events) == 1)
        finally:
            await session.close()
    assert awaited.events[0].body == b"[ChatAll] [SteamID:1] Foo : hi"
