"""Poll and response bytes, from the protocol notes' vectors."""

from __future__ import annotations

import struct

import pytest

from bot.protocols.satisfactory import (
    PollQuery,
    SatisfactoryCookieMismatchError,
    SatisfactoryMalformedError,
    ServerState,
    SubStateId,
    decode_state_response,
    encode_poll,
)
from bot.protocols.satisfactory.packets import MAX_NAME_CHARS, MAX_RESPONSE_SIZE
from tests.fakes.satisfactory_server import NOTES_POLL, encode_response, parse_poll


def test_the_notes_poll_vector() -> None:
    # D5 F6 00 01 72 D6 F5 66 00 00 00 00 01
    assert encode_poll(0x66F5D672) == NOTES_POLL
    assert len(NOTES_POLL) == 13
    assert parse_poll(NOTES_POLL) == 0x66F5D672


def test_poll_refuses_cookies_beyond_64_bits() -> None:
    with pytest.raises(ValueError):
        encode_poll(2**64)
    with pytest.raises(ValueError):
        encode_poll(-1)


def test_the_notes_real_reply() -> None:
    # DJWoodZ's README: version 366202, flags 0, sub-states {0:17},{1:1},{3:5},{2:1}.
    datagram = encode_response(7)
    response = decode_state_response(datagram)
    assert response.cookie == 7 and response.state is ServerState.PLAYING
    assert response.net_cl == 366202 and response.flags == 0 and not response.modded
    assert [(s.id, s.version) for s in response.sub_states] == [(0, 17), (1, 1), (3, 5), (2, 1)]
    assert response.sub_states[2].kind is SubStateId.SAVE_COLLECTION
    assert response.name == "Satisfactory Server"


def test_response_layout_byte_by_byte() -> None:
    datagram = (
        bytes.fromhex("D5F6 01 01")
        + struct.pack("<Q", 0x1122334455667788)
        + b"\x01"  # Idle
        + bytes.fromhex("FD990500")  # net CL 367101 (the notes' example bytes)
        + struct.pack("<Q", 1)  # modded
        + b"\x01"  # one sub-state:
        + b"\x05"  # a custom id
        + struct.pack("<H", 3)  # version 3
        + struct.pack("<H", 6)  # name length
        + b"Fabrik"
        + b"\x01"
    )
    response = decode_state_response(datagram)
    assert response.cookie == 0x1122334455667788 and response.state is ServerState.IDLE
    assert response.net_cl == 367101 and response.modded
    assert response.sub_states[0].id == 5 and response.sub_states[0].kind is None
    assert response.name == "Fabrik"


def test_utf8_names_and_unknown_states() -> None:
    response = decode_state_response(encode_response(1, name="Fabrik ü 工厂", state=9))
    assert response.name == "Fabrik ü 工厂"
    assert response.state == 9 and not isinstance(response.state, ServerState)
    assert decode_state_response(encode_response(1, name=b"bad \xff")).name == "bad \ufffd"
    clipped = decode_state_response(encode_response(1, name="x" * 3000 + "\n"))
    assert len(clipped.name) == MAX_NAME_CHARS
    assert decode_state_response(encode_response(1, name="a\nb\x00")).name == "ab"


def test_no_sub_states_and_empty_name() -> None:
    response = decode_state_response(encode_response(1, sub_states=(), name=""))
    assert response.sub_states == () and response.name == ""


def _refusal(datagram: bytes) -> str:
    with pytest.raises(SatisfactoryMalformedError) as info:
        decode_state_response(datagram)
    return info.value.reason


def test_refusals() -> None:
    good = encode_response(1)
    assert _refusal(b"") == "not this protocol"
    assert _refusal(b"\xd5") == "not this protocol"
    assert _refusal(b"\xf6\xd5" + good[2:]) == "not this protocol"  # magic byte order
    assert _refusal(NOTES_POLL) == "unexpected message type"  # a poll, not a response
    assert _refusal(good[:3] + b"\x02" + good[4:]) == "unsupported protocol version"
    assert _refusal(good[:20]) == "truncated"
    assert _refusal(good[:-3]) == "truncated"
    assert _refusal(good + b"\x01") == "length mismatch"
    assert _refusal(encode_response(1, terminator=0)) == "no terminator"
    assert _refusal(encode_response(1, name="n" * MAX_RESPONSE_SIZE)) == "oversized"
    # 255 sub-states announced, none present.
    head = bytearray(good[:26])
    head[25] = 255
    assert _refusal(bytes(head) + b"\x00\x00\x01") == "truncated"


def test_the_community_docs_four_byte_versions_do_not_decode() -> None:
    # The notes take 3-byte entries as right; the 5-byte layout fails the length check.
    wide = encode_response(1, sub_state_format="<BI")
    with pytest.raises(SatisfactoryMalformedError):
        decode_state_response(wide)


def test_query_checks_the_cookie_and_measures_from_that_send() -> None:
    cookies = iter([10, 20])
    query = PollQuery(token=lambda: next(cookies))
    assert parse_poll(query.next_request(1.0)) == 10
    assert parse_poll(query.next_request(2.0)) == 20
    state = query.receive(encode_response(20, state=2, flags=1), 2.125)
    assert state.latency == pytest.approx(0.125)
    assert state.state is ServerState.LOADING and not state.https_api_available and state.modded
    assert query.receive(encode_response(10), 1.5).latency == pytest.approx(0.5)
    with pytest.raises(SatisfactoryCookieMismatchError):
        query.receive(encode_response(30), 3.0)
