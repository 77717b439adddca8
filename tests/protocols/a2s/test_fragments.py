"""Split reassembly (§1A.2): Source with/without Size, bzip2 + CRC, GoldSrc, order, dupes."""

from __future__ import annotations

import bz2
import random
import struct
import zlib

import pytest

from bot.protocols.a2s.errors import BrokenMessageError
from bot.protocols.a2s.fragments import Reassembler, SplitLayout, split_layout_for
from tests.fakes.a2s_server import encode_rules, split_goldsrc, split_source

MESSAGE = encode_rules({f"rule_{i:03d}": "value" * (i % 7) for i in range(300)})
WHOLE = b"\xff\xff\xff\xff" + MESSAGE


def _feed_all(r: Reassembler, parts: list[bytes]) -> bytes | None:
    out = None
    for part in parts:
        got = r.feed(part)
        if got is not None:
            assert out is None, "completed twice"
            out = got
    return out


@pytest.mark.parametrize("layout", [None, SplitLayout.SOURCE])
def test_source_split_in_order(layout: SplitLayout | None) -> None:
    parts = split_source(WHOLE, 7, 1248)
    assert len(parts) > 3
    assert _feed_all(Reassembler(layout), parts) == MESSAGE


def test_out_of_order_and_duplicates() -> None:
    parts = split_source(WHOLE, 7, 500)
    shuffled = parts + parts[::2]
    random.Random(4).shuffle(shuffled)
    assert _feed_all(Reassembler(), shuffled) == MESSAGE


def test_stray_fragments_of_other_ids_are_kept_apart() -> None:
    ours = split_source(WHOLE, 7, 500)
    stale = split_source(b"\xff\xff\xff\xffEold", 6, 500)
    other = split_source(b"\xff\xff\xff\xff" + MESSAGE[::-1], 9, 500)[:-1]
    mixed = [other[0], *ours[:2], *other[1:], *ours[2:]]
    r = Reassembler()
    assert r.feed(stale[0]) == b"Eold"  # a complete stale set is returned as itself
    assert _feed_all(r, mixed) == MESSAGE


def test_no_size_field_layout_for_2006_engines() -> None:
    """Protocol 7 with app ids 215/17550/17700/240 omit the Size field."""
    parts = split_source(WHOLE, 3, 1000, size_field=False)
    assert split_layout_for(7, 240) is SplitLayout.SOURCE_NO_SIZE
    assert _feed_all(Reassembler(SplitLayout.SOURCE_NO_SIZE), parts) == MESSAGE
    assert _feed_all(Reassembler(), parts) == MESSAGE  # inferred from packet 0


def test_compressed_split_uses_bit_31_and_joined_decompression() -> None:
    parts = split_source(WHOLE, 5, 300, compress=True)
    assert struct.unpack_from("<I", parts[0], 4)[0] & 0x80000000
    assert len(parts) > 1  # per-fragment decompression (python-a2s) cannot work here
    assert _feed_all(Reassembler(), list(reversed(parts))) == MESSAGE


def test_compressed_crc_mismatch_rejected() -> None:
    parts = split_source(WHOLE, 5, 300, compress=True)
    first = bytearray(parts[0])
    first[16:20] = struct.pack("<I", zlib.crc32(WHOLE) ^ 1)
    with pytest.raises(BrokenMessageError, match="CRC"):
        _feed_all(Reassembler(), [bytes(first), *parts[1:]])


def test_compressed_size_mismatch_rejected() -> None:
    parts = split_source(WHOLE, 5, 300, compress=True)
    first = bytearray(parts[0])
    first[12:16] = struct.pack("<I", len(WHOLE) - 1)
    with pytest.raises(BrokenMessageError):
        _feed_all(Reassembler(), [bytes(first), *parts[1:]])


def test_bzip2_bomb_is_bounded() -> None:
    """A hostile server announcing or sending a huge payload cannot exhaust memory."""
    bomb = bz2.compress(b"\x00" * 50_000_000)
    head = b"\xfe\xff\xff\xff" + struct.pack("<IBBH", 0x80000001, 1, 0, 1248)
    lying = head + struct.pack("<II", 100, 0) + bomb
    with pytest.raises(BrokenMessageError):
        Reassembler().feed(lying)
    honest_but_huge = head + struct.pack("<II", 50_000_000, 0) + bomb
    with pytest.raises(BrokenMessageError, match="oversized"):
        Reassembler().feed(honest_but_huge)


def test_invalid_bzip2_data_rejected() -> None:
    head = b"\xfe\xff\xff\xff" + struct.pack("<IBBH", 0x80000001, 1, 0, 1248)
    with pytest.raises(BrokenMessageError, match="bzip2"):
        Reassembler(SplitLayout.SOURCE).feed(head + struct.pack("<II", 10, 0) + b"BZhnotreally")


def test_total_size_is_bounded() -> None:
    parts = split_source(WHOLE, 1, 100)
    with pytest.raises(BrokenMessageError, match="larger"):
        _feed_all(Reassembler(max_size=1000), parts)


def test_goldsrc_split_format() -> None:
    parts = split_goldsrc(WHOLE, 11, 1300)
    assert split_layout_for(48, 10) is SplitLayout.GOLDSRC
    assert _feed_all(Reassembler(SplitLayout.GOLDSRC), parts[::-1]) == MESSAGE
    assert _feed_all(Reassembler(), parts[::-1]) == MESSAGE  # sniffed


def test_single_fragment_sets_are_disambiguated() -> None:
    """A one-fragment set parses under every layout; the payload header picks the right one."""
    assert Reassembler().feed(split_goldsrc(WHOLE[:900], 1, 1300)[0]) == WHOLE[4:900]
    assert Reassembler().feed(split_source(WHOLE[:900], 1, 1300)[0]) == WHOLE[4:900]


def test_number_out_of_range_and_inconsistent_totals_ignored() -> None:
    parts = split_source(WHOLE, 7, 1000)
    bad_number = bytearray(parts[0])
    bad_number[9] = 200  # number >= total
    bad_total = bytearray(parts[1])
    bad_total[8] = parts[1][8] + 1
    r = Reassembler(SplitLayout.SOURCE)
    assert r.feed(bytes(bad_number)) is None
    assert r.feed(bytes(bad_total)) is None
    assert _feed_all(r, parts) == MESSAGE


def test_payload_without_inner_header_is_kept() -> None:
    parts = split_source(MESSAGE, 2, 700)
    assert _feed_all(Reassembler(SplitLayout.SOURCE), parts) == MESSAGE


def test_short_and_foreign_datagrams_ignored() -> None:
    r = Reassembler()
    assert r.feed(b"\xfe\xff\xff\xff\x01") is None
    assert r.feed(b"\xff\xff\xff\xffIabc\x00\x00\x00") is None


def test_layout_hints() -> None:
    assert split_layout_for(None, None) is None
    assert split_layout_for(17, 440) is SplitLayout.SOURCE
    assert split_layout_for(7, 440) is SplitLayout.SOURCE
