"""Server message lines parsed into typed events (Arma 3 / DayZ formats).

Player names are chosen by players, so they can contain spaces, brackets, colons, non-ASCII and
whole message patterns. Two defences:

* every pattern is anchored at both ends, and where a name sits between two fixed parts the
  part after the name is the one BattlEye writes last (the name is matched greedily), so a name
  cannot end a line early;
* when the caller knows the names (``names``: player id -> name from the cache, or a
  :class:`NameIndex` kept by the client), a line about a known id is read with that exact name,
  and chat lines are split on the longest known name.

The cache only helps to split a line; what the event carries always comes from the line itself.
A line no pattern knows becomes :class:`UnknownMessage`; nothing is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# Longest player name the client keeps (BattlEye/Arma names are far shorter); a longer name in a
# line is still parsed, it just never matches a known one. Bounds the chat split below.
MAX_NAME = 256

_GUID = r"[0-9A-Fa-f]{32}"
# ASCII digits, bounded: re's \d takes any script's digits, and int() refuses past 4,300 digits.
_ID = r"(?P<id>[0-9]{1,9})"
_ADDR = r"(?P<ip>[^\s()]+):(?P<port>[0-9]{1,5})"

_ADMIN_LOGIN = re.compile(rf"RCon admin #{_ID} \({_ADDR}\) logged in")
_ADMIN_CHAT = re.compile(rf"RCon admin #{_ID}: \((?P<rest>.*)", re.DOTALL)
_CONNECT = re.compile(rf"Player #{_ID} (?P<name>.*) \({_ADDR}\) connected", re.DOTALL)
_GUID_LINE = re.compile(rf"Player #{_ID} (?P<name>.*) - BE GUID: (?P<guid>{_GUID})", re.DOTALL)
_DISCONNECT = re.compile(rf"Player #{_ID} (?P<name>.*) disconnected", re.DOTALL)
_KICK = re.compile(
    rf"Player #{_ID} (?P<name>.*) \((?P<guid>{_GUID}|-)\) has been kicked by BattlEye: "
    r"(?P<reason>.*)",
    re.DOTALL,
)
# Some servers write kicks without the GUID part ("Player #9 Ghost has been kicked by ...").
_KICK_NO_GUID = re.compile(
    rf"Player #{_ID} (?P<name>.*) has been kicked by BattlEye: (?P<reason>.*)", re.DOTALL
)
_VERIFIED = re.compile(
    rf"Verified GUID \((?P<guid>{_GUID})\) of player #{_ID} (?P<name>.*)", re.DOTALL
)
_PLAYER_PREFIX = re.compile(rf"Player #{_ID} ")

# Arma 3 / DayZ chat channels; custom radio channels fall back to the generic form.
CHANNELS = ("Global", "Side", "Command", "Group", "Vehicle", "Direct", "System", "Unknown")

# BattlEye's own notices (berconpy changelog 2.1.1 / 2.1.4 / 3.1.0 and server logs).
_NOTICES_EXACT = frozenset(
    {
        "Connected to BE Master",
        "Disconnected from BE Master",
        "Ban check timed out, no response from BE Master",
        "Failed to resolve BE Master DNS name(s)",
        "Master query timed out, no response from BE Master",
    }
)
_NOTICE_PREFIXES = (
    "Config entry:",
    "Failed to receive from BE Master",
    "Could not connect to BE Master",
)


@dataclass(frozen=True, slots=True)
class AdminLogin:
    admin_id: int
    ip: str
    port: int

    @property
    def addr(self) -> str:
        return f"{self.ip}:{self.port}"


@dataclass(frozen=True, slots=True)
class AdminChat:
    """``channel`` is ``"Global"`` or ``"To <name>"``; ``recipient`` is the name for whispers."""

    admin_id: int
    channel: str
    text: str
    recipient: str | None = None


@dataclass(frozen=True, slots=True)
class PlayerConnect:
    player_id: int
    name: str
    ip: str
    port: int


@dataclass(frozen=True, slots=True)
class PlayerGuid:
    player_id: int
    name: str
    guid: str


@dataclass(frozen=True, slots=True)
class PlayerVerifyGuid:
    player_id: int
    name: str
    guid: str


@dataclass(frozen=True, slots=True)
class PlayerDisconnect:
    player_id: int
    name: str


@dataclass(frozen=True, slots=True)
class PlayerKick:
    player_id: int
    name: str
    guid: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class PlayerChat:
    channel: str
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class BattlEyeNotice:
    text: str


@dataclass(frozen=True, slots=True)
class UnknownMessage:
    text: str


MessageEvent = (
    AdminLogin
    | AdminChat
    | PlayerConnect
    | PlayerGuid
    | PlayerVerifyGuid
    | PlayerDisconnect
    | PlayerKick
    | PlayerChat
    | BattlEyeNotice
    | UnknownMessage
)


class NameIndex:
    """The known names, kept up to date by the client on each change of its player cache, so
    parsing a line never walks the whole cache (a hostile server can fill it)."""

    __slots__ = ("_by_id", "_ids")

    def __init__(self, names: Mapping[int, str] | None = None) -> None:
        self._by_id: dict[int, str] = {}
        self._ids: dict[str, set[int]] = {}
        for player_id, name in (names or {}).items():
            self.set(player_id, name)

    def set(self, player_id: int, name: str) -> None:
        self.discard(player_id)
        self._by_id[player_id] = name
        self._ids.setdefault(name, set()).add(player_id)

    def discard(self, player_id: int) -> None:
        old = self._by_id.pop(player_id, None)
        if old is not None:
            ids = self._ids[old]
            ids.discard(player_id)
            if not ids:
                del self._ids[old]

    def clear(self) -> None:
        self._by_id.clear()
        self._ids.clear()

    def get(self, player_id: int) -> str | None:
        return self._by_id.get(player_id)

    def id_of(self, name: str) -> int | None:
        """The lowest player id holding ``name`` (names need not be unique)."""
        ids = self._ids.get(name)
        return min(ids) if ids else None

    def __contains__(self, name: object) -> bool:
        return name in self._ids

    def __len__(self) -> int:
        return len(self._by_id)

    def longest_prefix(self, text: str, sep: str, start: int = 0) -> str | None:
        """The longest known name ``n`` with ``text[start:]`` starting ``n + sep``.

        Only separator positions within MAX_NAME characters are tried: a few set lookups per
        line, whatever the size of the cache or of the line.
        """
        limit = start + MAX_NAME + len(sep)
        positions: list[int] = []
        pos = text.find(sep, start)
        while 0 <= pos <= limit:
            positions.append(pos)
            pos = text.find(sep, pos + 1)
        for pos in reversed(positions):
            candidate = text[start:pos]
            if candidate and candidate in self._ids:
                return candidate
        return None


def is_battleye_notice(line: str) -> bool:
    return line in _NOTICES_EXACT or line.startswith(_NOTICE_PREFIXES)


def parse_message(line: str, names: NameIndex | Mapping[int, str] | None = None) -> MessageEvent:
    """Parse one server message; ``names`` (id -> name) resolves ambiguous lines."""
    known = names if isinstance(names, NameIndex) else NameIndex(names)
    if line.startswith("Player #"):
        return _parse_player_line(line, known) or UnknownMessage(line)
    if line.startswith("Verified GUID ("):
        m = _VERIFIED.fullmatch(line)
        if m is not None:
            return PlayerVerifyGuid(int(m["id"]), m["name"], m["guid"])
        return UnknownMessage(line)
    if line.startswith("RCon admin #"):
        return _parse_admin_line(line, known) or UnknownMessage(line)
    if line.startswith("("):
        return _parse_chat(line, known) or UnknownMessage(line)
    if is_battleye_notice(line):
        return BattlEyeNotice(line)
    return UnknownMessage(line)


def _parse_player_line(line: str, known: NameIndex) -> MessageEvent | None:
    prefix = _PLAYER_PREFIX.match(line)
    if prefix is None:
        return None
    player_id = int(prefix["id"])
    name = known.get(player_id)
    if name is not None and line.startswith(f"Player #{player_id} {name} "):
        exact = _parse_player_suffix(player_id, name, line[prefix.end() + len(name) + 1 :])
        if exact is not None:
            return exact
    # Unknown id (or the name changed): the pattern whose end BattlEye writes wins. A kick
    # reason is the only free text at the end, so the fixed endings are tried first.
    if m := _GUID_LINE.fullmatch(line):
        return PlayerGuid(player_id, m["name"], m["guid"])
    if m := _DISCONNECT.fullmatch(line):
        return PlayerDisconnect(player_id, m["name"])
    if m := _CONNECT.fullmatch(line):
        return PlayerConnect(player_id, m["name"], m["ip"], int(m["port"]))
    if m := _KICK.fullmatch(line):
        return PlayerKick(player_id, m["name"], _guid_or_none(m["guid"]), m["reason"])
    if m := _KICK_NO_GUID.fullmatch(line):
        return PlayerKick(player_id, m["name"], None, m["reason"])
    return None


_SUFFIX_GUID = re.compile(rf"- BE GUID: (?P<guid>{_GUID})")
_SUFFIX_CONNECT = re.compile(rf"\({_ADDR}\) connected")
_SUFFIX_KICK = re.compile(
    rf"(?:\((?P<guid>{_GUID}|-)\) )?has been kicked by BattlEye: (?P<reason>.*)", re.DOTALL
)


def _parse_player_suffix(player_id: int, name: str, suffix: str) -> MessageEvent | None:
    if suffix == "disconnected":
        return PlayerDisconnect(player_id, name)
    if m := _SUFFIX_GUID.fullmatch(suffix):
        return PlayerGuid(player_id, name, m["guid"])
    if m := _SUFFIX_KICK.fullmatch(suffix):
        return PlayerKick(player_id, name, _guid_or_none(m["guid"] or "-"), m["reason"])
    if m := _SUFFIX_CONNECT.fullmatch(suffix):
        return PlayerConnect(player_id, name, m["ip"], int(m["port"]))
    return None


def _guid_or_none(guid: str) -> str | None:
    return None if guid == "-" else guid


def _parse_admin_line(line: str, known: NameIndex) -> MessageEvent | None:
    if m := _ADMIN_LOGIN.fullmatch(line):
        return AdminLogin(int(m["id"]), m["ip"], int(m["port"]))
    m = _ADMIN_CHAT.fullmatch(line)
    if m is None:
        return None
    admin_id, rest = int(m["id"]), m["rest"]
    if rest.startswith("Global) "):
        return AdminChat(admin_id, "Global", rest[len("Global) ") :])
    if rest.startswith("To "):
        # The recipient is a player name: prefer a known one (longest first).
        name = known.longest_prefix(rest, ") ", 3)
        if name is not None:
            return AdminChat(admin_id, f"To {name}", rest[len(name) + 5 :], name)
        split = rest.find(") ")
        if split > 3:
            recipient = rest[3:split]
            return AdminChat(admin_id, f"To {recipient}", rest[split + 2 :], recipient)
        return None
    split = rest.find(") ")
    if split < 0:
        return None
    return AdminChat(admin_id, rest[:split], rest[split + 2 :])


def _parse_chat(line: str, known: NameIndex) -> MessageEvent | None:
    channel: str | None = None
    for candidate in CHANNELS:
        if line.startswith(f"({candidate}) "):
            channel = candidate
            break
    if channel is None:
        close = line.find(") ")
        if close < 2:
            return None
        channel = line[1:close]
    rest = line[len(channel) + 3 :]
    name = known.longest_prefix(rest, ": ")
    if name is not None:
        return PlayerChat(channel, name, rest[len(name) + 2 :])
    split = rest.find(": ")
    if split < 0:
        return None
    return PlayerChat(channel, rest[:split], rest[split + 2 :])
