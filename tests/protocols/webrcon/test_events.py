"""Push parsing on the notes' examples, Rust's own texts, and names chosen to mislead."""

from __future__ import annotations

import json

import pytest

from bot.protocols.webrcon import (
    ChatMessage,
    ConsoleMessage,
    MessageType,
    PlayerBanned,
    PlayerJoined,
    PlayerKicked,
    PlayerLeft,
    ServerMessage,
    ServerRestarting,
    ServerSaved,
    parse_chat,
    parse_console_line,
    parse_push,
)


def chat_push(entry: dict[str, object]) -> ServerMessage:
    return ServerMessage(-1, json.dumps(entry, indent=2), MessageType.CHAT)


def test_join_line_from_the_notes() -> None:
    line = "169.169.169.80:65384/76561198021481871/brunkel joined [windows/76561198021481871]"
    assert parse_console_line(line) == PlayerJoined(
        steam_id="76561198021481871",
        name="brunkel",
        ip="169.169.169.80",
        port=65384,
        platform="windows",
    )


def test_join_with_a_four_digit_port_and_a_name_that_looks_like_a_join() -> None:
    # The notes: takaro's regex wrongly wants five port digits.
    name = "x joined [linux/76561198000000000] y/z"
    line = f"10.0.0.1:2304/76561198000000001/{name} joined [linux/76561198000000001]"
    event = parse_console_line(line)
    assert isinstance(event, PlayerJoined)
    assert (event.port, event.name, event.platform) == (2304, name, "linux")


def test_leave_line_from_the_notes() -> None:
    line = "178.118.188.46:52210/76561198035925898/Emiel disconnecting: disconnect"
    assert parse_console_line(line) == PlayerLeft(
        steam_id="76561198035925898",
        name="Emiel",
        ip="178.118.188.46",
        port=52210,
        reason="disconnect",
    )


def test_leave_with_a_timeout_reason() -> None:
    event = parse_console_line("1.2.3.4:5/76561198000000009/A B disconnecting: Timed Out")
    assert isinstance(event, PlayerLeft) and event.reason == "Timed Out" and event.name == "A B"


def test_chat_from_the_notes() -> None:
    entry = {
        "Channel": 0,
        "Message": "hello",
        "UserId": "76561190000000000",
        "Username": "Bob",
        "Color": "#5af",
        "Time": 1700000000,
    }
    event = parse_push(chat_push(entry))
    assert event == ChatMessage(0, "Bob", "76561190000000000", "hello", "#5af", 1700000000)
    assert isinstance(event, ChatMessage) and event.channel_name == "global"


def test_team_chat_and_numeric_user_id_of_old_builds() -> None:
    entry = {"Channel": 1, "Message": "rush B", "UserId": 76561198402727161, "Username": "K"}
    event = parse_push(chat_push(entry))
    assert isinstance(event, ChatMessage)
    assert (event.channel_name, event.user_id, event.time) == ("team", "76561198402727161", 0)


def test_chat_without_channel_and_unknown_channel() -> None:
    old = parse_chat(json.dumps({"Message": "m", "UserId": "1", "Username": "u"}))
    assert old is not None and old.channel == 0
    new = parse_chat(json.dumps({"Channel": 6, "Message": "m"}))
    assert new is not None and new.channel_name == "channel 6"


def test_kick_announcement_written_by_the_kick_command() -> None:
    # ConVar.Admin.kick: Chat.Broadcast("Kicking " + name + " (" + reason + ")", "SERVER", ...)
    entry = {
        "Channel": 2,
        "Message": "Kicking Bob (EU) (afk (3h))",
        "UserId": "0",
        "Username": "SERVER",
    }
    assert parse_push(chat_push(entry)) == PlayerKicked("Bob", "EU) (afk (3h)")
    entry["Message"] = "Kicking Alice (cheating (aimbot))"
    assert parse_push(chat_push(entry)) == PlayerKicked("Alice", "cheating (aimbot)")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kickbanning Mallory (griefing)", PlayerBanned("Mallory", "griefing", "")),
        ("Kickbanning Mallory for 1 day (griefing)", PlayerBanned("Mallory", "griefing", "1 day")),
        (
            "Kickbanning Eve for 2 hours 30 minutes (spam (chat))",
            PlayerBanned("Eve", "spam (chat)", "2 hours 30 minutes"),
        ),
    ],
)
def test_ban_announcement(text: str, expected: PlayerBanned) -> None:
    entry = {"Channel": 2, "Message": text, "UserId": "0", "Username": "SERVER"}
    assert parse_push(chat_push(entry)) == expected


def test_a_player_named_server_cannot_fake_a_kick() -> None:
    entry = {
        "Channel": 0,
        "Message": "Kicking Bob (x)",
        "UserId": "76561198000000001",
        "Username": "SERVER",
    }
    assert isinstance(parse_push(chat_push(entry)), ChatMessage)


def test_server_say_is_chat() -> None:
    entry = {"Channel": 2, "Message": "restart at 6", "UserId": "0", "Username": "SERVER"}
    event = parse_push(chat_push(entry))
    assert isinstance(event, ChatMessage) and event.channel_name == "server"


@pytest.mark.parametrize(
    ("line", "entities"),
    [
        ("Saved 20,838 ents, cache(0.01), write(0.01), disk(0.00).", 20838),
        (
            "Saved 17,879 ents, serialization (0.00), write (0.00), disk (0.01) totalstall (0.01).",
            17879,
        ),
        ("  Saved 53,734 ents, cache(0.15), write(0.02), disk(0.01).", 53734),
    ],
)
def test_save_lines(line: str, entities: int) -> None:
    assert parse_console_line(line) == ServerSaved(entities)


def test_restart_line() -> None:
    assert parse_console_line("Restarting in 60 seconds") == ServerRestarting(60)


def test_console_copy_of_chat_stays_a_console_line() -> None:
    line = "[CHAT] Kotka[76561198402727161] : hello"
    assert parse_console_line(line) == ConsoleMessage(line)


@pytest.mark.parametrize("type_", [MessageType.WARNING, MessageType.ERROR, MessageType.REPORT])
def test_warnings_errors_and_reports_are_console_messages_even_if_they_look_like_joins(
    type_: MessageType,
) -> None:
    line = "1.2.3.4:5/76561198000000001/x joined [windows/76561198000000001]"
    assert parse_push(ServerMessage(0, line, type_)) == ConsoleMessage(line, type_)


def test_broken_chat_is_a_console_message_of_type_chat() -> None:
    event = parse_push(ServerMessage(-1, "not json", MessageType.CHAT))
    assert event == ConsoleMessage("not json", MessageType.CHAT)


def test_strings_are_clipped() -> None:
    name = "N" * 1000
    line = f"1.2.3.4:5/76561198000000001/{name} disconnecting: " + "r" * 5000
    event = parse_console_line(line)
    assert isinstance(event, ConsoleMessage) and len(event.text) == 4096  # too long to parse
    event = parse_console_line(f"1.2.3.4:5/76561198000000001/{name} disconnecting: bye")
    assert isinstance(event, PlayerLeft) and len(event.name) == 128
    chat = parse_chat(
        json.dumps({"Message": "m" * 5000, "Username": "u" * 500, "UserId": "9" * 99})
    )
    assert chat is not None
    assert (len(chat.text), len(chat.username), len(chat.user_id)) == (1024, 128, 64)


def test_a_multi_line_message_is_not_a_join() -> None:
    text = "1.2.3.4:5/76561198000000001/x joined [windows/76561198000000001]\nmore"
    assert isinstance(parse_console_line(text), ConsoleMessage)
