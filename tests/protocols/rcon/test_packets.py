"""RCONMessage encode/decode on bytes, including python-valve's vectors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.protocols.rcon import PacketType, RCONMessage, RCONMessageError
from bot.protocols.rcon.packets import encode_packet
from tests.conftest import load_hex


def test_encode_matches_python_valve_vector() -> None:
    message = RCONMessage(0, PacketType.EXECCOMMAND, b"foo")
    assert message.encode() == load_hex("synthetic/rcon_pyvalve_encode_exec_foo")


def test_decode_auth_response_vector() -> None:
    message, rest = RCONMessage.decode(load_hex("synthetic/rcon_pyvalve_auth_response_ok_id0"))
    assert (message.id, message.type, message.body, rest) == (0, PacketType.AUTH_RESPONSE, b"", b"")


def test_decode_returns_rest_of_buffer() -> None:
    stream = load_hex("synthetic/rcon_pyvalve_multipart_stream_id5")
    first, rest = RCONMessage.decode(stream)
    assert first == RCONMessage(5, PacketType.RESPONSE_VALUE, b"bar")
    second, rest = RCONMessage.decode(rest)
    assert second.body == b"bar"
    mirror, rest = RCONMessage.decode(rest)
    terminator, rest = RCONMessage.decode(rest)
    assert (mirror.body, terminator.body, rest) == (b"", b"\x00\x01\x00\x00", b"")


def test_text_body_is_utf8_and_text_replaces_bad_bytes() -> None:
    assert RCONMessage(1, 2, "é").body == b"\xc3\xa9"
    assert RCONMessage(1, 0, b"ok \xff").text == "ok \ufffd"


def test_repr_never_shows_the_body() -> None:
    text = repr(RCONMessage(7, PacketType.AUTH, "hunter2"))
    assert "hunter2" not in text and "7B" in text


@pytest.mark.parametrize(
    "data",
    [b"", b"\x0a\x00\x00", bytes.fromhex("0a000000 00000000 00000000 00")],
)
def test_incomplete_buffer_is_a_message_error(data: bytes) -> None:
    with pytest.raises(RCONMessageError, match="incomplete"):
        RCONMessage.decode(data)


@pytest.mark.parametrize("size", [0, 9, -1, 70_000])
def test_absurd_size_is_a_message_error(size: int) -> None:
    data = size.to_bytes(4, "little", signed=True) + bytes(20)
    with pytest.raises(RCONMessageError, match="size"):
        RCONMessage.decode(data)


def test_missing_terminators_are_tolerated() -> None:
    one_nul = (11).to_bytes(4, "little") + bytes(8) + b"ab\x00"
    assert RCONMessage.decode(one_nul)[0].body == b"ab"
    no_nul = (11).to_bytes(4, "little") + bytes(8) + b"abc"
    assert RCONMessage.decode(no_nul)[0].body == b"abc"


def test_unknown_types_decode() -> None:
    message, _ = RCONMessage.decode(encode_packet(0, 1, b"[ChatAll] hi"))
    assert message.type == 1 and message.text == "[ChatAll] hi"


def test_id_out_of_range_is_rejected() -> None:
    with pytest.raises(RCONMessageError):
        RCONMessage(2**31, 2, b"").encode()


@given(
    st.integers(-(2**31), 2**31 - 1),
    st.integers(-(2**31), 2**31 - 1),
    st.binary(max_size=300).filter(lambda b: not b.endswith(b"\x00")),
)
def test_round_trip(id_: int, type_: int, body: bytes) -> None:
    message = RCONMessage(id_, type_, body)
    assert RCONMessage.decode(message.encode() + b"tail") == (message, b"tail")


@given(st.binary(max_size=200))
def test_decode_any_bytes_gives_message_or_message_error(data: bytes) -> None:
    try:
        message, rest = RCONMessage.decode(data)
    except RCONMessageError:
        return
    assert len(rest) < len(data) and isinstance(message.body, bytes)
