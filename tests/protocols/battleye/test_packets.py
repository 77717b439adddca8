"""Packet encoding/decoding against the shared vectors, plus rejection and fuzzing."""

from __future__ import annotations

import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.protocols.battleye import packets
from bot.protocols.battleye.errors import PacketError
from tests.conftest import load_hex


def test_client_vectors_match_the_shared_fixtures() -> None:
    assert packets.encode_ack(0) == load_hex("synthetic/be_client_ack_msg_seq0")
    assert packets.encode_command(0, b"") == load_hex("synthetic/be_client_keepalive_seq0")


def test_server_login_vectors() -> None:
    ok = packets.decode_server_packet(load_hex("synthetic/be_server_login_ok"))
    fail = packets.decode_server_packet(load_hex("synthetic/be_server_login_fail"))
    assert ok == packets.LoginResponse(True)
    assert fail == packets.LoginResponse(False)
    assert packets.encode_login_response(True) == load_hex("synthetic/be_server_login_ok")


def test_server_message_vector() -> None:
    msg = packets.decode_server_packet(load_hex("synthetic/be_server_message_seq0"))
    assert msg == packets.ServerMessage(0, b"RCon admin #0 (127.0.0.1:57095) logged in")


def test_multipart_vectors() -> None:
    p0 = packets.decode_server_packet(load_hex("synthetic/be_server_cmd_multipart_seq1_part0of2"))
    p1 = packets.decode_server_packet(load_hex("synthetic/be_server_cmd_multipart_seq1_part1of2"))
    assert p0 == packets.CommandResponse(1, 2, 0, b"Hello ")
    assert p1 == packets.CommandResponse(1, 2, 1, b"world!")
    assert packets.split_command_response(1, b"Hello world!", 6) == [
        load_hex("synthetic/be_server_cmd_multipart_seq1_part0of2"),
        load_hex("synthetic/be_server_cmd_multipart_seq1_part1of2"),
    ]


def test_crc_covers_the_ff_byte_and_payload() -> None:
    data = packets.encode_command(7, b"players")
    assert data[:2] == b"BE" and data[6] == 0xFF
    assert int.from_bytes(data[2:6], "little") == zlib.crc32(b"\xff\x01\x07players")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "short"),
        (b"BE\x00\x00\x00\x00\xff", "short"),
        (b"XE" + bytes(5) + b"\x00\x01", "header"),
        (b"BE" + bytes(4) + b"\xfe\x00\x01", "header"),
        (b"BE\x00\x00\x00\x00\xff\x00\x01", "crc"),
    ],
)
def test_bad_packets_are_rejected_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(PacketError) as info:
        packets.decode_server_packet(data)
    assert info.value.reason == reason


def test_unknown_type_and_bad_multipart_header_are_rejected() -> None:
    rest = b"\xff\x07\x00"
    unknown = b"BE" + zlib.crc32(rest).to_bytes(4, "little") + rest
    with pytest.raises(PacketError, match="type"):
        packets.decode_server_packet(unknown)
    rest = b"\xff\x01\x05\x00\x02\x02"  # index 2 of 2
    bad_part = b"BE" + zlib.crc32(rest).to_bytes(4, "little") + rest
    with pytest.raises(PacketError, match="malformed"):
        packets.decode_server_packet(bad_part)


def test_sequence_bounds_are_enforced() -> None:
    with pytest.raises(ValueError):
        packets.encode_command(256, b"")
    with pytest.raises(ValueError):
        packets.encode_login(b"pass\x00word")


def test_login_request_repr_hides_the_password() -> None:
    assert "hunter2" not in repr(packets.LoginRequest(b"hunter2"))


@given(st.binary(max_size=64))
def test_decoder_only_raises_packet_error(data: bytes) -> None:
    for decode in (packets.decode_server_packet, packets.decode_client_packet):
        try:
            decode(data)
        except PacketError:
            pass


@given(st.integers(1, 3), st.binary(max_size=40))
def test_valid_crc_with_random_body_never_crashes(ptype: int, body: bytes) -> None:
    rest = bytes((0xFF, ptype % 3)) + body
    data = b"BE" + zlib.crc32(rest).to_bytes(4, "little") + rest
    try:
        packets.decode_server_packet(data)
    except PacketError as exc:
        assert exc.reason in {"short", "malformed"}


@given(st.integers(0, 255), st.binary(max_size=255), st.integers(1, 64))
def test_command_answers_roundtrip(seq: int, payload: bytes, chunk: int) -> None:
    encoded = packets.split_command_response(seq, payload, chunk)
    parts = [packets.decode_server_packet(p) for p in encoded]
    assert all(isinstance(p, packets.CommandResponse) and p.sequence == seq for p in parts)
    joined = b"".join(p.payload for p in parts if isinstance(p, packets.CommandResponse))
    assert joined == payload


@given(st.integers(0, 255), st.binary(max_size=100))
def test_client_packets_roundtrip(seq: int, command: bytes) -> None:
    assert packets.decode_client_packet(packets.encode_command(seq, command)) == (
        packets.CommandRequest(seq, command)
    )
    assert packets.decode_client_packet(packets.encode_ack(seq)) == packets.MessageAck(seq)
