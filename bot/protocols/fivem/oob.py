"""Sans-IO codec of FXServer's out-of-band UDP ``getinfo`` (notes 3.2), on the game port.

``FF FF FF FF "getinfo <challenge>"`` is answered by
``FF FF FF FF "infoResponse\\n\\sv_maxclients\\48\\clients\\3\\challenge\\<challenge>\\..."``
with the same fields as dynamic.json. Over-limit requests (~2/s per IP, burst 10) are dropped
without an answer, so a lost reply looks like a timeout.
"""

from __future__ import annotations

import re

from bot.protocols.fivem.decode import as_int, build_dynamic
from bot.protocols.fivem.errors import NotFiveM
from bot.protocols.fivem.models import FiveMDynamic

OOB_PREFIX = b"\xff\xff\xff\xff"
INFO_RESPONSE = b"infoResponse"
MAX_DATAGRAM = 65_535
MAX_INFO_PAIRS = 64
_CHALLENGE = re.compile(r"[A-Za-z0-9]{1,32}")


def encode_getinfo(challenge: str) -> bytes:
    """The request datagram; the challenge is echoed back and ties the answer to it."""
    # FXServer cuts the challenge at the first space or newline (notes 3.2).
    if not _CHALLENGE.fullmatch(challenge):
        raise ValueError("challenge: 1-32 ASCII letters or digits")
    return OOB_PREFIX + b"getinfo " + challenge.encode("ascii")


def parse_infostring(text: str) -> dict[str, str]:
    """``\\k1\\v1\\k2\\v2`` -> a dict (keys lower-cased, first occurrence kept, bounded)."""
    parts = text.split("\\", 2 * MAX_INFO_PAIRS + 1)[1 : 2 * MAX_INFO_PAIRS + 1]
    pairs: dict[str, str] = {}
    for key, value in zip(parts[0::2], parts[1::2], strict=False):
        pairs.setdefault(key.lower(), value)
    return pairs


def decode_getinfo(datagram: bytes, challenge: str) -> FiveMDynamic:
    """An ``infoResponse`` to the request made with ``challenge``, or NotFiveM."""
    if len(datagram) > MAX_DATAGRAM or not datagram.startswith(OOB_PREFIX + INFO_RESPONSE):
        raise NotFiveM("getinfo: not an infoResponse")
    head, _, infostring = datagram[len(OOB_PREFIX) :].partition(b"\n")
    if head.rstrip() != INFO_RESPONSE:
        raise NotFiveM("getinfo: not an infoResponse")
    pairs = parse_infostring(infostring.decode("utf-8", errors="replace").rstrip("\n\x00"))
    if pairs.get("challenge") != challenge:
        raise NotFiveM("getinfo: answer to another request (challenge differs)")
    return build_dynamic(
        hostname=pairs.get("hostname", ""),
        gametype=pairs.get("gametype", ""),
        mapname=pairs.get("mapname", ""),
        clients=as_int(pairs.get("clients")),
        max_clients=as_int(pairs.get("sv_maxclients")),
        info_version=as_int(pairs.get("iv")),
    )
