"""Reading the player lists of consoles whose answer is text (Minecraft, ARK, Project
Zomboid), and turning a console adapter's own list into player references.

Every value comes from a server that may be hostile: names are clipped, ids are taken only
when they have the exact shape expected, and a line that does not parse is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.adapters.admin import ConsolePlayer
from bot.protocols.text_checks import ascii_int
from bot.services.rcon.actions import PlayerRef
from bot.snapshots import MAX_LISTED_PLAYERS, MAX_PLAYER_NAME, clip_text

# "There are 2 of a max of 20 players online: Alex, Steve" (1.13+; older: "There are 2/20
# players online:" then the names on the next line).
_MC_HEAD = re.compile(r"There are \d+(?: of a max(?: of)? \d+| ?/ ?\d+) players online:?")
# Minecraft's own rule for names: 3-16 of [A-Za-z0-9_]; anything else cannot be in a command.
_MC_NAME = re.compile(r"[A-Za-z0-9_]{3,16}")
_ARK_LINE = re.compile(r"\s*\d+\. (?P<name>[^,]{1,200}), (?P<id>\d{17}|[0-9a-f]{32})\s*")
_PZ_LINE = re.compile(r"-(?P<name>.{1,200})")


# A parsed line: (name, id, handle); None for a line that does not parse.
Entry = tuple[str, str, str] | None


def _ref(index: int, name: str, uid: str = "", handle: str = "") -> PlayerRef:
    return PlayerRef(index, clip_text(name, MAX_PLAYER_NAME), uid, handle)


def _listed(entries: Iterable[Entry]) -> list[PlayerRef]:
    """The entries that parsed, numbered in order, at most MAX_LISTED_PLAYERS (a hostile server
    may send any number of lines: reading stops at the cap)."""
    players: list[PlayerRef] = []
    for entry in entries:
        if entry is None:
            continue
        name, uid, handle = entry
        players.append(_ref(len(players), name, uid, handle))
        if len(players) >= MAX_LISTED_PLAYERS:
            break
    return players


def _minecraft_entry(name: str) -> Entry:
    # Vanilla strips formatting; some plugins prefix ranks ("[Admin] Alex"): last word.
    name = name.split()[-1] if name.split() else ""
    return (name, "", name) if _MC_NAME.fullmatch(name) else None


def parse_minecraft_list(text: str) -> list[PlayerRef]:
    """Names from Minecraft's ``list``; the name is the handle kick/ban/tell take."""
    match = _MC_HEAD.search(text)
    if match is None:
        return []
    rest = text[match.end() :]
    return _listed(_minecraft_entry(n.strip()) for n in re.split(r"[,\n]", rest))


def _ark_entry(line: str) -> Entry:
    m = _ARK_LINE.fullmatch(line.rstrip("\r"))
    return None if m is None else (m["name"].strip(), m["id"], "")


def parse_ark_players(text: str) -> list[PlayerRef]:
    """ARK's ``ListPlayers``: "0. Name, 7656…" (ASA: an EOS id); kicks and bans take the id."""
    return _listed(_ark_entry(line) for line in text.split("\n"))


def _zomboid_entry(line: str) -> Entry:
    m = _PZ_LINE.fullmatch(line.strip())
    if m is None:
        return None
    name = m["name"].strip()
    # The name goes into kickuser "{handle}": only one safe word is used as the handle.
    handle = name if re.fullmatch(r"[A-Za-z0-9_.\-]{1,64}", name) else ""
    return (name, "", handle)


def parse_zomboid_players(text: str) -> list[PlayerRef]:
    """Project Zomboid's ``players``: "-name" lines after "Players connected (N):"."""
    return _listed(_zomboid_entry(line) for line in text.split("\n"))


TEXT_PARSERS = {
    "minecraft": parse_minecraft_list,
    "ark": parse_ark_players,
    "zomboid": parse_zomboid_players,
}


def from_console(players: list[ConsolePlayer]) -> list[PlayerRef]:
    """A console adapter's own list (Rust, 7 Days to Die, Palworld) as player references."""
    refs: list[PlayerRef] = []
    for index, p in enumerate(players[:MAX_LISTED_PLAYERS]):
        ids = dict(p.ids)
        uid = ids.get("steam") or ids.get("eos") or next(iter(ids.values()), "")
        number = ascii_int(p.handle, 9)
        slot = index if number is None else number
        refs.append(_ref(slot, p.name, uid, p.handle))
    return refs
