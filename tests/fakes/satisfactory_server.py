"""A fake Satisfactory 1.0 server answering Lightweight Query polls on loopback.

Contract::

    async with FakeSatisfactoryServer(state=3, name="My Factory") as server:
        polled = await satisfactory.poll_state(*server.address, timeout=1.0)

* ``state``, ``net_cl``, ``flags``, ``sub_states`` (``(id, version)`` pairs) and ``name``
  (``str`` UTF-8 encoded, ``bytes`` as is) make the response; defaults are the real reply in
  the notes (DJWoodZ README: version 366202, flags 0, sub-states {0:17},{1:1},{3:5},{2:1},
  "Satisfactory Server", state Playing). All may be changed while it runs.
* Polls that lack the magic, type 0, version 1 or the terminator are dropped, as the game does.
* ``mode`` (a :class:`Mode`): ``NORMAL``; ``SILENT`` never answers; ``GARBAGE`` answers junk;
  ``WRONG_TOKEN`` echoes another cookie; ``OVERSIZED`` sends a name past the client's bound;
  ``TRUNCATED`` cuts the response inside the name; ``NO_TERMINATOR`` ends it with 00;
  ``WIDE_SUB_STATES`` writes sub-state versions as u32 (the community doc's example layout).
* ``drop_first``: ignore that many polls (loss). ``stray``: junk datagrams before every answer.
  ``delay``: seconds before answering. ``raw``: bytes sent verbatim as the answer.
* ``requests`` counts datagrams, ``received`` keeps the last ``MAX_KEPT``; closes itself after
  ``lifetime`` seconds. Written from the protocol notes, not from the client's code.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from enum import Enum
from typing import Any, Unpack

from tests.fakes.udp_fake import Faults, UdpFake

REAL_SUB_STATES = ((0, 17), (1, 1), (3, 5), (2, 1))
# The notes' example poll: cookie 0x66F5D672.
NOTES_POLL = bytes.fromhex("D5F60001 72D6F56600000000 01")


class Mode(Enum):
    NORMAL = "normal"
    SILENT = "silent"
    GARBAGE = "garbage"
    WRONG_TOKEN = "wrong_token"
    OVERSIZED = "oversized"
    TRUNCATED = "truncated"
    NO_TERMINATOR = "no_terminator"
    WIDE_SUB_STATES = "wide_sub_states"


def encode_response(
    cookie: int,
    *,
    state: int = 3,
    net_cl: int = 366202,
    flags: int = 0,
    sub_states: Sequence[tuple[int, int]] = REAL_SUB_STATES,
    name: str | bytes = "Satisfactory Server",
    sub_state_format: str = "<BH",
    terminator: int = 0x01,
) -> bytes:
    body = name.encode("utf-8") if isinstance(name, str) else name
    out = bytearray(b"\xd5\xf6\x01\x01")
    out += struct.pack("<QBIQB", cookie, state, net_cl, flags, len(sub_states))
    for sub_id, version in sub_states:
        out += struct.pack(sub_state_format, sub_id, version)
    out += struct.pack("<H", len(body)) + body + bytes([terminator])
    return bytes(out)


def parse_poll(datagram: bytes) -> int | None:
    """The cookie of a valid Poll Server State message, else None."""
    if len(datagram) != 13 or datagram[:4] != b"\xd5\xf6\x00\x01" or datagram[12] != 0x01:
        return None
    return int(struct.unpack_from("<Q", datagram, 4)[0])


class FakeSatisfactoryServer(UdpFake):
    def __init__(
        self,
        *,
        state: int = 3,
        net_cl: int = 366202,
        flags: int = 0,
        sub_states: Sequence[tuple[int, int]] = REAL_SUB_STATES,
        name: str | bytes = "Satisfactory Server",
        mode: Mode = Mode.NORMAL,
        **faults: Unpack[Faults],
    ) -> None:
        self.state = state
        self.net_cl = net_cl
        self.flags = flags
        self.sub_states = list(sub_states)
        self.name = name
        super().__init__(**faults)
        self.mode = mode

    def _parse(self, data: bytes) -> tuple[Any, ...] | None:
        cookie = parse_poll(data)
        return None if cookie is None else (cookie,)

    def _silent_now(self) -> bool:
        return self.mode is Mode.SILENT

    def _answer(self, cookie: int) -> bytes:
        if self.mode is Mode.GARBAGE:
            return b"\xd5\xf7" + bytes(range(40))
        if self.mode is Mode.WRONG_TOKEN:
            cookie ^= 0xFFFF
        name = "n" * 9000 if self.mode is Mode.OVERSIZED else self.name
        response = encode_response(
            cookie,
            state=self.state,
            net_cl=self.net_cl,
            flags=self.flags,
            sub_states=self.sub_states,
            name=name,
            sub_state_format="<BI" if self.mode is Mode.WIDE_SUB_STATES else "<BH",
            terminator=0x00 if self.mode is Mode.NO_TERMINATOR else 0x01,
        )
        if self.mode is Mode.TRUNCATED:
            return response[:-4]
        return response
