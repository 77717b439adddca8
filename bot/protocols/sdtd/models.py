"""Players (``listplayers`` / ``lp``) and bans (``ban list``), parsed from command output.

An ``lp`` row (protocol notes II, section 8)::

    0. id=171, Revlin McAwesome, pos=(-933.9, 76.1, 1757.7), rot=(0.0, -117.7, 0.0), remote=True,
    health=73, deaths=12, zombies=47, players=0, score=776, level=31, steamid=76561198012345678,
    ip=1.2.3.4, ping=25
    Total of 1 in the game

Names hold spaces and unescaped commas, so a row is anchored on ``id=N, `` and on the *last*
``, pos=(``; the columns after it vary by version (``steamid=`` before A21, ``pltfmid=`` /
``crossid=`` after) and are read by key, unknown ones kept in ``fields``. Parsers skip rows
they do not understand instead of failing the whole list.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .lines import clip, strip_colours

MAX_NAME_CHARS = 64
MAX_ID_CHARS = 96
MAX_FIELD_CHARS = 128
MAX_FIELDS = 32
MAX_TEXT_CHARS = 512

_ROW_START = re.compile(r"\s*\d{1,6}\. id=(?P<id>-?\d{1,10}), ", re.ASCII)
_POS_MARK = ", pos=("
# key=value, where a value is either a parenthesised vector or runs to the next comma.
_FIELD = re.compile(r"(?P<key>[A-Za-z_]\w{0,31})=(?P<value>\([^()]{0,200}\)|[^,]{0,512})")
_TOTAL = re.compile(r"Total of (?P<count>\d{1,9}) in the game", re.ASCII)
_INT = re.compile(r"-?\d{1,12}", re.ASCII)
_BAN_ROW = re.compile(
    r"\s*(?P<until>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) - (?P<id>\S{1,200}) "
    r"\((?P<name>.*?)\) - (?P<reason>.*)",
    re.ASCII | re.DOTALL,
)

Vector = tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class Player:
    """One ``lp`` row. Ids are as the server prints them (``""`` when its version has no such
    column): ``steam_id`` the bare SteamID64 of ``steamid=``, ``platform_id`` ``Steam_…`` or
    ``XBL_…`` (``pltfmid=``), ``cross_id`` ``EOS_…`` (``crossid=``)."""

    entity_id: int
    name: str
    position: Vector | None = None
    health: int | None = None
    level: int | None = None
    deaths: int | None = None
    zombie_kills: int | None = None
    player_kills: int | None = None
    score: int | None = None
    ping: int | None = None
    ip: str = ""
    steam_id: str = ""
    platform_id: str = ""
    cross_id: str = ""
    fields: tuple[tuple[str, str], ...] = ()

    @property
    def admin_id(self) -> str:
        """The id admin commands take: the EOS cross id on 1.x, else the platform id or
        SteamID, else the entity id."""
        return self.cross_id or self.platform_id or self.steam_id or str(self.entity_id)

    @property
    def raw(self) -> dict[str, str]:
        return dict(self.fields)


@dataclass(frozen=True, slots=True)
class Ban:
    """One ``ban list`` row; ``until`` is the expiry as printed (``YYYY-MM-DD HH:MM:SS``)."""

    until: str
    id: str
    name: str
    reason: str


def _vector(text: str) -> Vector | None:
    parts = text.strip("()").split(",")
    if len(parts) != 3:
        return None
    try:
        x, y, z = (float(part) for part in parts)
    except ValueError:
        return None
    if not all(math.isfinite(v) for v in (x, y, z)):
        return None
    return (x, y, z)


def _int(text: str | None) -> int | None:
    if text is None or _INT.fullmatch(text) is None:
        return None
    return int(text)


def parse_player_row(line: str) -> Player | None:
    start = _ROW_START.match(line)
    if start is None:
        return None
    mark = line.rfind(_POS_MARK)
    if mark < start.end() - 2:
        return None
    # ``id=171, , pos=`` would be an empty name: the row is still the player's.
    name = line[start.end() : mark] if mark >= start.end() else ""
    rest = line[mark + 2 :]  # from "pos=(" on
    fields: dict[str, str] = {}
    for m in _FIELD.finditer(rest):
        if len(fields) >= MAX_FIELDS:
            break
        fields.setdefault(m["key"].lower(), clip(m["value"].strip(), MAX_FIELD_CHARS))
    position = _vector(fields.get("pos", ""))
    return Player(
        entity_id=int(start["id"]),
        name=clip(strip_colours(name), MAX_NAME_CHARS),
        position=position,
        health=_int(fields.get("health")),
        level=_int(fields.get("level")),
        deaths=_int(fields.get("deaths")),
        zombie_kills=_int(fields.get("zombies")),
        player_kills=_int(fields.get("players")),
        score=_int(fields.get("score")),
        ping=_int(fields.get("ping")),
        ip=fields.get("ip", "")[:MAX_ID_CHARS],
        steam_id=fields.get("steamid", "")[:MAX_ID_CHARS],
        platform_id=fields.get("pltfmid", "")[:MAX_ID_CHARS],
        cross_id=fields.get("crossid", "")[:MAX_ID_CHARS],
        fields=tuple(fields.items()),
    )


def _lines(text: str) -> list[str]:
    # Only CR/LF end a console line (str.splitlines() also splits on U+2028 and friends,
    # which a player could put in a name to forge a row).
    return re.split(r"\r\n|\r|\n", text)


def parse_players(text: str) -> list[Player]:
    """The rows of an ``lp`` answer; other lines (the trailer, noise) are skipped."""
    players = []
    for line in _lines(text):
        player = parse_player_row(line)
        if player is not None:
            players.append(player)
    return players


def parse_total(text: str) -> int | None:
    """N of ``Total of N in the game`` (any number of digits, unlike chrani-bot's 1-2)."""
    for line in _lines(text):
        m = _TOTAL.fullmatch(line.strip())
        if m is not None:
            return int(m["count"])
    return None


def parse_bans(text: str) -> list[Ban]:
    """The rows of a ``ban list`` answer (the header line and anything else are skipped)."""
    bans = []
    for line in _lines(text):
        m = _BAN_ROW.fullmatch(line)
        if m is None:
            continue
        bans.append(
            Ban(
                until=m["until"],
                id=clip(m["id"], MAX_ID_CHARS),
                name=clip(m["name"], MAX_NAME_CHARS),
                reason=clip(m["reason"].strip(), MAX_TEXT_CHARS),
            )
        )
    return bans
