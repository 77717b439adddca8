"""Whatever a server sends, decoders give a result or NotWebRcon, never another error."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.protocols.webrcon import (
    MessageType,
    NotWebRcon,
    ServerMessage,
    WebRconProtocol,
    decode_message,
    parse_playerlist,
    parse_push,
    parse_serverinfo,
)
from bot.protocols.webrcon.events import MAX_CONSOLE

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
KEYS = [
    "Message",
    "Identifier",
    "Type",
    "Stacktrace",
    "SteamID",
    "DisplayName",
    "Ping",
    "Channel",
    "UserId",
]
envelopes = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6)


@settings(max_examples=150)
@given(st.binary(max_size=300))
def test_decode_any_bytes(data: bytes) -> None:
    try:
        message = decode_message(data)
    except NotWebRcon:
        return
    assert isinstance(message, ServerMessage)


@settings(max_examples=150)
@given(envelopes)
def test_decode_any_json_object(obj: dict[str, object]) -> None:
    try:
        message = decode_message(json.dumps(obj))
    except NotWebRcon:
        return
    assert -(2**31) <= message.identifier < 2**31
    assert isinstance(message.message, str)


@settings(max_examples=150)
@given(st.text(max_size=200), st.sampled_from(list(MessageType)), st.integers(-2, 2000))
def test_parse_push_never_raises(text: str, type_: MessageType, identifier: int) -> None:
    event = parse_push(ServerMessage(identifier, text, type_))
    for value in getattr(event, "__slots__", ()):
        field = getattr(event, value)
        if isinstance(field, str):
            assert len(field) <= MAX_CONSOLE


@settings(max_examples=100)
@given(json_values, st.sampled_from(list(MessageType)))
def test_parse_push_on_json_payloads(payload: object, type_: MessageType) -> None:
    parse_push(ServerMessage(-1, json.dumps(payload), type_))


@settings(max_examples=100)
@given(st.lists(envelopes, max_size=4) | json_values)
def test_answers_parse_or_raise_not_webrcon(value: object) -> None:
    text = json.dumps(value)
    for parse in (parse_playerlist, parse_serverinfo):
        try:
            parse(text)
        except NotWebRcon:
            pass


@settings(max_examples=100)
@given(
    st.lists(st.tuples(st.integers(-3, 1010), st.sampled_from(["Generic", "Chat"])), max_size=30)
)
def test_request_table_stays_consistent(replies: list[tuple[int, str]]) -> None:
    proto = WebRconProtocol(max_in_flight=8)
    sent = [proto.send_command("x")[0] for _ in range(8)]
    for identifier, type_ in replies:
        proto.receive_message(json.dumps({"Identifier": identifier, "Message": "", "Type": type_}))
        assert proto.in_flight == sum(proto.is_pending(i) for i in sent)
    stats = proto.stats
    assert stats.replies + stats.pushes + stats.late_replies + stats.unmatched == len(replies)
    assert stats.replies + proto.in_flight == 8
