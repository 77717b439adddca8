"""The stream framer: any chunking of the byte stream gives the same packets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.protocols.rcon import PacketFramer, RCONMessage, RCONMessageError
from bot.protocols.rcon.framing import SQUAD_FOLLOWUP_TAIL
from bot.protocols.rcon.packets import encode_packet
from tests.conftest import load_hex

SQUAD_BROKEN = (10).to_bytes(4, "little") + (9).to_bytes(4, "little") + bytes(4)
SQUAD_BROKEN += SQUAD_FOLLOWUP_TAIL


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces, last = [], 0
    for point in [*points, len(data)]:
        pieces.append(data[last:point])
        last = point
    return pieces


def feed_all(framer: PacketFramer, pieces: list[bytes]) -> list[RCONMessage]:
    out: list[RCONMessage] = []
    for piece in pieces:
        out.extend(framer.feed(piece))
    return out


def test_byte_by_byte() -> None:
    stream = load_hex("synthetic/rcon_pyvalve_multipart_stream_id5")
    messages = feed_all(PacketFramer(), [stream[i : i + 1] for i in range(len(stream))])
    assert [m.body for m in messages] == [b"bar", b"bar", b"", b"\x00\x01\x00\x00"]


@given(st.lists(st.integers(0, 10_000), max_size=12))
def test_any_chunking_gives_the_same_packets(cuts: list[int]) -> None:
    packets = [encode_packet(i, 0, bytes([65 + i]) * (i * 37)) for i in range(8)]
    stream = b"".join(packets)
    framer = PacketFramer()
    messages = feed_all(framer, chunked(stream, cuts))
    assert [m.body for m in messages] == [bytes([65 + i]) * (i * 37) for i in range(8)]
    assert framer.buffered == 0


def test_a_4096_byte_packet_split_over_reads() -> None:
    body = b"x" * 4082
    stream = encode_packet(3, 0, body)
    assert len(stream) == 4096
    framer = PacketFramer()
    assert framer.feed(stream[:1000]) == []
    assert framer.buffered == 1000
    assert framer.feed(stream[1000:]) == [RCONMessage(3, 0, body)]


def test_bad_size_poisons_the_framer() -> None:
    framer = PacketFramer()
    with pytest.raises(RCONMessageError):
        framer.feed((1869508007).to_bytes(4, "little") + bytes(8))
    with pytest.raises(RCONMessageError):
        framer.feed(encode_packet(1, 0, b"fine"))


@given(st.lists(st.integers(0, 200), max_size=6))
def test_squad_broken_packet_swallowed_in_any_chunking(cuts: list[int]) -> None:
    empty = encode_packet(9, 0, b"")
    after = encode_packet(10, 0, b"next")
    stream = empty + SQUAD_BROKEN + after
    framer = PacketFramer()
    messages = []
    for piece in chunked(stream, cuts):
        framer.append(piece)
        while (message := framer.next_message()) is not None:
            messages.append(message)
            if message.id == 9:  # the connection arms it after its probe's empty reply
                framer.expect_malformed_followup()
    assert messages == [RCONMessage(9, 0, b""), RCONMessage(10, 0, b"next")]
    assert framer.malformed_skipped == 1


def test_armed_framer_still_delivers_a_real_empty_packet() -> None:
    framer = PacketFramer()
    framer.feed(b"")
    framer.expect_malformed_followup()
    real_empty = encode_packet(4, 0, b"")
    # Alone it cannot be told from the broken packet yet: held back...
    assert framer.feed(real_empty) == []
    # ...until the next bytes show it is a normal packet.
    messages = framer.feed(encode_packet(5, 0, b"x"))
    assert messages == [RCONMessage(4, 0, b""), RCONMessage(5, 0, b"x")]
    assert framer.malformed_skipped == 0


def test_unarmed_framer_does_not_hold_empty_packets() -> None:
    framer = PacketFramer()
    assert framer.feed(encode_packet(4, 0, b"")) == [RCONMessage(4, 0, b"")]


@given(st.binary(max_size=400), st.lists(st.integers(0, 400), max_size=5), st.booleans())
def test_fuzz_any_bytes_give_messages_or_message_error(
    data: bytes, cuts: list[int], armed: bool
) -> None:
    framer = PacketFramer()
    if armed:
        framer.expect_malformed_followup()
    total = 0
    try:
        for piece in chunked(data, cuts):
            for message in framer.feed(piece):
                total += len(message.body) + 14
    except RCONMessageError:
        return
    assert total + framer.buffered <= len(data)
