"""Server message lines -> typed events, on Arma 3 / DayZ lines and hostile names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.protocols.battleye.events import (
    AdminChat,
    AdminLogin,
    BattlEyeNotice,
    MessageEvent,
    PlayerChat,
    PlayerConnect,
    PlayerDisconnect,
    PlayerGuid,
    PlayerKick,
    PlayerVerifyGuid,
    UnknownMessage,
    parse_message,
)

G = "394e2c09af98b00fd4094f86c7921622"

# Line formats as BattlEye prints them on Arma 3 and DayZ servers (berconpy tests/messages.py,
# BytexDigital.BattlEye.Rcon#15 logs, DayZ server consoles).
CORPUS: list[tuple[str, MessageEvent]] = [
    ("RCon admin #0 (127.0.0.1:57095) logged in", AdminLogin(0, "127.0.0.1", 57095)),
    ("Player #3 Spam (1.2.3.4:2304) connected", PlayerConnect(3, "Spam", "1.2.3.4", 2304)),
    (f"Player #3 Spam - BE GUID: {G}", PlayerGuid(3, "Spam", G)),
    (f"Verified GUID ({G}) of player #3 Spam", PlayerVerifyGuid(3, "Spam", G)),
    ("Player #3 Spam disconnected", PlayerDisconnect(3, "Spam")),
    (
        f"Player #0 Survivor ({G}) has been kicked by BattlEye: Client not responding",
        PlayerKick(0, "Survivor", G, "Client not responding"),
    ),
    (
        f"Player #1 H8m ({G}) has been kicked by BattlEye: Admin Kick (AFK too long)",
        PlayerKick(1, "H8m", G, "Admin Kick (AFK too long)"),
    ),
    (
        "Player #2 Early (-) has been kicked by BattlEye: Script Restriction #12",
        PlayerKick(2, "Early", None, "Script Restriction #12"),
    ),
    ("(Global) Spam: Hello world!", PlayerChat("Global", "Spam", "Hello world!")),
    ("(Side) 3ggs456: pickup at 042 117", PlayerChat("Side", "3ggs456", "pickup at 042 117")),
    ("(Vehicle) Driver: left!", PlayerChat("Vehicle", "Driver", "left!")),
    ("(Direct) Bob: friendly!", PlayerChat("Direct", "Bob", "friendly!")),
    ("(Group) Alpha 1-1: on me", PlayerChat("Group", "Alpha 1-1", "on me")),
    ("(Command) HQ: push", PlayerChat("Command", "HQ", "push")),
    ("RCon admin #1: (Global) Restart in 5 min", AdminChat(1, "Global", "Restart in 5 min")),
    ("RCon admin #0: (To Spam) please rejoin", AdminChat(0, "To Spam", "please rejoin", "Spam")),
    ("Connected to BE Master", BattlEyeNotice("Connected to BE Master")),
    (
        "Ban check timed out, no response from BE Master",
        BattlEyeNotice("Ban check timed out, no response from BE Master"),
    ),
    (
        "Failed to resolve BE Master DNS name(s)",
        BattlEyeNotice("Failed to resolve BE Master DNS name(s)"),
    ),
    ("Config entry: MaxPing 250", BattlEyeNotice("Config entry: MaxPing 250")),
    ("Something new BattlEye prints", UnknownMessage("Something new BattlEye prints")),
]


@pytest.mark.parametrize(("line", "expected"), CORPUS)
def test_corpus(line: str, expected: MessageEvent) -> None:
    assert parse_message(line) == expected


def test_non_ascii_and_bracketed_names() -> None:
    assert parse_message("Player #7 [TAG] Jürgen (ツ) (10.0.0.1:2316) connected") == (
        PlayerConnect(7, "[TAG] Jürgen (ツ)", "10.0.0.1", 2316)
    )
    chat = parse_message("(Global) Пётр: привет: мир")
    assert chat == PlayerChat("Global", "Пётр", "привет: мир")


def test_name_that_looks_like_a_connect_line() -> None:
    evil = "x (9.9.9.9:1) connected"
    assert parse_message(f"Player #4 {evil} (1.2.3.4:5) connected") == (
        PlayerConnect(4, evil, "1.2.3.4", 5)
    )
    # ... and the same player's disconnect line is a disconnect, not a connect.
    assert parse_message(f"Player #4 {evil} disconnected") == PlayerDisconnect(4, evil)


def test_name_that_looks_like_a_kick_line() -> None:
    evil = f"y ({G}) has been kicked by BattlEye: fake"
    line = f"Player #5 {evil} ({G}) has been kicked by BattlEye: Admin Kick"
    assert parse_message(line) == PlayerKick(5, evil, G, "Admin Kick")
    assert parse_message(f"Player #5 {evil} disconnected") == PlayerDisconnect(5, evil)


def test_name_that_looks_like_a_guid_line() -> None:
    evil = f"z - BE GUID: {G}"
    assert parse_message(f"Player #6 {evil} (1.1.1.1:1) connected") == (
        PlayerConnect(6, evil, "1.1.1.1", 1)
    )


def test_known_names_resolve_chat_with_colons() -> None:
    names = {1: "Bob: the builder", 2: "Bob"}
    assert parse_message("(Global) Bob: the builder: hi", names) == (
        PlayerChat("Global", "Bob: the builder", "hi")
    )
    assert parse_message("(Global) Bob: hi", names) == PlayerChat("Global", "Bob", "hi")


def test_known_name_resolves_player_lines_exactly() -> None:
    name = "a (b) has been kicked by BattlEye: c"
    line = f"Player #8 {name} (-) has been kicked by BattlEye: Admin Kick"
    assert parse_message(line, {8: name}) == PlayerKick(8, name, None, "Admin Kick")


def test_known_name_resolves_whisper_recipient() -> None:
    names = {1: "Mr) Smith"}
    assert parse_message("RCon admin #0: (To Mr) Smith) hello", names) == (
        AdminChat(0, "To Mr) Smith", "hello", "Mr) Smith")
    )


def test_chat_never_mistaken_for_a_player_event_or_notice() -> None:
    line = "(Global) Connected to BE Master: Player #1 X (1.2.3.4:5) connected"
    event = parse_message(line)
    assert isinstance(event, PlayerChat) and event.name == "Connected to BE Master"


@given(st.text(max_size=60))
def test_any_line_parses_to_some_event(line: str) -> None:
    event = parse_message(line)
    assert event is not None


@given(st.text(min_size=1, max_size=30).filter(lambda s: "\n" not in s), st.integers(0, 999))
def test_any_name_in_a_connect_line_roundtrips(name: str, pid: int) -> None:
    event = parse_message(f"Player #{pid} {name} (8.8.4.4:2302) connected")
    assert event == PlayerConnect(pid, name, "8.8.4.4", 2302)
