"""The game catalogue: everything Outpost knows about a game, from one data file.

``games.toml`` (next to this module) is the only place that knows games: ports and their rules,
the query and admin protocols, the console commands of each typed ``/rcon`` action and the
config lines that enable query and console. It is validated here at import: a broken row raises
:class:`CatalogueError` naming the row and the field, so a bad edit fails every test at once.
"""

from __future__ import annotations

import enum
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from bot.adapters.registry import QUERY_PROTOCOL_NAMES

# Re-exported: the typed actions' templates are part of what the catalogue is.
from bot.catalogue.templates import ACTION_FIELDS as ACTION_FIELDS
from bot.catalogue.templates import ACTIONS as ACTIONS
from bot.catalogue.templates import fields as fields
from bot.catalogue.templates import render as render
from bot.catalogue.templates import required as required
from bot.protocols.rcon.profiles import PROFILES as RCON_PROFILES


class CatalogueError(ValueError):
    """A row of the catalogue does not match the schema."""

    def __init__(self, row: str, field_name: str, problem: str) -> None:
        super().__init__(f"catalogue row {row!r}, field {field_name!r}: {problem}")
        self.row = row
        self.field = field_name


class RconKind(enum.Enum):
    """The admin protocol of a game."""

    NONE = "none"
    SOURCE = "source"
    BATTLEYE = "battleye"
    WEBRCON = "webrcon"
    SDTD = "sdtd_telnet"
    PALWORLD_REST = "palworld_rest"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self.value]


_KIND_LABELS = {
    "none": "none",
    "source": "Source RCON",
    "battleye": "BattlEye RCon",
    "webrcon": "Rust WebRCON",
    "sdtd_telnet": "7 Days to Die telnet",
    "palworld_rest": "Palworld REST API",
}
# Catalogue spelling of the admin protocols: the admin adapters' names (bot.adapters.registry).
ADMIN_PROTOCOLS = {
    "source_rcon": RconKind.SOURCE,
    "battleye": RconKind.BATTLEYE,
    "webrcon": RconKind.WEBRCON,
    "sdtd_telnet": RconKind.SDTD,
    "palworld_rest": RconKind.PALWORLD_REST,
}
ADMIN_PROTOCOL_OF = {kind: name for name, kind in ADMIN_PROTOCOLS.items()}
# Query protocols a row may name: those with an adapter, and "none" (no query at all).
QUERY_PROTOCOLS = QUERY_PROTOCOL_NAMES | {"none"}


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
class Console:
    """A console dialect: the exact commands of the typed actions it supports."""

    key: str
    protocol: RconKind
    actions: Mapping[str, tuple[str, ...]]
    # How an unban names the ban (UNBAN_IDS).
    unban_id: str = "steamid"
    # The console's answer to a command it does not know (regex, searched per line).
    unknown_command: re.Pattern[str] | None = None
    # How the answer to its "players" command is read ("": not read, no typed player actions).
    player_list: str = ""
    # Timed bans end by themselves on this console (else the ban list lifts them at expiry).
    ban_expires: bool = False

    def supports(self, action: str) -> bool:
        return action in self.actions

    def rejected(self, output: str) -> str | None:
        """The line saying the console did not accept a command, if there is one."""
        if self.unknown_command is None:
            return None
        for line in output.splitlines():
            if self.unknown_command.search(line):
                return line.strip()
        return None


@dataclass(frozen=True, slots=True)
class Game:
    key: str
    name: str
    default_port: int
    query: DerivedPort
    rcon: RconKind = RconKind.NONE
    # Ignored when ``rcon`` is NONE.
    rcon_port: DerivedPort = SAME
    # Source RCON profile name (bot.protocols.rcon.profiles); None: srcds behaviour.
    rcon_profile: str | None = None
    aliases: tuple[str, ...] = ()
    query_protocol: str = "a2s"
    # More query ports to try when the configured one is silent (rules as for ``query``).
    probe: tuple[DerivedPort, ...] = ()
    console: Console | None = None
    hides_player_names: bool = False
    query_hint: str = ""
    admin_hint: str = ""
    source: str = ""

    @property
    def has_rcon(self) -> bool:
        return self.rcon is not RconKind.NONE

    @property
    def admin_protocol(self) -> str | None:
        """The admin adapter's protocol name (``source_rcon``, ``battleye``…), or None."""
        return ADMIN_PROTOCOL_OF.get(self.rcon)

    @property
    def actions(self) -> tuple[str, ...]:
        if self.console is None:
            return ()
        return tuple(a for a in ACTIONS if self.console.supports(a))

    def query_port_for(self, game_port: int) -> int:
        return _clamp(self.query.resolve(game_port))

    def rcon_port_for(self, game_port: int) -> int | None:
        if not self.has_rcon:
            return None
        return _clamp(self.rcon_port.resolve(game_port))

    def probe_ports_for(self, game_port: int) -> list[int]:
        """The query ports worth trying first for a server on ``game_port``, best first."""
        ports = [self.query_port_for(game_port)]
        ports += [_clamp(p.resolve(game_port)) for p in self.probe]
        return list(dict.fromkeys(ports))

    def matches(self, needle: str) -> bool:
        return any(needle in text.casefold() for text in (self.name, self.key, *self.aliases))


def _clamp(port: int) -> int:
    # An offset from a port near 65535 must still give a valid port number.
    return min(max(port, 1), 65535)


# -- loading -----------------------------------------------------------------------------------

_KEY = re.compile(r"[a-z0-9][a-z0-9_]{0,39}")
_ROW_FIELDS = frozenset(
    {
        "name",
        "aliases",
        "game_port",
        "query_protocol",
        "query_port",
        "probe",
        "admin",
        "actions",
        "hides_player_names",
        "query_hint",
        "admin_hint",
        "source",
    }
)
_ADMIN_FIELDS = frozenset({"protocol", "port", "profile", "console"})
_CONSOLE_FIELDS = frozenset(
    {"protocol", "actions", "unban_id", "unknown_command", "player_list", "ban_expires"}
)
# How the "players" answer is read ("adapter": the console adapter lists players itself).
PLAYER_LISTS = frozenset(
    {"", "srcds_status", "squad", "battleye", "minecraft", "ark", "zomboid", "adapter"}
)
# How an unban names the ban: a SteamID, the number from the ban list, or one identifier token
# (a Minecraft name, a SteamID64, a Palworld userId).
UNBAN_IDS = frozenset({"steamid", "number", "player"})
PROFILES = frozenset(RCON_PROFILES)


def _port(row: str, name: str, value: object) -> DerivedPort:
    """``"same"``, ``"+N"``/``"-N"`` (offset) or an integer (fixed)."""
    if value == "same":
        return SAME
    if isinstance(value, str) and re.fullmatch(r"[+-]\d{1,5}", value):
        return offset(int(value))
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 65536:
        return fixed(value)
    raise CatalogueError(row, name, f'{value!r} is not "same", "+N", "-N" or a port number')


def _text(row: str, name: str, value: object, *, required: bool = False) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        raise CatalogueError(row, name, "must be a non-empty string" if required else "not text")
    return value


def _actions(row: str, name: str, raw: object) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise CatalogueError(row, name, "must be a table of action = [commands]")
    out: dict[str, tuple[str, ...]] = {}
    for action, commands in raw.items():
        where = f"{name}.{action}"
        if action not in ACTION_FIELDS:
            raise CatalogueError(row, where, f"unknown action; known: {', '.join(ACTION_FIELDS)}")
        if (
            not isinstance(commands, list)
            or not commands
            or not all(isinstance(c, str) and c.strip() for c in commands)
        ):
            raise CatalogueError(row, where, "must be a non-empty list of commands")
        for command in commands:
            used = fields(command)
            extra = used - ACTION_FIELDS[action]
            if extra:
                raise CatalogueError(row, where, f"unknown placeholder {sorted(extra)[0]!r}")
        out[action] = tuple(commands)
    return out


def _console(key: str, raw: object) -> Console:
    row = f"consoles.{key}"
    if not isinstance(raw, dict):
        raise CatalogueError(row, "", "must be a table")
    for name in raw:
        if name not in _CONSOLE_FIELDS:
            raise CatalogueError(row, name, "unknown field")
    protocol = ADMIN_PROTOCOLS.get(raw.get("protocol", ""))
    if protocol is None:
        raise CatalogueError(row, "protocol", f"one of {', '.join(ADMIN_PROTOCOLS)}")
    unban_id = raw.get("unban_id", "steamid")
    if unban_id not in UNBAN_IDS:
        raise CatalogueError(row, "unban_id", f"one of {', '.join(sorted(UNBAN_IDS))}")
    unknown = raw.get("unknown_command")
    pattern = None
    if unknown is not None:
        try:
            pattern = re.compile(_text(row, "unknown_command", unknown, required=True))
        except re.error as exc:
            raise CatalogueError(row, "unknown_command", f"bad regex: {exc}") from None
    player_list = raw.get("player_list", "")
    if player_list not in PLAYER_LISTS:
        raise CatalogueError(row, "player_list", f"one of {sorted(PLAYER_LISTS)}")
    actions = _actions(row, "actions", raw.get("actions", {}))
    if not player_list and any(a in actions for a in ("kick", "ban", "ban_guid", "whisper")):
        # Those act on a player picked from the live list, which must be readable.
        raise CatalogueError(row, "player_list", "needed by kick, ban and whisper")
    ban_expires = raw.get("ban_expires", False)
    if not isinstance(ban_expires, bool):
        raise CatalogueError(row, "ban_expires", "must be true or false")
    if ban_expires and "ban_offline" not in actions:
        raise CatalogueError(row, "ban_expires", "needs a ban_offline command")
    if ("ban_offline" in actions) != ("unban_offline" in actions):
        raise CatalogueError(row, "unban_offline", "ban_offline and unban_offline go together")
    return Console(key, protocol, actions, unban_id, pattern, player_list, ban_expires)


def _game(key: str, raw: object, consoles: Mapping[str, Console]) -> Game:
    if not _KEY.fullmatch(key):
        raise CatalogueError(key, "key", "lowercase letters, digits and _ only")
    if not isinstance(raw, dict):
        raise CatalogueError(key, "", "must be a table")
    for name in raw:
        if name not in _ROW_FIELDS:
            raise CatalogueError(key, name, "unknown field")
    if "game_port" not in raw:
        raise CatalogueError(key, "game_port", "missing")
    game_port = _port(key, "game_port", raw["game_port"])
    if game_port.rule is not PortRule.FIXED:
        raise CatalogueError(key, "game_port", "must be a port number")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise CatalogueError(key, "aliases", "must be a list of names")
    query_protocol = raw.get("query_protocol", "a2s")
    if query_protocol not in QUERY_PROTOCOLS:
        raise CatalogueError(key, "query_protocol", f"one of {', '.join(sorted(QUERY_PROTOCOLS))}")
    probe = raw.get("probe", [])
    if not isinstance(probe, list):
        raise CatalogueError(key, "probe", "must be a list of port rules")
    hides = raw.get("hides_player_names", False)
    if not isinstance(hides, bool):
        raise CatalogueError(key, "hides_player_names", "must be true or false")
    rcon, rcon_port, profile, console = RconKind.NONE, SAME, None, None
    admin = raw.get("admin")
    if admin is not None:
        rcon, rcon_port, profile, console = _admin(key, admin, consoles)
    if "actions" in raw:
        if console is None:
            raise CatalogueError(key, "actions", "a game without a console has no actions")
        own = _actions(key, "actions", raw["actions"])
        console = Console(
            f"{console.key}+{key}",
            console.protocol,
            {**console.actions, **own},
            console.unban_id,
            console.unknown_command,
            console.player_list,
            console.ban_expires,
        )
    return Game(
        key=key,
        name=_text(key, "name", raw.get("name"), required=True),
        default_port=game_port.value,
        query=_port(key, "query_port", raw.get("query_port", "same")),
        rcon=rcon,
        rcon_port=rcon_port,
        rcon_profile=profile,
        aliases=tuple(aliases),
        query_protocol=query_protocol,
        probe=tuple(_port(key, "probe", p) for p in probe),
        console=console,
        hides_player_names=hides,
        query_hint=_text(key, "query_hint", raw.get("query_hint", "")),
        admin_hint=_text(key, "admin_hint", raw.get("admin_hint", "")),
        source=_text(key, "source", raw.get("source"), required=True),
    )


def _admin(
    key: str, admin: object, consoles: Mapping[str, Console]
) -> tuple[RconKind, DerivedPort, str | None, Console | None]:
    if not isinstance(admin, dict):
        raise CatalogueError(key, "admin", "must be a table")
    for name in admin:
        if name not in _ADMIN_FIELDS:
            raise CatalogueError(key, f"admin.{name}", "unknown field")
    kind = ADMIN_PROTOCOLS.get(admin.get("protocol", ""))
    if kind is None:
        raise CatalogueError(key, "admin.protocol", f"one of {', '.join(ADMIN_PROTOCOLS)}")
    port = _port(key, "admin.port", admin.get("port"))
    profile = admin.get("profile")
    if profile is not None and (kind is not RconKind.SOURCE or profile not in PROFILES):
        raise CatalogueError(key, "admin.profile", f"a Source RCON profile: {sorted(PROFILES)}")
    console = None
    if "console" in admin:
        console = consoles.get(admin["console"])
        if console is None:
            raise CatalogueError(key, "admin.console", f"no console {admin['console']!r}")
        if console.protocol is not kind:
            raise CatalogueError(key, "admin.console", "speaks another protocol")
    # "srcds" is the default profile: stored as None, as the pool expects.
    return kind, port, None if profile == "srcds" else profile, console


@dataclass(frozen=True, slots=True)
class Catalogue:
    games: Mapping[str, Game]
    consoles: Mapping[str, Console]


def parse(text: str) -> Catalogue:
    """The catalogue in ``text`` (TOML), validated; raises :class:`CatalogueError`."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError("", "", f"not valid TOML: {exc}") from None
    consoles = {k: _console(k, v) for k, v in data.get("consoles", {}).items()}
    games: dict[str, Game] = {}
    seen: dict[str, str] = {}
    for key, raw in data.get("games", {}).items():
        game = _game(key, raw, consoles)
        for name in (game.key, *game.aliases):
            folded = name.casefold()
            if seen.get(folded, key) != key:
                raise CatalogueError(key, "aliases", f"{name!r} also names {seen[folded]!r}")
            seen[folded] = key
        games[key] = game
    if not games:
        raise CatalogueError("", "games", "no games")
    return Catalogue(games, consoles)


CATALOGUE = parse(resources.files(__package__).joinpath("games.toml").read_text("utf-8"))
GAMES: Mapping[str, Game] = CATALOGUE.games
CONSOLES: Mapping[str, Console] = CATALOGUE.consoles


def get_game(key: str) -> Game | None:
    return GAMES.get(key)


def query_protocol_of(key: str) -> str:
    """The query protocol of a stored game key (A2S for a key the catalogue lost)."""
    game = GAMES.get(key)
    return game.query_protocol if game is not None else "a2s"


def search_games(text: str, limit: int = 25) -> list[Game]:
    """Games whose name, key or an alias contains ``text``: exact names first, then name
    prefixes, then alias prefixes, then the rest, each by name."""
    needle = text.strip().casefold()

    def rank(game: Game) -> tuple[int, str]:
        name = game.name.casefold()
        others = [game.key.casefold(), *(a.casefold() for a in game.aliases)]
        if needle in (name, *others):
            return 0, name
        if name.startswith(needle):
            return 1, name
        if any(o.startswith(needle) for o in others):
            return 2, name
        return 3, name

    hits = sorted((g for g in GAMES.values() if g.matches(needle)), key=rank)
    return hits[:limit]
