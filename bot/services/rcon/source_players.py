"""Players from a Source server's ``status`` output (srcds and CS2 formats).

srcds::

    # userid name uniqueid connected ping loss state rate adr
    #      2 "Ann"  STEAM_1:0:123 05:12 50 0 active 786432 1.2.3.4:27005
    #      3 "BOT Bob"  BOT  active

CS2::

    ---------players--------
      id     time ping loss      state   rate adr name
       2    00:13   48    0     active 786432 1.2.3.4:27005 'Ann'

Lines that match neither are skipped; a name may contain any character, quotes included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.snapshots import MAX_LISTED_PLAYERS, MAX_PLAYER_NAME, clip_text

# Ids are bounded ASCII digits: int() refuses a hostile server's 5,000-digit "userid".
_SRCDS = re.compile(
    r'#\s*(?P<id>[0-9]{1,9})\s+(?:\d+\s+)?"(?P<name>.*)"\s+(?P<uid>\S+)(?P<rest>.*)'
)
_CS2 = re.compile(
    r"\s*(?P<id>[0-9]{1,9})\s+(?:\d+:)?\d+:\d+\s+\d+\s+\d+\s+\w+\s+\d+\s+(?P<adr>\S+)\s+'(?P<name>.*)'\s*"
)


@dataclass(frozen=True, slots=True)
class SourcePlayer:
    userid: int
    name: str
    uniqueid: str = ""  # SteamID when the server shows one

    @property
    def is_bot(self) -> bool:
        return self.uniqueid.upper() == "BOT"


# Only CR/LF end a console line: str.splitlines() also splits on U+0085, U+2028 and the like,
# which a player can put in a name to hide from the list (or forge a line).
_LINE_END = re.compile(r"\r\n|\r|\n")


def parse_status(text: str) -> list[SourcePlayer]:
    players: list[SourcePlayer] = []
    for line in _LINE_END.split(text):
        if len(players) >= MAX_LISTED_PLAYERS:
            break  # a hostile server may send any number of lines
        # Names are clipped: a hostile server chooses their length.
        m = _SRCDS.fullmatch(line)
        if m is not None:
            name = clip_text(m["name"], MAX_PLAYER_NAME)
            players.append(SourcePlayer(int(m["id"]), name, m["uid"][:64]))
            continue
        m = _CS2.fullmatch(line)
        if m is not None:
            players.append(SourcePlayer(int(m["id"]), clip_text(m["name"], MAX_PLAYER_NAME)))
    return players
