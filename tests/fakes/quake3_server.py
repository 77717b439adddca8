"""A fake Quake 3 family server answering ``getstatus``/``getinfo`` on loopback.

Contract::

    async with FakeQuake3Server(serverinfo={"sv_hostname": "^1Red"}, players=[(5, 40, "a")]) as s:
        status = await quake3.get_status(*s.address, timeout=1.0)

* ``serverinfo``: the getstatus info pairs (default ``DEFAULT_SERVERINFO``); ``players``: a list
  of ``(score, ping, name)`` tuples, sent as ``%i %i "%s"`` lines as ioq3 does, or of raw
  ``str`` lines for other engines' layouts. ``getinfo``: the getinfo pairs (default derived
  from ``serverinfo`` as ioq3's SVC_Info does). All may be changed while it runs. Text is sent
  as Latin-1.
* The challenge argument is echoed as the ``challenge`` key, as ioq3 does.
* ``mode`` (a :class:`Mode`): ``NORMAL``; ``SILENT`` never answers; ``GARBAGE`` answers junk;
  ``WRONG_TOKEN`` echoes another challenge; ``NO_CHALLENGE`` echoes none (FiveM getstatus,
  some CoD builds); ``OVERSIZED`` pads the answer past the client's datagram bound; ``PRINT``
  answers an OOB ``print`` packet instead (another command's reply).
* ``drop_first``: ignore that many requests (loss). ``stray``: junk datagrams before every
  answer. ``delay``: seconds before answering. ``raw``: bytes sent verbatim as the answer.
  ``rate_limit``: answer at most that many requests, then drop silently (ioq3's leaky bucket).
* ``requests`` counts datagrams, ``received`` keeps the last ``MAX_KEPT``; closes itself after
  ``lifetime`` seconds. Written from the protocol notes, not from the client's code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any, Unpack

from tests.fakes.udp_fake import Faults, UdpFake

OOB = b"\xff\xff\xff\xff"
DEFAULT_SERVERINFO = {
    "sv_hostname": "^1Fake ^7Arena",
    "mapname": "q3dm17",
    "sv_maxclients": "16",
    "g_gametype": "0",
    "gamename": "baseq3",
    "protocol": "68",
    "g_needpass": "0",
    "version": "ioq3 1.36_GIT linux-x86_64",
}
# The statusResponse example of the protocol notes (§4.1), byte for byte.
NOTES_STATUS = (
    b"\xff\xff\xff\xffstatusResponse\n\\sv_hostname\\^1EU^7 Race\\mapname\\aurora-speed1"
    b'\\sv_maxclients\\16\n12 48 "^1No^7va"\n'
)

Player = tuple[int, int, str] | str


class Mode(Enum):
    NORMAL = "normal"
    SILENT = "silent"
    GARBAGE = "garbage"
    WRONG_TOKEN = "wrong_token"
    NO_CHALLENGE = "no_challenge"
    OVERSIZED = "oversized"
    PRINT = "print"


def infostring(pairs: Mapping[str, str]) -> str:
    return "".join(f"\\{key}\\{value}" for key, value in pairs.items())


def player_line(player: Player) -> str:
    if isinstance(player, str):
        return player + "\n"
    score, ping, name = player
    return f'{score} {ping} "{name}"\n'


def encode_status(pairs: Mapping[str, str], players: Sequence[Player]) -> bytes:
    text = "statusResponse\n" + infostring(pairs) + "\n" + "".join(map(player_line, players))
    return OOB + text.encode("latin-1")


def encode_info(pairs: Mapping[str, str]) -> bytes:
    return OOB + ("infoResponse\n" + infostring(pairs)).encode("latin-1")


def parse_request(datagram: bytes) -> tuple[str, str] | None:
    """``(command, challenge)`` of a getstatus/getinfo request, else None."""
    if not datagram.startswith(OOB):
        return None
    # ioq3 reads the request with MSG_ReadStringLine, which stops at a NUL or a newline:
    # opengsq sends "getstatus\0", and ioq3 answers it.
    line = datagram[4:].split(b"\x00", 1)[0].split(b"\n", 1)[0]
    words = line.decode("latin-1").strip().split(" ")
    if words[0] not in ("getstatus", "getinfo"):
        return None
    challenge = words[1] if len(words) > 1 else ""
    if len(challenge) > 128:  # ioq3 ignores these
        return None
    return words[0], challenge


class FakeQuake3Server(UdpFake):
    def __init__(
        self,
        serverinfo: Mapping[str, str] | None = None,
        players: Sequence[Player] = (),
        *,
        getinfo: Mapping[str, str] | None = None,
        mode: Mode = Mode.NORMAL,
        rate_limit: int | None = None,
        **faults: Unpack[Faults],
    ) -> None:
        self.serverinfo = dict(serverinfo if serverinfo is not None else DEFAULT_SERVERINFO)
        self.players = list(players)
        self.getinfo = dict(getinfo) if getinfo is not None else None
        super().__init__(**faults)
        self.mode = mode
        self.rate_limit = rate_limit
        self.answered = 0

    def info_pairs(self) -> dict[str, str]:
        """What ioq3's SVC_Info would say for the current serverinfo and players."""
        if self.getinfo is not None:
            return dict(self.getinfo)
        source = self.serverinfo
        return {
            "protocol": source.get("protocol", "68"),
            "hostname": source.get("sv_hostname", ""),
            "mapname": source.get("mapname", ""),
            "clients": str(len(self.players)),
            "g_humanplayers": str(sum(1 for p in self.players if isinstance(p, tuple) and p[1])),
            "sv_maxclients": source.get("sv_maxclients", "0"),
            "gametype": source.get("g_gametype", "0"),
            "gamename": source.get("gamename", ""),
            "g_needpass": source.get("g_needpass", "0"),
        }

    def _parse(self, data: bytes) -> tuple[Any, ...] | None:
        return parse_request(data)

    def _silent_now(self) -> bool:
        return self.mode is Mode.SILENT

    def _may_answer(self) -> bool:
        if self.rate_limit is not None and self.answered >= self.rate_limit:
            return False
        self.answered += 1
        return True

    def _answer(self, command: str, challenge: str) -> bytes:
        if self.mode is Mode.GARBAGE:
            return b"\x00\x01garbage" * 4
        if self.mode is Mode.PRINT:
            return OOB + b"print\nServer is busy.\n"
        pairs = self.serverinfo if command == "getstatus" else self.info_pairs()
        pairs = dict(pairs)
        if self.mode is Mode.WRONG_TOKEN:
            pairs["challenge"] = challenge + "x"
        elif self.mode is not Mode.NO_CHALLENGE and challenge:
            # ioq3's Info_SetValueForKey drops a key whose value is empty: no challenge
            # asked, no challenge key.
            pairs["challenge"] = challenge
        if self.mode is Mode.OVERSIZED:
            pairs["padding"] = "p" * 40_000
        if command == "getstatus":
            return encode_status(pairs, self.players)
        return encode_info(pairs)
