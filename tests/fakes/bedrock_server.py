"""A fake Minecraft Bedrock server answering RakNet Unconnected Pings on loopback.

Contract::

    async with FakeBedrockServer(motd=motd_string(players=3)) as server:
        status = await bedrock.ping(*server.address, timeout=1.0)

* ``motd``: the pong string (``str`` is UTF-8 encoded, ``bytes`` sent as is); default
  ``motd_string()``. ``server_guid``: the pong's GUID. Both may be changed while it runs.
* ``mode`` (a :class:`Mode`): ``NORMAL`` answers each valid ping; ``SILENT`` never answers;
  ``GARBAGE`` answers junk that is not a pong; ``WRONG_TOKEN`` echoes a time the client did
  not send; ``OVERSIZED`` pads the pong past the client's datagram bound; ``TRUNCATED`` cuts
  the pong inside its string.
* ``drop_first``: ignore that many pings first (loss: the client must resend).
  ``stray``: send that many junk datagrams before every answer.
  ``delay``: seconds before answering.
  ``raw``: bytes sent verbatim instead of the pong.
* ``requests`` counts datagrams received, ``received`` keeps the last ``MAX_KEPT``.
  The server closes itself after ``lifetime`` seconds even if a test forgets to.

The encoder here is written from the protocol notes on its own, not from the client's code.
"""

from __future__ import annotations

import struct
from enum import Enum
from typing import Any, Unpack

from tests.fakes.udp_fake import Faults, UdpFake

MAGIC = bytes.fromhex("00ffff00fefefefefdfdfdfd12345678")
# The example MOTD from the protocol notes (mcstatus's test capture).
NOTES_MOTD = (
    "MCPE;§r§4G§r§6a§r§ey§r§2B§r§1o§r§9w§r§ds§r§4e§r§6r;422;;1;69;3767071975391053022;;"
    "Default;1;19132;-1;"
)


class Mode(Enum):
    NORMAL = "normal"
    SILENT = "silent"
    GARBAGE = "garbage"
    WRONG_TOKEN = "wrong_token"
    OVERSIZED = "oversized"
    TRUNCATED = "truncated"


def motd_string(
    *,
    edition: str = "MCPE",
    name: str = "Fake Bedrock",
    protocol: int = 686,
    version: str = "1.21.2",
    players: int = 0,
    max_players: int = 10,
    server_id: int = 1234567890123,
    level_name: str = "Bedrock level",
    game_mode: str = "Survival",
    game_mode_id: int = 1,
    port_v4: int = 19132,
    port_v6: int = 19133,
) -> str:
    fields = (edition, name, protocol, version, players, max_players, server_id, level_name)
    tail = (game_mode, game_mode_id, port_v4, port_v6)
    return ";".join(str(f) for f in (*fields, *tail)) + ";"


def encode_pong(time: int, server_guid: int, motd: str | bytes) -> bytes:
    body = motd.encode("utf-8") if isinstance(motd, str) else motd
    return struct.pack(">BQQ16sH", 0x1C, time, server_guid, MAGIC, len(body)) + body


def parse_ping(datagram: bytes) -> tuple[int, int] | None:
    """``(time, client_guid)`` of a valid Unconnected Ping, else None."""
    if len(datagram) != 33 or datagram[0] != 0x01 or datagram[9:25] != MAGIC:
        return None
    time, guid = struct.unpack_from(">Q", datagram, 1)[0], struct.unpack_from(">Q", datagram, 25)[0]
    return int(time), int(guid)


class FakeBedrockServer(UdpFake):
    def __init__(
        self,
        motd: str | bytes | None = None,
        *,
        server_guid: int = 0x0123456789ABCDEF,
        mode: Mode = Mode.NORMAL,
        **faults: Unpack[Faults],
    ) -> None:
        self.motd: str | bytes = motd if motd is not None else motd_string()
        self.server_guid = server_guid
        super().__init__(**faults)
        self.mode = mode

    def _parse(self, data: bytes) -> tuple[Any, ...] | None:
        return parse_ping(data)

    def _silent_now(self) -> bool:
        return self.mode is Mode.SILENT

    def _answer(self, time: int, _client_guid: int) -> bytes:
        if self.mode is Mode.GARBAGE:
            return b"\x1d" + bytes(range(64))
        if self.mode is Mode.WRONG_TOKEN:
            time ^= 0x5A5A
        pong = encode_pong(time, self.server_guid, self.motd)
        if self.mode is Mode.OVERSIZED:
            body = self.motd.encode() if isinstance(self.motd, str) else self.motd
            padded = body + b"x" * 5000
            return encode_pong(time, self.server_guid, padded)
        if self.mode is Mode.TRUNCATED:
            return pong[: len(pong) - 5]
        return pong
