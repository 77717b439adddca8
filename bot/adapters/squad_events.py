"""Squad's pushed RCON packets (type 1, sent unasked) as neutral console events.

Formats (protocol notes II, section 9, after SquadJS ``squad-server/rcon.js``)::

    [ChatAll] [Online IDs:EOS: 0002a1b2… steam: 76561198000000000] Foo : hello
    [Online Ids:EOS: … steam: …] Foo has possessed admin camera.
    [Online IDs:EOS: … steam: …] Foo has unpossessed admin camera.
    Remote admin has warned player Foo. Message was "text"
    Kicked player 3. [Online IDs= EOS: … steam: …] Foo
    Banned player 3. [Online IDs= EOS: … steam: …] Foo for interval 1d
    Foo (Online IDs: EOS: … steam: …) has created Squad 3 (Squad Name: ALPHA) on United States Army

Older servers write ``[SteamID:7656…]`` (chat, camera) and ``[steamid=7656…]`` (kick, ban) for
the ids part; the ``IDs`` label is matched whatever its case (``Ids`` on possess, ``IDs`` on
unpossess). The ids part is read as ``kind: id`` pairs in any order (SquadJS ``id-parser.js``),
as ``("eos", …)``, ``("steam", …)``.

Events: ``chat`` (channel ``global``, ``team``, ``squad`` or ``admin``), ``kick``, ``ban`` (text:
``for 1d`` or ``permanently``); the admin camera, warnings, squads created and every other
packet are a ``line`` (the packet's text, with the player and ids where it names them).

A hostile server chooses every byte: the text is clipped to :data:`MAX_LINE` before it is read,
every pattern is anchored and linear in the length, and what comes out is clipped (names
:data:`MAX_NAME`, texts :data:`MAX_TEXT`, at most :data:`MAX_IDS` ids).
"""

from __future__ import annotations

import re

from bot.adapters.admin import ConsoleEvent
from bot.protocols.rcon import RCONMessage

PROFILE = "squad"  # the Source RCON profile whose pushed packets these are
CHAT_VALUE = 1  # SERVERDATA_CHAT_VALUE: the packet type Squad pushes

MAX_LINE = 4096  # characters of a packet read (Squad's packets are at most 4096 bytes)
MAX_NAME = 128
MAX_TEXT = 1000
MAX_IDS = 8
MAX_ID_KIND = 16
MAX_ID = 64

CHANNELS = {"ChatAll": "global", "ChatTeam": "team", "ChatSquad": "squad", "ChatAdmin": "admin"}

# "[Online IDs:…]" (or the older "[SteamID:…]"); kicks and bans write "=" for ":".
_IDS = r"\[(?i:online ids{sep}(?P<ids>[^\]]*)|steamid{sep}(?P<steam>[^\]]*))\]"
_CHAT = re.compile(
    r"\[(?P<channel>ChatAll|ChatTeam|ChatSquad|ChatAdmin)\] "
    + _IDS.format(sep=":")
    # The text may be empty ("Foo :" once the packet's trailing space is stripped).
    + r" (?P<name>.+?) :(?: (?P<text>.*))?",
    re.DOTALL,
)
_CAMERA = re.compile(
    _IDS.format(sep=":") + r" (?P<name>.+) has (?i:(?P<un>un)?possessed admin camera)\.?",
    re.DOTALL,
)
_KICK = re.compile(r"Kicked player \d+\. " + _IDS.format(sep="=") + r" (?P<name>.+)", re.DOTALL)
_BAN = re.compile(
    r"Banned player \d+\. " + _IDS.format(sep="=") + r" (?P<name>.+) for interval (?P<for>\S+)",
    re.DOTALL,
)
_WARN = re.compile(r"Remote admin has warned player (?P<name>.+?)\. Message was \".*\"", re.DOTALL)
_SQUAD_CREATED = re.compile(r"(?P<name>.+) \((?i:online ids:)(?P<ids>[^)]*)", re.DOTALL)
_PAIR = re.compile(r"\s*(?P<kind>[^\s:]+)\s*:\s*(?P<id>\S+)")

Ids = tuple[tuple[str, str], ...]


def parse_ids(text: str) -> Ids:
    """``EOS: 0002… steam: 7656…`` as ``(("eos", "0002…"), ("steam", "7656…"))``: the first
    id of each kind, at most :data:`MAX_IDS`."""
    found: dict[str, str] = {}
    for pair in _PAIR.finditer(text):
        kind = pair["kind"].lower()[:MAX_ID_KIND]
        found.setdefault(kind, pair["id"][:MAX_ID])
        if len(found) >= MAX_IDS:
            break
    return tuple(found.items())


def _ids_of(match: re.Match[str]) -> Ids:
    steam = match["steam"]
    if steam is not None:
        steam = steam.strip()
        return (("steam", steam[:MAX_ID]),) if steam else ()
    return parse_ids(match["ids"] or "")


def _name(match: re.Match[str]) -> str:
    return match["name"].strip()[:MAX_NAME]


def parse(text: str) -> ConsoleEvent | None:
    """The console event of one pushed packet's text (None for an empty packet)."""
    line = text[:MAX_LINE].strip()
    if not line:
        return None
    kept = line[:MAX_TEXT]
    if line.startswith("[Chat") and (m := _CHAT.fullmatch(line)):
        channel = CHANNELS[m["channel"]]
        said = (m["text"] or "")[:MAX_TEXT]
        return ConsoleEvent("chat", _name(m), _ids_of(m), said, channel)
    if line.startswith("[") and line.lower().rstrip(".").endswith("possessed admin camera"):
        if m := _CAMERA.fullmatch(line):
            did = "left the admin camera" if m["un"] else "took the admin camera"
            return ConsoleEvent("admin_action", _name(m), _ids_of(m), did)
    if line.startswith("Kicked player ") and (m := _KICK.fullmatch(line)):
        return ConsoleEvent("kick", _name(m), _ids_of(m))
    if line.startswith("Banned player ") and (m := _BAN.fullmatch(line)):
        interval = m["for"][:MAX_ID]
        said = "permanently" if interval == "0" else f"for {interval}"
        return ConsoleEvent("ban", _name(m), _ids_of(m), said)
    if line.startswith("Remote admin has warned player ") and line.endswith('"'):
        if m := _WARN.fullmatch(line):
            return ConsoleEvent("line", _name(m), (), kept)
    head, created, _ = line.partition(") has created Squad ")
    if created and (m := _SQUAD_CREATED.fullmatch(head)):
        return ConsoleEvent("line", _name(m), parse_ids(m["ids"]), kept)
    return ConsoleEvent("line", text=kept)


def console_event(message: RCONMessage) -> ConsoleEvent | None:
    """The console event of a packet Squad pushed; None for other unasked packets (a late
    answer's tail) and empty ones."""
    if message.type != CHAT_VALUE:
        return None
    return parse(message.text)
