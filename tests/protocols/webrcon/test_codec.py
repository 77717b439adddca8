"""Request encoding and server-message decoding, on the notes' examples and real captures."""

from __future__ import annotations

import json

import pytest

from bot.protocols.webrcon import (
    MAX_COMMAND_CHARS,
    MessageType,
    NotWebRcon,
    ServerMessage,
    WebRconRequestError,
    decode_message,
    encode_request,
    validate_command,
)


def test_request_matches_the_notes_layout() -> None:
    # protocol-notes-2 section 7, the request example.
    frame = encode_request(1001, "playerlist")
    assert frame == '{"Identifier":1001,"Message":"playerlist","Name":"WebRcon"}'
    assert json.loads(frame) == {"Identifier": 1001, "Message": "playerlist", "Name": "WebRcon"}


def test_request_is_ascii_json_whatever_the_command() -> None:
    frame = encode_request(1002, 'say "héllo \\ wörld"', name="Outpost")
    assert frame.isascii()
    assert json.loads(frame)["Message"] == 'say "héllo \\ wörld"'
    assert json.loads(frame)["Name"] == "Outpost"


@pytest.mark.parametrize("identifier", [2**31, -(2**31) - 1, True])
def test_request_identifier_must_be_int32(identifier: int) -> None:
    with pytest.raises(WebRconRequestError):
        encode_request(identifier, "status")


@pytest.mark.parametrize(
    "command",
    [
        "",
        "   ",
        "say a\nquit",
        "say a\rquit",
        "x\x00",
        "x\x1b",
        "\ud800",
        "x" * (MAX_COMMAND_CHARS + 1),
    ],
)
def test_commands_that_cannot_be_one_console_line_are_refused(command: str) -> None:
    with pytest.raises(WebRconRequestError):
        validate_command(command)


def test_a_tab_and_long_but_bounded_commands_pass() -> None:
    assert validate_command("say\ta") == "say\ta"
    assert validate_command("x" * MAX_COMMAND_CHARS)


def test_reply_from_the_notes() -> None:
    text = '{"Message": "[]", "Identifier": 1, "Type": "Generic", "Stacktrace": ""}'
    assert decode_message(text) == ServerMessage(1, "[]", MessageType.GENERIC, "")
    assert decode_message(text.encode()) == decode_message(text)


def test_real_chat_capture_with_null_stacktrace_and_indented_json() -> None:
    # Dids/rustbot webrcon.go comment (2018): chat push, Identifier -1, Stacktrace null.
    text = (
        '{\n  "Message": "{\\n  \\"Message\\": \\"hi\\",\\n  \\"UserId\\": 76561198402727161,'
        '\\n  \\"Username\\": \\"[ Kela ] Kotka\\",\\n  \\"Color\\": \\"#5af\\",\\n'
        '  \\"Time\\": 1545206425\\n}",\n  "Identifier": -1,\n  "Type": "Chat",\n'
        '  "Stacktrace": null\n}'
    )
    message = decode_message(text)
    assert message.identifier == -1
    assert message.type is MessageType.CHAT
    assert message.stacktrace == ""
    assert json.loads(message.message)["Username"] == "[ Kela ] Kotka"


@pytest.mark.parametrize(
    ("type_", "expected"),
    [
        ("Generic", MessageType.GENERIC),
        ("warning", MessageType.WARNING),
        ("Error", MessageType.ERROR),
        ("Report", MessageType.REPORT),
        ("Log", MessageType.LOG),
        ("Bogus", MessageType.UNKNOWN),
        (3, MessageType.CHAT),
        (99, MessageType.UNKNOWN),
        (None, MessageType.UNKNOWN),
    ],
)
def test_types_by_name_or_number(type_: object, expected: MessageType) -> None:
    text = json.dumps({"Message": "x", "Identifier": 0, "Type": type_})
    assert decode_message(text).type is expected


def test_missing_message_is_empty_and_stacktrace_is_clipped() -> None:
    message = decode_message(json.dumps({"Identifier": 5, "Stacktrace": "s" * 10_000}))
    assert message.message == ""
    assert len(message.stacktrace) == 4096


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe",
        "not json",
        "[]",
        '"text"',
        '{"Message": "x"}',
        '{"Message": "x", "Identifier": "1"}',
        '{"Message": "x", "Identifier": 1.5}',
        '{"Message": "x", "Identifier": true}',
        '{"Message": "x", "Identifier": 2147483648}',
        '{"Message": 5, "Identifier": 1}',
        '{"Message": NaN, "Identifier": 1}',
        '{"Identifier": 1, "Message": "' + "1" * 10 + '", "x": ' + "9" * 5000 + "}",
        "[" * 100_000,
    ],
)
def test_anything_else_is_not_webrcon(data: str | bytes) -> None:
    with pytest.raises(NotWebRcon):
        decode_message(data)


def test_message_size_is_bounded_for_text_and_bytes() -> None:
    big = json.dumps({"Message": "x" * 2000, "Identifier": 1})
    with pytest.raises(NotWebRcon, match="over 1000 bytes"):
        decode_message(big, max_bytes=1000)
    with pytest.raises(NotWebRcon, match="over 1000 bytes"):
        decode_message(big.encode(), max_bytes=1000)
