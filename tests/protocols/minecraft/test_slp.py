"""Server List Ping packets and the sans-IO exchange: byte vectors, framing, states, bounds."""

from __future__ import annotations

import json

import pytest

from bot.protocols.minecraft.codec import encode_string, encode_varint
from bot.protocols.minecraft.errors import (
    AnswerTooLarge,
    InvalidStateError,
    MinecraftEncodeError,
    NotMinecraft,
)
from bot.protocols.minecraft.slp import (
    MAX_FRAME_BYTES,
    MAX_STATUS_JSON_BYTES,
    MAX_STATUS_TAIL_BYTES,
    NEED_DATA,
    ConnectionClosed,
    FrameReader,
    PongReceived,
    State,
    StatusConnection,
    StatusReceived,
    decode_pong,
    decode_status_response,
    encode_handshake,
    encode_ping,
    encode_status_request,
    frame,
)

# protocol-notes-2.md 1.1: localhost:25565, protocol 47.
NOTES_HANDSHAKE = bytes.fromhex("0F 00 2F 09 6C 6F 63 61 6C 68 6F 73 74 63 DD 01")
# py-mine/mcstatus tests/protocol/test_java_client.py (a 1.8-pre1 server's answer, its pong).
MCSTATUS_STATUS = bytes.fromhex(
    "7200707B226465736372697074696F6E223A2241204D696E65637261667420536572766572222C22706C6179657273"
    "223A7B226D6178223A32302C226F6E6C696E65223A307D2C2276657273696F6E223A7B226E616D65223A22312E382D"
    "70726531222C2270726F746F636F6C223A34347D7D"
)
MCSTATUS_PONG = bytes.fromhex("09010000000000DD7D1C")


def test_handshake_vector_from_the_notes() -> None:
    assert encode_handshake("localhost", 25565, 47) == NOTES_HANDSHAKE
    assert encode_handshake("localhost", 25565, 44) == bytes.fromhex(
        "0F002C096C6F63616C686F737463DD01"
    )


def test_default_handshake_sends_protocol_minus_one_and_a_big_endian_port() -> None:
    wire = encode_handshake("a", 258)
    assert wire == bytes.fromhex("0B 00 FFFFFFFF0F 01 61 0102 01")


def test_status_request_and_ping_vectors() -> None:
    assert encode_status_request() == b"\x01\x00"
    assert encode_ping(14515484) == MCSTATUS_PONG
    assert encode_ping(-1) == bytes.fromhex("0901FFFFFFFFFFFFFFFF")


def test_request_values_out_of_range_are_refused() -> None:
    with pytest.raises(MinecraftEncodeError):
        encode_handshake("a", 65536)
    with pytest.raises(MinecraftEncodeError):
        encode_handshake("a" * 256, 25565)
    with pytest.raises(MinecraftEncodeError):
        encode_ping(1 << 63)


def test_status_and_pong_vectors_from_mcstatus() -> None:
    reader = FrameReader()
    reader.feed(MCSTATUS_STATUS + MCSTATUS_PONG)
    status = reader.next_frame()
    assert status is not None
    assert json.loads(decode_status_response(status)) == {
        "description": "A Minecraft Server",
        "players": {"max": 20, "online": 0},
        "version": {"name": "1.8-pre1", "protocol": 44},
    }
    pong = reader.next_frame()
    assert pong is not None and decode_pong(pong) == 14515484
    assert reader.next_frame() is None and reader.buffered == 0


def test_bytes_after_the_json_string_are_ignored() -> None:
    # "Better Compatibility Checker" appends a second JSON object inside the same packet.
    body = b"\x00" + encode_string('{"players":{"max":1,"online":0}}') + b'{"bcc":1}'
    assert decode_status_response(body) == '{"players":{"max":1,"online":0}}'
    with pytest.raises(AnswerTooLarge):
        decode_status_response(b"\x00" + encode_string("{}") + b"x" * (MAX_STATUS_TAIL_BYTES + 1))


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"\x01" + encode_string("{}"), "packet id 1"),
        (b"\x00" + encode_varint(10) + b"{}", "shorter"),
        (b"\x00", "shorter"),
    ],
)
def test_malformed_status_responses(body: bytes, match: str) -> None:
    with pytest.raises(NotMinecraft, match=match):
        decode_status_response(body)


def test_malformed_pongs() -> None:
    for body in (b"", b"\x01\x00", b"\x00" + bytes(8), b"\x01" + bytes(9)):
        with pytest.raises(NotMinecraft):
            decode_pong(body)


def test_frame_reader_refuses_an_oversized_length_before_reading_it() -> None:
    reader = FrameReader()
    reader.feed(encode_varint(MAX_FRAME_BYTES + 1))
    with pytest.raises(AnswerTooLarge):
        reader.next_frame()
    assert MAX_STATUS_JSON_BYTES == 3 * 32767  # vanilla's String limit, in UTF-8 bytes


def test_frame_reader_waits_for_split_lengths_and_bodies() -> None:
    wire = frame(b"\x00" + encode_string("x" * 300))
    reader = FrameReader()
    for byte in wire[:-1]:
        reader.feed(bytes([byte]))
        assert reader.next_frame() is None
    reader.feed(wire[-1:])
    assert reader.next_frame() == wire[2:]


@pytest.mark.parametrize("wire", [b"\x00", b"\xff\xff\xff\xff\xff\x01", encode_varint(-5)])
def test_frame_reader_refuses_bad_lengths(wire: bytes) -> None:
    reader = FrameReader()
    reader.feed(wire)
    with pytest.raises(NotMinecraft):
        reader.next_frame()


def _status_frame(text: str = '{"description":"hi"}') -> bytes:
    return frame(b"\x00" + encode_string(text))


def test_exchange_runs_through_its_states() -> None:
    connection = StatusConnection("localhost", 25565, protocol_version=47)
    assert connection.start() == NOTES_HANDSHAKE + b"\x01\x00"
    assert connection.next_event() is NEED_DATA
    connection.receive_data(_status_frame()[:5])
    assert connection.next_event() is NEED_DATA
    connection.receive_data(_status_frame()[5:])
    assert connection.next_event() == StatusReceived('{"description":"hi"}')
    assert connection.state is State.AWAIT_PING
    assert connection.ping(14515484) == MCSTATUS_PONG
    connection.receive_data(MCSTATUS_PONG)
    assert connection.next_event() == PongReceived(14515484)
    assert connection.state is State.DONE


def test_a_wrong_pong_payload_is_refused() -> None:
    connection = StatusConnection("h", 1)
    connection.start()
    connection.receive_data(_status_frame())
    connection.next_event()
    connection.ping(5)
    connection.receive_data(encode_ping(6))
    with pytest.raises(NotMinecraft, match="differs"):
        connection.next_event()


def test_eof_between_packets_is_an_event_and_inside_one_an_error() -> None:
    connection = StatusConnection("h", 1)
    connection.start()
    connection.receive_data(b"")
    assert connection.next_event() == ConnectionClosed()
    assert connection.state is State.CLOSED

    cut = StatusConnection("h", 1)
    cut.start()
    cut.receive_data(_status_frame()[:4])
    cut.receive_data(b"")
    with pytest.raises(NotMinecraft, match="inside a packet"):
        cut.next_event()


def test_misuse_is_an_invalid_state_error() -> None:
    connection = StatusConnection("h", 1)
    with pytest.raises(InvalidStateError):
        connection.next_event()
    with pytest.raises(InvalidStateError):
        connection.ping(1)
    connection.start()
    with pytest.raises(InvalidStateError):
        connection.start()
    with pytest.raises(InvalidStateError):
        connection.ping(1)
