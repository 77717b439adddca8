"""Typed values for players, bans and admins, and parsers for the command outputs listing them.

Formats (Arma 3 / DayZ)::

    Players on server:
    [#] [IP Address]:[Port] [Ping] [GUID] [Name]
    --------------------------------------------------
    0   1.2.3.4:2304    47   394e2c09af98b00fd4094f86c7921622(OK) Spam (Lobby)
    (1 players in total)

Parsers skip lines they do not understand instead of failing the whole list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

# The address may be IPv6; the port is after the last colon. Numbers are bounded ASCII digits:
# re's \d takes any script's digits, and int() refuses a server's 5,000-digit "id".
_N = r"[0-9]{1,9}"
_PORT = r"[0-9]{1,5}"
_PLAYER_ROW = re.compile(
    rf"(?P<id>{_N})\s+(?P<ip>\S+):(?P<port>{_PORT})\s+(?P<ping>-?{_N})\s+"
    r"(?P<guid>[0-9A-Za-z]+|-)\((?P<status>[^()\s]*)\) (?P<name>.*)"
)
_BAN_ROW = re.compile(
    rf"(?P<index>{_N})\s+(?P<id>\S+)\s+(?P<duration>[0-9]{{1,12}}|-|perm)(?:\s+(?P<reason>.*))?"
)
_ADMIN_ROW = re.compile(rf"(?P<id>{_N})\s+(?P<ip>\S+):(?P<port>{_PORT})")
_LOBBY_SUFFIX = " (Lobby)"


@dataclass(frozen=True, slots=True)
class Player:
    """A player as BattlEye knows them.

    ``id`` is the server-given number (``-1`` for a chat author the cache does not know yet);
    ``ping`` is ``None`` until a ``players`` listing reports it; ``guid`` is ``""`` until known.
    """

    id: int
    name: str
    ip: str = ""
    port: int = 0
    ping: int | None = None
    guid: str = ""
    guid_verified: bool = False
    in_lobby: bool = False

    @property
    def addr(self) -> str:
        return f"{self.ip}:{self.port}"


@dataclass(frozen=True, slots=True)
class Ban:
    """One entry of ``bans``; ``duration`` is minutes left, ``None`` when permanent, -1 expired."""

    index: int
    id: str
    kind: Literal["guid", "ip"]
    duration: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class Admin:
    id: int
    ip: str
    port: int

    @property
    def addr(self) -> str:
        return f"{self.ip}:{self.port}"


# Only CR/LF end a console line: str.splitlines() also splits on U+0085, U+2028 and C0
# separators, which a player can put in a name to vanish from the list or forge a row.
_LINE_END = re.compile(r"\r\n|\r|\n")


def _lines(text: str) -> list[str]:
    return _LINE_END.split(text)


def parse_players(text: str) -> list[Player]:
    players: list[Player] = []
    for line in _lines(text):
        m = _PLAYER_ROW.fullmatch(line.strip("\r"))
        if m is None:
            continue
        name = m["name"]
        in_lobby = name.endswith(_LOBBY_SUFFIX)
        if in_lobby:
            name = name.removesuffix(_LOBBY_SUFFIX)
        guid = m["guid"]
        players.append(
            Player(
                id=int(m["id"]),
                name=name,
                ip=m["ip"],
                port=int(m["port"]),
                ping=int(m["ping"]),
                guid="" if guid == "-" else guid,
                guid_verified=m["status"] == "OK",
                in_lobby=in_lobby,
            )
        )
    return players


def parse_bans(text: str) -> list[Ban]:
    bans: list[Ban] = []
    kind: Literal["guid", "ip"] = "guid"
    for raw in _lines(text):
        line = raw.strip()
        lowered = line.lower()
        if lowered.startswith("guid bans"):
            kind = "guid"
            continue
        if lowered.startswith("ip bans"):
            kind = "ip"
            continue
        m = _BAN_ROW.fullmatch(line)
        if m is None:
            continue
        raw_duration = m["duration"]
        duration: int | None = None
        if raw_duration != "perm":
            duration = -1 if raw_duration == "-" else int(raw_duration)
        bans.append(Ban(int(m["index"]), m["id"], kind, duration, (m["reason"] or "").strip()))
    return bans


def parse_admins(text: str) -> list[Admin]:
    admins: list[Admin] = []
    for line in _lines(text):
        m = _ADMIN_ROW.fullmatch(line.strip())
        if m is not None:
            admins.append(Admin(int(m["id"]), m["ip"], int(m["port"])))
    return admins


def parse_missions(text: str) -> list[str]:
    lines = [line.strip() for line in _lines(text)]
    if lines and lines[0].lower().startswith("missions on server"):
        lines = lines[1:]
    return [line for line in lines if line]
