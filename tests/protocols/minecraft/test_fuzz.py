"""Property-based fuzzing: any input to any decoder gives a value or NotMinecraft, never another
exception, and work stays bounded by the input (no hang)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.protocols.minecraft import chat, codec, gs4, legacy, slp, status_json
from bot.protocols.minecraft.errors import NotMinecraft
from tests.fakes.minecraft_query_server import DEFAULT_KV, full_stat_body
from tests.fakes.minecraft_server import DEFAULT_STATUS, kick
from tests.protocols.minecraft.helpers import FAVICON

FUZZ = settings(max_examples=150)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(["text", "extra", "translate", "with", "fallback", "keybind", "x"]),
            children,
            max_size=5,
        )
    ),
    max_leaves=40,
)
VALID_STATUS = json.dumps({**DEFAULT_STATUS, "favicon": FAVICON})
VALID_FULL_STAT = b"\x00\x00\x00\x00\x00" + full_stat_body(
    DEFAULT_KV, ["Alex", "Steve"], b"\x00" * 11
)
VALID_LEGACY = [kick("§1\x00127\x001.6.4\x00A Minecraft Server\x000\x0020"), kick("MOTD§1§20")]


def _mutate(data: bytes, draw: st.DataObject) -> bytes:
    cut = draw.draw(st.integers(0, len(data)))
    mutated = bytearray(data[:cut])
    for _ in range(draw.draw(st.integers(0, 4))):
        if mutated:
            mutated[draw.draw(st.integers(0, len(mutated) - 1))] = draw.draw(st.integers(0, 255))
    return bytes(mutated)


def _ok(function: Any, *args: Any) -> None:
    try:
        function(*args)
    except NotMinecraft:
        pass


@FUZZ
@given(st.binary(max_size=64), st.integers(0, 8))
def test_primitive_decoders(data: bytes, offset: int) -> None:
    for decode in (codec.decode_varint, codec.decode_varlong, codec.decode_string):
        _ok(decode, data, offset)


@FUZZ
@given(st.integers(-(2**31), 2**31 - 1), st.integers(-(2**63), 2**63 - 1), st.text(max_size=50))
def test_primitives_round_trip(varint: int, varlong: int, text: str) -> None:
    assert codec.decode_varint(codec.encode_varint(varint)) == (
        varint,
        len(codec.encode_varint(varint)),
    )
    assert codec.decode_varlong(codec.encode_varlong(varlong))[0] == varlong
    decoded, _ = codec.decode_string(codec.encode_string(text))
    assert decoded == text.encode("utf-8", "replace").decode("utf-8")


@FUZZ
@given(st.binary(max_size=300), st.lists(st.integers(1, 50), max_size=10))
def test_status_connection_on_arbitrary_streams(data: bytes, cuts: list[int]) -> None:
    connection = slp.StatusConnection("localhost", 25565)
    connection.start()
    chunks, position = [], 0
    for size in cuts:
        chunks.append(data[position : position + size])
        position += size
    chunks.append(data[position:])
    try:
        for chunk in [*chunks, b""]:
            connection.receive_data(chunk)
            event = connection.next_event()
            if isinstance(event, slp.StatusReceived):
                connection.ping(1)
            elif isinstance(event, slp.PongReceived | slp.ConnectionClosed):
                return
    except NotMinecraft:
        pass


@FUZZ
@given(st.binary(max_size=200))
def test_packet_decoders(data: bytes) -> None:
    _ok(slp.decode_status_response, data)
    _ok(slp.decode_pong, data)
    reader = slp.FrameReader()
    reader.feed(data)
    _ok(reader.next_frame)


@FUZZ
@given(st.data())
def test_status_parser_on_mutated_json(data: st.DataObject) -> None:
    text = _mutate(VALID_STATUS.encode(), data).decode("utf-8", "replace")
    _ok(status_json.parse_status, text)


@FUZZ
@given(st.text(max_size=300))
def test_status_parser_on_arbitrary_text(text: str) -> None:
    _ok(status_json.parse_status, text)
    _ok(status_json.decode_favicon, "data:image/png;base64," + text)


@FUZZ
@given(JSON_VALUES)
def test_status_parser_on_arbitrary_json(value: Any) -> None:
    for document in (value, {"description": value, "players": value, "version": value}):
        _ok(status_json.parse_status, json.dumps(document))
    assert isinstance(chat.flatten(value, max_chars=100), str)
    assert len(chat.flatten(value, max_chars=100)) <= 100


@FUZZ
@given(st.data())
def test_legacy_decoders(data: st.DataObject) -> None:
    wire = _mutate(data.draw(st.sampled_from(VALID_LEGACY)), data)
    _ok(legacy.decode_legacy_answer, wire)
    _ok(legacy.legacy_answer_size, wire)
    _ok(legacy.decode_legacy_text, wire.decode("latin-1"))


@FUZZ
@given(st.data())
def test_query_decoders(data: st.DataObject) -> None:
    for valid in (VALID_FULL_STAT, b"\x09\x00\x00\x00\x00570350778\x00"):
        wire = _mutate(valid, data)
        _ok(gs4.decode_full_stat, wire, 0)
        _ok(gs4.decode_handshake, wire, 0)
    exchange = gs4.QueryExchange(0)
    for wire in data.draw(st.lists(st.binary(max_size=80), max_size=4)):
        try:
            if exchange.state is not gs4.QueryState.DONE:
                exchange.receive_datagram(b"\x09\x00\x00\x00\x00" + wire)
                exchange.receive_datagram(b"\x00\x00\x00\x00\x00" + wire)
        except NotMinecraft:
            pass
