"""Quake 3 family out-of-band packets: the two requests and the two responses. No I/O.

::

    C→S  FF FF FF FF "getstatus <challenge>"
    S→C  FF FF FF FF "statusResponse\\n" <info string> "\\n" <player lines>
    C→S  FF FF FF FF "getinfo <challenge>"
    S→C  FF FF FF FF "infoResponse\\n" <info string>

One datagram each way: the server drops player lines that do not fit its buffer (ioq3
``MAX_MSGLEN`` 16384) rather than splitting, so there is nothing to reassemble. Only rcon
output comes in several datagrams, and rcon is not part of this package. Text is Latin-1
(every byte maps to one character, so decoding never fails).
"""

from __future__ import annotations

import re

from bot.protocols.quake3.errors import Q3MalformedError
from bot.protocols.quake3.models import Q3Info, Q3Player, Q3Status
from bot.protocols.quake3.text import InfoView, parse_infostring, strip_colours

OOB = b"\xff\xff\xff\xff"
STATUS_RESPONSE = "statusResponse"
INFO_RESPONSE = "infoResponse"
# ioq3 answers in at most 16384 bytes; twice that leaves room for forks with larger buffers.
MAX_RESPONSE_SIZE = 32768
# ioq3 ignores a request whose challenge is longer; the engine refuses \ ; " in info values.
MAX_CHALLENGE_CHARS = 128
_CHALLENGE = re.compile(rf"[0-9A-Za-z_.-]{{1,{MAX_CHALLENGE_CHARS}}}")
MAX_PLAYERS = 256  # ioq3/ET/CoD have at most 64 slots
MAX_NAME_CHARS = 128  # names are 32 visible characters at most, codes included in ioq3
MAX_EXTRA_CHARS = 64

# Applied to a stripped line: no lazy group before a trailing \s* (quadratic on long lines).
_PLAYER = re.compile(r"(-?[0-9]{1,10})\s+(-?[0-9]{1,10})(?:\s+(.*))?", re.DOTALL)

_HOSTNAME = ("sv_hostname", "hostname")
_GAMETYPE = ("g_gametype", "gametype")
_VERSION = ("version", "shortversion")
_NEEDPASS = ("g_needpass", "needpass", "pswrd")
_HUMANS = ("g_humanplayers", "humans")


def _request(command: str, challenge: str) -> bytes:
    if not _CHALLENGE.fullmatch(challenge):
        raise ValueError("a challenge is 1-128 letters, digits, '_', '.' or '-'")
    return OOB + f"{command} {challenge}".encode("ascii")


def encode_getstatus(challenge: str) -> bytes:
    return _request("getstatus", challenge)


def encode_getinfo(challenge: str) -> bytes:
    return _request("getinfo", challenge)


def _body(datagram: bytes, expected: str) -> str:
    """The text after ``FF FF FF FF <expected>\\n``."""
    if len(datagram) > MAX_RESPONSE_SIZE:
        raise Q3MalformedError("oversized", f"{len(datagram)} bytes > {MAX_RESPONSE_SIZE}")
    if not datagram.startswith(OOB):
        raise Q3MalformedError("not out-of-band", "no FF FF FF FF prefix")
    command, _, body = datagram[len(OOB) :].decode("latin-1").partition("\n")
    command = command.rstrip("\r")
    if command != expected:
        word = command.split(" ", 1)[0].split("\\", 1)[0][:32]
        raise Q3MalformedError("unexpected packet", f"{word!r}, expected {expected!r}")
    return body


def parse_player_line(line: str) -> Q3Player | None:
    """``score ping "name"`` (with anything some engines append), None for other lines.

    The name runs from the first to the last double quote on the line: ioq3 refuses ``"`` in
    names, but other engines may not, and DarkPlaces appends a team number after it.
    """
    match = _PLAYER.fullmatch(line.strip())
    if match is None:
        return None
    rest = match.group(3) or ""
    extra = ""
    if rest.startswith('"'):
        closing = rest.rfind('"')
        if closing > 0:
            rest, extra = rest[1:closing], rest[closing + 1 :].strip()
        else:
            rest = rest[1:]
    name_raw = rest[:MAX_NAME_CHARS]
    return Q3Player(
        score=int(match.group(1)),
        ping=int(match.group(2)),
        name=strip_colours(name_raw),
        name_raw=name_raw,
        extra=extra[:MAX_EXTRA_CHARS],
    )


def decode_status(datagram: bytes) -> Q3Status:
    """A ``statusResponse``; :class:`Q3MalformedError` for anything else (latency left 0)."""
    info_line, _, player_text = _body(datagram, STATUS_RESPONSE).partition("\n")
    pairs, truncated = parse_infostring(info_line.rstrip("\r"))
    players: list[Q3Player] = []
    for line in player_text.split("\n"):
        player = parse_player_line(line)
        if player is None:
            continue
        if len(players) == MAX_PLAYERS:
            truncated = True
            break
        players.append(player)
    view = InfoView(pairs)
    hostname_raw = view.text(_HOSTNAME)
    return Q3Status(
        hostname=strip_colours(hostname_raw),
        hostname_raw=hostname_raw,
        map=strip_colours(view.text(("mapname",))),
        max_players=view.integer(("sv_maxclients",)),
        gametype=strip_colours(view.text(_GAMETYPE)),
        game=strip_colours(view.text(("gamename",))),
        version=strip_colours(view.text(_VERSION)),
        protocol=view.integer(("protocol",)),
        needs_password=view.flag(_NEEDPASS),
        players=tuple(players),
        info=pairs,
        challenge=view.get("challenge"),
        truncated=truncated,
    )


def decode_info(datagram: bytes) -> Q3Info:
    """An ``infoResponse``; :class:`Q3MalformedError` for anything else (latency left 0)."""
    info_line = _body(datagram, INFO_RESPONSE).partition("\n")[0]
    pairs, truncated = parse_infostring(info_line.rstrip("\r"))
    view = InfoView(pairs)
    hostname_raw = view.text(_HOSTNAME)
    return Q3Info(
        hostname=strip_colours(hostname_raw),
        hostname_raw=hostname_raw,
        map=strip_colours(view.text(("mapname",))),
        clients=view.integer(("clients",)),
        humans=view.integer(_HUMANS),
        max_players=view.integer(("sv_maxclients",)),
        gametype=strip_colours(view.text(_GAMETYPE)),
        game=strip_colours(view.text(("gamename",))),
        protocol=view.integer(("protocol",)),
        needs_password=view.flag(_NEEDPASS),
        info=pairs,
        challenge=view.get("challenge"),
        truncated=truncated,
    )
