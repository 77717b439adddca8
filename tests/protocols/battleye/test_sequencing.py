"""Multi-part reassembly and exactly-once, in-order message sequencing (sans-IO)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.protocols.battleye.dedupe import MessageSequencer
from bot.protocols.battleye.multipart import MultipartAssembler, PartResult


def test_parts_in_any_order_with_duplicates_and_bad_totals() -> None:
    asm = MultipartAssembler()
    assert asm.add(3, 2, b"c") is PartResult.INCOMPLETE
    assert asm.add(3, 2, b"c") is PartResult.DUPLICATE
    assert asm.add(4, 1, b"x") is PartResult.INCONSISTENT
    assert asm.missing == 2
    assert asm.add(3, 0, b"a") is PartResult.INCOMPLETE
    assert asm.add(3, 1, b"b") is PartResult.COMPLETE
    assert asm.assemble() == b"abc"


def test_utf8_split_across_parts_is_joined_before_decoding() -> None:
    data = "Größe".encode()
    asm = MultipartAssembler()
    asm.add(2, 1, data[3:])
    asm.add(2, 0, data[:3])
    assert asm.assemble().decode() == "Größe"


def _texts(deliveries: list) -> list[bytes]:  # type: ignore[type-arg]
    return [d.payload for d in deliveries]


def test_in_order_messages_and_wraparound() -> None:
    seq = MessageSequencer(hold=5)
    out: list[bytes] = []
    for i in range(600):  # more than two wraps of the 8-bit space
        out += _texts(seq.receive(i % 256, str(i).encode(), 0.0))
        out += _texts(seq.receive(i % 256, str(i).encode(), 0.0))  # every copy twice
    assert out == [str(i).encode() for i in range(600)]
    assert seq.stats.duplicates == 600


def test_a_gap_holds_later_messages_until_filled() -> None:
    seq = MessageSequencer(hold=5)
    assert seq.receive(1, b"b", 0.0) == []
    assert seq.receive(2, b"c", 0.1) == []
    assert _texts(seq.receive(0, b"a", 0.2)) == [b"a", b"b", b"c"]


def test_a_gap_that_never_fills_is_skipped_after_hold_and_delivered_late() -> None:
    seq = MessageSequencer(hold=1.0)
    seq.receive(1, b"b", 0.0)
    assert seq.next_deadline() == 1.0
    assert seq.poll(0.5) == []
    released = seq.poll(1.0)
    assert _texts(released) == [b"b"]
    late = seq.receive(0, b"a", 2.0)
    assert _texts(late) == [b"a"] and late[0].late
    assert seq.receive(0, b"a", 2.1) == []  # and never twice


def test_a_server_jumping_past_the_window_is_followed() -> None:
    seq = MessageSequencer(hold=1.0)
    seq.receive(0, b"a", 0.0)
    assert _texts(seq.receive(200, b"far", 0.0)) == [b"far"]
    assert _texts(seq.receive(201, b"next", 0.0)) == [b"next"]


@settings(max_examples=60)
@given(st.integers(0, 2**32 - 1), st.integers(1, 700))
def test_shuffled_window_with_copies_is_delivered_once_in_order(seed: int, count: int) -> None:
    """Messages shuffled within a 32-wide window and copied: exactly once, in order."""
    rng = random.Random(seed)
    arrivals: list[int] = []
    for i in range(count):
        arrivals.append(i)
        if rng.random() < 0.2:
            arrivals.append(i)
    for i in range(len(arrivals) - 1):  # local shuffle keeps every number within the window
        j = min(len(arrivals) - 1, i + rng.randrange(0, 32))
        if abs(arrivals[i] - arrivals[j]) < 32:
            arrivals[i], arrivals[j] = arrivals[j], arrivals[i]
    seq = MessageSequencer(hold=100)
    out: list[int] = []
    for n in arrivals:
        out += [int(p) for p in _texts(seq.receive(n % 256, str(n).encode(), 0.0))]
    assert out == list(range(count))
