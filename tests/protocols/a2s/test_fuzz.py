"""Property-based fuzzing: any bytes give a result or BrokenMessageError, never anything else,
and never a hang (every decoder is bounded by its input)."""

from __future__ import annotations

import struct

from hypothesis import given
from hypothesis import strategies as st

from bot.protocols.a2s import games, packets
from bot.protocols.a2s.errors import BrokenMessageError
from bot.protocols.a2s.fragments import Reassembler, SplitLayout
from bot.protocols.a2s.session import Kind, QuerySession
from tests.fakes.a2s_server import InfoSpec, PlayerSpec, encode_info, encode_players, encode_rules

ENCODINGS = st.sampled_from(["utf-8", "latin-1", None])
VALID = [
    encode_info(InfoSpec(steam_id=1, stv_port=2, stv_name="tv", keywords="k", game_id=3)),
    encode_info(InfoSpec(app_id=2400, ship=(1, 2, 3))),
    encode_info(InfoSpec(obsolete=True)),
    encode_players([PlayerSpec("a", 1, 2.0), PlayerSpec("b", deaths=1, money=2)]),
    encode_rules({"a": "b", "c": "d"}),
    b"A\x01\x02\x03\x04",
]


def _decode_any(message: bytes, encoding: str | None) -> None:
    for decode in (packets.decode_info, packets.decode_players, packets.decode_rules):
        try:
            decode(message, encoding)
        except BrokenMessageError:
            pass
    try:
        packets.decode_challenge(message)
    except BrokenMessageError:
        pass


@given(st.binary(max_size=2000), ENCODINGS)
def test_decoders_on_arbitrary_bytes(data: bytes, encoding: str | None) -> None:
    _decode_any(data, encoding)
    for kind in b"IDEmA":
        _decode_any(bytes([kind]) + data, encoding)


@given(st.sampled_from(VALID), st.data())
def test_decoders_on_mutated_valid_messages(message: bytes, data: st.DataObject) -> None:
    cut = data.draw(st.integers(0, len(message)))
    mutated = bytearray(message[:cut])
    for _ in range(data.draw(st.integers(0, 4))):
        if mutated:
            pos = data.draw(st.integers(0, len(mutated) - 1))
            mutated[pos] = data.draw(st.integers(0, 255))
    _decode_any(bytes(mutated), data.draw(ENCODINGS))


@given(
    st.lists(st.binary(max_size=64), max_size=20),
    st.sampled_from([None, *SplitLayout]),
)
def test_reassembler_on_arbitrary_fragments(
    bodies: list[bytes], layout: SplitLayout | None
) -> None:
    r = Reassembler(layout, max_size=4096)
    for body in bodies:
        try:
            out = r.feed(b"\xfe\xff\xff\xff" + body)
        except BrokenMessageError:
            continue
        assert out is None or isinstance(out, bytes)


@given(
    st.lists(
        st.tuples(
            st.integers(0, 3), st.integers(0, 20), st.integers(0, 20), st.binary(max_size=40)
        ),
        max_size=20,
    )
)
def test_reassembler_on_plausible_headers(parts: list[tuple[int, int, int, bytes]]) -> None:
    """Headers with small ids/totals/numbers exercise the completion logic, with bit 31 set on
    odd ids to reach the bzip2 path."""
    r = Reassembler()
    for split_id, total, number, body in parts:
        flag = 0x80000000 if split_id % 2 else 0
        datagram = b"\xfe\xff\xff\xff" + struct.pack("<IBBH", split_id | flag, total, number, 0)
        try:
            r.feed(datagram + body)
        except BrokenMessageError:
            continue


@given(st.sampled_from(list(Kind)), st.lists(st.binary(max_size=100), max_size=15))
def test_session_on_arbitrary_datagrams(kind: Kind, datagrams: list[bytes]) -> None:
    s = QuerySession(kind)
    for datagram in datagrams:
        for prefix in (b"", b"\xff\xff\xff\xff", b"\xfe\xff\xff\xff"):
            reply = s.receive(prefix + datagram, 0.0)
            assert reply is None or reply.startswith(b"\xff\xff\xff\xff")
    assert s.error is None or isinstance(s.error, BrokenMessageError)
    assert s.rounds <= s.max_rounds


@given(st.binary(max_size=600))
def test_binary_rules_decoders(blob: bytes) -> None:
    for dayz in (False, True):
        try:
            games.decode_arma3_blob(blob, dayz=dayz)
        except BrokenMessageError:
            pass
    try:
        games.unescape(blob)
    except BrokenMessageError:
        pass


@given(st.dictionaries(st.binary(max_size=3), st.binary(max_size=30), max_size=10))
def test_binary_rules_joiner(rules: dict[bytes, bytes]) -> None:
    try:
        games.decode_arma3_rules(rules)
    except BrokenMessageError:
        pass


@given(st.text(max_size=200) | st.binary(max_size=200))
def test_keyword_parsers_never_raise(keywords: str | bytes) -> None:
    games.parse_dayz_keywords(keywords)
    assert games.rust_count(keywords, "mp", 7) >= 0


@given(st.binary(max_size=3000))
def test_unescape_inverts_escape(blob: bytes) -> None:
    escaped = blob.replace(b"\x01", b"\x01\x01").replace(b"\x00", b"\x01\x02")
    escaped = escaped.replace(b"\xff", b"\x01\x03")
    assert games.unescape(escaped) == blob
