"""The games Outpost knows: display name, default ports, where A2S answers, which RCON.

The query port is the users' most common stumbling block (it often differs from the port
players connect to), so each game carries its rule; :func:`Game.query_port_for` applies it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class RconKind(enum.Enum):
    NONE = "none"
    SOURCE = "source"
    BATTLEYE = "battleye"

    @property
    def label(self) -> str:
        return {"none": "none", "source": "Source RCON", "battleye": "BattlEye RCon"}[self.value]


class PortRule(enum.Enum):
    """How a derived port (query or RCON) relates to the game port."""

    SAME = "same"  # the game port itself
    OFFSET = "offset"  # game port + value
    FIXED = "fixed"  # always value, whatever the game port


@dataclass(frozen=True, slots=True)
class DerivedPort:
    rule: PortRule
    value: int = 0

    def resolve(self, game_port: int) -> int:
        if self.rule is PortRule.SAME:
            return game_port
        if self.rule is PortRule.OFFSET:
            return game_port + self.value
        return self.value

    def describe(self) -> str:
        if self.rule is PortRule.SAME:
            return "game port"
        if self.rule is PortRule.OFFSET:
            return f"game port {'+' if self.value >= 0 else '-'} {abs(self.value)}"
        return str(self.value)


SAME = DerivedPort(PortRule.SAME)


def offset(value: int) -> DerivedPort:
    return DerivedPort(PortRule.OFFSET, value)


def fixed(value: int) -> DerivedPort:
    return DerivedPort(PortRule.FIXED, value)


@dataclass(frozen=True, slots=True)
class Game:
    key: str
    name: str
    default_port: int
    query: DerivedPort
    rcon: RconKind = RconKind.NONE
    # Ignored when ``rcon`` is NONE.
    rcon_port: DerivedPort = SAME
    # Source RCON profile name (bot.protocols.rcon.profiles); None: srcds behaviour, with
    # servers that zero every id recognised at login.
    rcon_profile: str | None = None

    @property
    def has_rcon(self) -> bool:
        return self.rcon is not RconKind.NONE

    def query_port_for(self, game_port: int) -> int:
        return _clamp(self.query.resolve(game_port))

    def rcon_port_for(self, game_port: int) -> int | None:
        if not self.has_rcon:
            return None
        return _clamp(self.rcon_port.resolve(game_port))


def _clamp(port: int) -> int:
    # An offset from a port near 65535 must still give a valid port number.
    return min(max(port, 1), 65535)


_GAMES = (
    # BattlEye games: RCon on game+3 by default (RConPort in beserver.cfg / serverDZ.cfg).
    Game("dayz", "DayZ", 2302, fixed(27016), RconKind.BATTLEYE, offset(3)),
    Game("arma3", "Arma 3", 2302, offset(1), RconKind.BATTLEYE, offset(3)),
    # Reforger's A2S must be enabled in its config; BE RCon is configured separately.
    Game("arma_reforger", "Arma Reforger", 2001, fixed(17777), RconKind.BATTLEYE, fixed(19999)),
    Game("squad", "Squad", 7787, fixed(27165), RconKind.SOURCE, fixed(21114), "squad"),
    Game("ark", "ARK: Survival Evolved", 7777, fixed(27015), RconKind.SOURCE, fixed(27020), "ark"),
    # Palworld zeroes every RCON id and answers each command with exactly one packet.
    Game("palworld", "Palworld", 8211, fixed(27015), RconKind.SOURCE, fixed(25575), "palworld"),
    Game("project_zomboid", "Project Zomboid", 16261, SAME, RconKind.SOURCE, fixed(27015)),
    Game("valheim", "Valheim", 2456, offset(1)),
    Game("rust", "Rust", 28015, offset(2)),
    Game("7dtd", "7 Days to Die", 26900, SAME),
    # Source engine games: query and RCON on the game port, 27015 by default.
    Game("cs2", "Counter-Strike 2", 27015, SAME, RconKind.SOURCE, SAME),
    Game("csgo", "Counter-Strike: Global Offensive", 27015, SAME, RconKind.SOURCE, SAME),
    Game("css", "Counter-Strike: Source", 27015, SAME, RconKind.SOURCE, SAME),
    Game("tf2", "Team Fortress 2", 27015, SAME, RconKind.SOURCE, SAME),
    Game("gmod", "Garry's Mod", 27015, SAME, RconKind.SOURCE, SAME),
    Game("l4d2", "Left 4 Dead 2", 27015, SAME, RconKind.SOURCE, SAME),
    Game("insurgency_sandstorm", "Insurgency: Sandstorm", 27102, fixed(27131)),
    # For anything else that answers A2S: the user gives the ports.
    Game("other_source", "Other (Source RCON)", 27015, SAME, RconKind.SOURCE, SAME),
    Game("other", "Other (query only)", 27015, SAME),
)

GAMES: dict[str, Game] = {g.key: g for g in _GAMES}


def get_game(key: str) -> Game | None:
    return GAMES.get(key)


def search_games(text: str, limit: int = 25) -> list[Game]:
    """Games whose name or key contains ``text``; name prefix matches first."""
    needle = text.strip().casefold()
    hits = [
        g for g in GAMES.values() if needle in g.name.casefold() or needle in g.key.casefold()
    ]
    hits.sort(key=lambda g: (not g.name.casefold().startswith(needle), g.name.casefold()))
    return hits[:limit]
