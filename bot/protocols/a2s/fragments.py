"""Reassembly of multi-packet (split) responses, Source and GoldSrc formats. No I/O.

Source:  ``FE FF FF FF | id i32 | total u8 | number u8 | [size u16] | [dsize u32 | crc u32]``
GoldSrc: ``FE FF FF FF | id i32 | (number << 4 | total) u8``

Bit 31 of the Source id marks a bzip2 response; the decompressed size and CRC32 follow the header
of packet 0 only, and the *joined* fragments are decompressed. The Size field is absent on a few
2006-era engines; when the caller does not know the layout, it is inferred from packet 0.
"""

from __future__ import annotations

import bz2
import enum
import struct
import zlib
from dataclasses import dataclass, field

from bot.protocols.a2s.errors import BrokenMessageError
from bot.protocols.a2s.games import GOLDSRC_PROTOCOL, NO_SPLIT_SIZE_APP_IDS
from bot.protocols.a2s.packets import HEADER_SIMPLE, HEADER_SPLIT

# A hostile server must not make us hold or inflate more than this per response.
DEFAULT_MAX_RESPONSE_BYTES = 1 << 20
# Only a few response ids are tracked at once (the current one plus stale ones from resends).
MAX_PENDING_IDS = 4
COMPRESSED_FLAG = 0x80000000

_ID = struct.Struct("<I")
_SIZE_CRC = struct.Struct("<II")


class SplitLayout(enum.Enum):
    SOURCE = "source"  # with the Size field (Orange Box and later)
    SOURCE_NO_SIZE = "source-no-size"  # protocol 7 with app ids 215, 17550, 17700, 240
    GOLDSRC = "goldsrc"


@dataclass(slots=True)
class _Pending:
    raw: list[bytes] = field(default_factory=list)
    size: int = 0
    # Set once completing this set raised: from then on every datagram re-runs the full check
    # (and raises again), as it always did.
    failed: bool = False


def _source_fields(datagram: bytes) -> tuple[int, int] | None:
    if len(datagram) < 10:
        return None
    total, number = datagram[8], datagram[9]
    if number >= total:
        return None
    return total, number


def _goldsrc_fields(datagram: bytes) -> tuple[int, int] | None:
    if len(datagram) < 9:
        return None
    packed = datagram[8]
    total, number = packed & 0x0F, packed >> 4
    if number >= total:
        return None
    return total, number


class Reassembler:
    """Collects split datagrams of one peer and yields the joined message when complete.

    ``layout`` is the split format when known (from an earlier INFO answer) and is tried first;
    other layouts are accepted only when their packet 0 starts a plausible payload.
    """

    def __init__(
        self, layout: SplitLayout | None = None, max_size: int = DEFAULT_MAX_RESPONSE_BYTES
    ) -> None:
        self.layout = layout
        self.max_size = max_size
        # The hinted layout first; the others still get a chance (a hint can be wrong), but
        # only when their packet 0 starts a plausible payload.
        self._order = _ORDERS[layout]
        self._pending: dict[int, _Pending] = {}

    def feed(self, datagram: bytes) -> bytes | None:
        """Add one ``FE FF FF FF`` datagram; return the message (type byte first) when complete.

        Raises ``BrokenMessageError`` when a complete set cannot be decoded (bad bzip2, CRC or
        size). Malformed, duplicate or inconsistent fragments are ignored.
        """
        if len(datagram) < 9 or not datagram.startswith(HEADER_SPLIT):
            return None
        (split_id,) = _ID.unpack_from(datagram, 4)
        pending = self._pending.get(split_id)
        if pending is None:
            if len(self._pending) >= MAX_PENDING_IDS:
                # Forget the oldest response id: it belongs to a stale or stray answer.
                del self._pending[next(iter(self._pending))]
            pending = self._pending[split_id] = _Pending()
        if datagram in pending.raw:
            return None
        if pending.size + len(datagram) > self.max_size or len(pending.raw) >= 255:
            del self._pending[split_id]
            raise BrokenMessageError("split response larger than allowed")
        pending.raw.append(datagram)
        pending.size += len(datagram)
        for layout in self._order:
            # Only a set this datagram belongs to can have just become complete, and a set of
            # ``total`` fragments needs that many datagrams: skip the full check before that.
            fields = (_goldsrc_fields if layout is SplitLayout.GOLDSRC else _source_fields)(
                datagram
            )
            if not pending.failed and (fields is None or len(pending.raw) < fields[0]):
                continue
            try:
                message = self._try_complete(split_id, pending, layout)
            except BrokenMessageError:
                pending.failed = True
                raise
            if message is not None:
                del self._pending[split_id]
                return message
        return None

    def _try_complete(self, split_id: int, pending: _Pending, layout: SplitLayout) -> bytes | None:
        parse = _goldsrc_fields if layout is SplitLayout.GOLDSRC else _source_fields
        # Grouped by announced total: a stray fragment with another total must not poison
        # the set of the real response.
        groups: dict[int, dict[int, bytes]] = {}
        for datagram in pending.raw:
            fields = parse(datagram)
            if fields is not None:
                groups.setdefault(fields[0], {}).setdefault(fields[1], datagram)
        complete = [(t, p) for t, p in groups.items() if len(p) == t]
        if not complete:
            return None
        total, parts = complete[0]
        compressed = layout is not SplitLayout.GOLDSRC and bool(split_id & COMPRESSED_FLAG)
        offset = {SplitLayout.SOURCE: 12, SplitLayout.SOURCE_NO_SIZE: 10, SplitLayout.GOLDSRC: 9}[
            layout
        ]
        first = parts[0]
        if layout is not self.layout and not _plausible(first, offset, compressed):
            return None
        if compressed:
            if len(first) < offset + 8:
                return None
            dsize, crc = _SIZE_CRC.unpack_from(first, offset)
            chunks = [first[offset + 8 :]] + [parts[i][offset:] for i in range(1, total)]
            return _strip(_decompress(b"".join(chunks), dsize, crc, self.max_size))
        return _strip(b"".join(parts[i][offset:] for i in range(total)))


def _order_for(layout: SplitLayout | None) -> tuple[SplitLayout, ...]:
    rest = tuple(x for x in SplitLayout if x is not layout)
    return rest if layout is None else (layout, *rest)


# Computed once: one Reassembler is built per split answer.
_ORDERS: dict[SplitLayout | None, tuple[SplitLayout, ...]] = {
    layout: _order_for(layout) for layout in (None, *SplitLayout)
}


def _plausible(first: bytes, offset: int, compressed: bool) -> bool:
    if compressed:
        return first[offset + 8 : offset + 11] == b"BZh"
    return first[offset : offset + 4] == HEADER_SIMPLE


def _strip(message: bytes) -> bytes:
    # The joined payload normally repeats the simple header.
    return message[4:] if message.startswith(HEADER_SIMPLE) else message


def _decompress(data: bytes, size: int, crc: int, limit: int) -> bytes:
    if size > limit:
        raise BrokenMessageError("compressed response announces an oversized payload")
    decompressor = bz2.BZ2Decompressor()
    try:
        # max_length bounds memory even when the announced size lies.
        out = decompressor.decompress(data, max_length=size + 1)
    except (OSError, ValueError, EOFError) as exc:
        raise BrokenMessageError("invalid bzip2 data in split response") from exc
    if len(out) != size:
        raise BrokenMessageError("decompressed size does not match the split header")
    if zlib.crc32(out) != crc:
        raise BrokenMessageError("CRC32 mismatch in compressed split response")
    return out


def split_layout_for(protocol: int | None, app_id: int | None) -> SplitLayout | None:
    """The split layout implied by an INFO answer, or None when the hints say nothing."""
    if protocol is None:
        return None
    if protocol == GOLDSRC_PROTOCOL:
        return SplitLayout.GOLDSRC
    if protocol == 7 and app_id in NO_SPLIT_SIZE_APP_IDS:
        return SplitLayout.SOURCE_NO_SIZE
    return SplitLayout.SOURCE
