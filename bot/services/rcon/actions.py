"""Typed RCON commands: validated input in, the exact console lines for each protocol out.

User text never reaches a console unchecked. Player ids are integers (names are resolved to ids
from the live list before this module is called); ban ids are integers (BattlEye) or SteamIDs
(Source); reasons and messages are refused — never silently cleaned — when they hold anything
that could end the argument and start a second command: on Source ``;`` chains commands and a
quote closes the quoted argument; on both, line breaks and control characters split or corrupt
the command. Only :func:`plan_exec` passes raw text, and only to ``exec`` holders.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.catalogue import CONSOLES, Console, Game, RconKind, fields, render, required
from bot.rendering.text import clip, escape, sanitize
from bot.services.rcon.errors import RconError, RconInvalidInput, RconNotConfigured
from bot.services.rcon.permissions import Action
from bot.services.servers.addresses import literal_ip

MAX_REASON = 120
MAX_MESSAGE = 200
MAX_EXEC = 500
MAX_BAN_MINUTES = 60 * 24 * 365 * 10
_STEAM_ID = re.compile(r"STEAM_[0-5]:[01]:\d{1,10}|\[U:1:\d{1,10}\]|\d{17}")
_GUID = re.compile(r"[0-9a-fA-F]{32}")
# An autocomplete value: "#<slot> g:<uid> <name>" (GUID/SteamID known) or "#<slot> n:<name>".
_TOKEN = re.compile(r"#(?P<id>\d{1,9}) (?P<kind>[gn]):(?P<value>.+)", re.DOTALL)
_TOKEN_MAX = 100  # Discord's limit for a choice value


class PlayerLeft(RconInvalidInput):
    """The chosen player is no longer on the server (their slot may hold someone else now)."""

    def __init__(self, name: str) -> None:
        super().__init__(key="rcon.player_left", name=escape(clip(name, 100)))
        self.name = name


@dataclass(frozen=True, slots=True)
class PlayerRef:
    """A player on the live list: the id is what commands use (on BattlEye a slot the server
    gives the next player who joins), the name is for display, ``uid`` is the identity that
    outlives the slot when the server shows one (BattlEye GUID, Source SteamID)."""

    id: int
    name: str
    uid: str = ""
    # What the console's own list calls the player where that is neither the slot nor the
    # uid (a Minecraft or Zomboid name, a 7DTD entity id, a Palworld userId); "" for none.
    handle: str = ""

    def same_player(self, other: PlayerRef) -> bool:
        if self.uid and other.uid:
            return self.uid.casefold() == other.uid.casefold()
        return self.id == other.id and self.name == other.name

    @property
    def guid(self) -> str:
        """The BattlEye GUID, when ``uid`` is one."""
        return self.uid.lower() if _GUID.fullmatch(self.uid) else ""


@dataclass(frozen=True, slots=True)
class Plan:
    """The console lines of one action, sent in order, and a summary for the audit log."""

    action: Action
    commands: tuple[str, ...]
    arguments: str
    target: PlayerRef | None = None  # the player a kick or ban is aimed at


# What the plans are made for: a catalogue game (its console's commands), or a bare protocol
# (srcds or BattlEye commands, for callers without a game).
Dialect = RconKind | Game


class RconUnsupported(RconError):
    """The game's console has no command for this typed action (``exec`` still works)."""

    outcome = "denied"

    def __init__(self, game: str, action: str) -> None:
        super().__init__(key="rcon.unsupported", action=action.replace("_", " "), game=escape(game))


def _kind(dialect: Dialect) -> RconKind:
    return dialect if isinstance(dialect, RconKind) else dialect.rcon


def console_for(dialect: Dialect, action: str) -> Console:
    """The console whose template ``action`` uses; refuses games without RCON and actions the
    game's console does not support."""
    kind = _kind(dialect)
    if kind is RconKind.NONE:
        raise RconNotConfigured(key="rcon.no_rcon")
    if isinstance(dialect, RconKind):
        bare = CONSOLES["srcds" if kind is RconKind.SOURCE else "battleye"]
        if not bare.supports(action):
            raise RconUnsupported(kind.label, action)
        return bare
    console = dialect.console
    if console is None or not console.supports(action):
        raise RconUnsupported(dialect.name, action)
    return console


# Consoles that read quoted arguments and ``;``-separated commands: text must not hold either.
_QUOTING_CONSOLES = frozenset({RconKind.SOURCE, RconKind.WEBRCON, RconKind.SDTD})


def _control(text: str) -> bool:
    return any(
        ord(ch) < 0x20 or ord(ch) == 0x7F or 0x80 <= ord(ch) < 0xA0 or ch in "\u2028\u2029"
        for ch in text
    )


def check_text(dialect: Dialect, text: str, *, what: str, limit: int, allow_empty: bool) -> str:
    """``text`` as given, or :class:`RconInvalidInput` saying what is not allowed. ``what``
    (``reason`` or ``message``) names the refusal's keys: ``rcon.text.<what>_empty``…"""
    key = f"rcon.text.{what}"
    if not text.strip():
        if allow_empty:
            return ""
        raise RconInvalidInput(key=f"{key}_empty")
    if len(text) > limit:
        raise RconInvalidInput(key=f"{key}_too_long", count=limit)
    if _control(text):
        raise RconInvalidInput(key=f"{key}_control")
    if _kind(dialect) in _QUOTING_CONSOLES:
        bad = sorted({ch for ch in text if ch in ';"'})
        if bad:
            if len(bad) > 1:  # both: their own text, no "and" glued together in code
                raise RconInvalidInput(key=f"{key}_quotes_both")
            raise RconInvalidInput(key=f"{key}_quotes", char=f"`{bad[0]}`")
    return text.strip()


def _commands(console: Console, action: str, **values: str) -> tuple[str, ...]:
    templates = console.actions[action]
    if any(not values.get(name) for t in templates for name in required(t)):
        # e.g. a kick by SteamID for a player whose SteamID the list did not show.
        raise RconInvalidInput(key="rcon.missing_id")
    return tuple(render(t, values) for t in templates)


def plan_players(dialect: Dialect) -> Plan:
    console = console_for(dialect, "players")
    return Plan(Action.PLAYERS, _commands(console, "players"), "")


def plan_kick(dialect: Dialect, player: PlayerRef, reason: str = "") -> Plan:
    console = console_for(dialect, "kick")
    why = check_text(dialect, reason, what="reason", limit=MAX_REASON, allow_empty=True)
    pid = _player_id(player)
    commands = _commands(
        console, "kick", id=str(pid), uid=player.uid, handle=_handle(player), reason=why
    )
    return Plan(Action.KICK, commands, _args(player=player, reason=why), player)


def plan_ban(
    dialect: Dialect, player: PlayerRef, minutes: int | None = None, reason: str = ""
) -> Plan:
    """``minutes`` None or 0: permanent."""
    console = console_for(dialect, "ban")
    why = check_text(dialect, reason, what="reason", limit=MAX_REASON, allow_empty=True)
    length = _minutes(minutes)
    values = {
        "id": str(_player_id(player)),
        "uid": player.uid,
        "handle": _handle(player),
        "minutes": str(length),
        "limit": str(length or PERMANENT_LIMIT_MINUTES),
        "length": f"{length}m" if length else "0",
        "reason": why,
    }
    if player.guid and console.supports("ban_guid"):
        # By GUID when the console can: the ban lands on the player, not on the slot.
        commands = _commands(console, "ban_guid", guid=player.guid, **values)
    else:
        commands = _commands(console, "ban", **values)
    return Plan(
        Action.BAN,
        commands,
        _args(player=player, minutes=length or "permanent", reason=why),
        player,
    )


def plan_unban(dialect: Dialect, ban: str) -> Plan:
    console = console_for(dialect, "unban")
    value = ban.strip()
    if console.unban_id == "player":
        if not _WORD.fullmatch(value):
            raise RconInvalidInput(key="rcon.unban.word")
    elif console.unban_id == "steamid":
        if not _STEAM_ID.fullmatch(value):
            raise RconInvalidInput(key="rcon.unban.steamid")
    else:
        if not value.isdigit() or not value.isascii() or len(value) > 9:
            raise RconInvalidInput(key="rcon.unban.battleye")
        value = str(int(value))
    return Plan(Action.BAN, _commands(console, "unban", ban=value), _args(ban=ban.strip()))


def plan_bans(dialect: Dialect) -> Plan:
    console = console_for(dialect, "bans")
    return Plan(Action.BAN, _commands(console, "bans"), "list")


def plan_say(dialect: Dialect, message: str) -> Plan:
    console = console_for(dialect, "say")
    text = check_text(dialect, message, what="message", limit=MAX_MESSAGE, allow_empty=False)
    return Plan(Action.SAY, _commands(console, "say", message=text), _args(message=text))


def plan_whisper(dialect: Dialect, player: PlayerRef, message: str) -> Plan:
    """A private message to one player; needs the ``say`` permission."""
    console = console_for(dialect, "whisper")
    text = check_text(dialect, message, what="message", limit=MAX_MESSAGE, allow_empty=False)
    pid = _player_id(player)
    commands = _commands(
        console, "whisper", id=str(pid), uid=player.uid, handle=_handle(player), message=text
    )
    return Plan(Action.SAY, commands, "whisper " + _args(player=player, message=text), player)


def plan_save(dialect: Dialect) -> Plan:
    """Save the world now; the ``exec`` permission (it stalls a busy server for a moment)."""
    console = console_for(dialect, "save")
    return Plan(Action.EXEC, _commands(console, "save"), "save")


# Palworld's longest countdown (its REST API refuses more); a day is enough everywhere.
MAX_SHUTDOWN_SECONDS = 86_400
SHUTDOWN_MESSAGE = "The server is shutting down"


def plan_shutdown(dialect: Dialect, seconds: int | None = None, message: str = "") -> Plan:
    """Stop the server: after ``seconds`` (None or 0: now) with ``message`` told to the players,
    where the console has a countdown and a message; refused where it has not (rather than
    stopping at once what was asked to stop later)."""
    console = console_for(dialect, "shutdown")
    text = check_text(dialect, message, what="message", limit=MAX_MESSAGE, allow_empty=True)
    if seconds is None:
        seconds = 0
    if isinstance(seconds, bool) or not 0 <= seconds <= MAX_SHUTDOWN_SECONDS:
        raise RconInvalidInput(key="rcon.shutdown.countdown_range", max=MAX_SHUTDOWN_SECONDS)
    templates = console.actions["shutdown"]
    used = {m for t in templates for m in fields(t)}
    game = dialect.name if isinstance(dialect, Game) else _kind(dialect).label
    if seconds and "seconds" not in used:
        raise RconInvalidInput(key="rcon.shutdown.no_countdown", game=escape(game))
    if text and "message" not in used:
        raise RconInvalidInput(key="rcon.shutdown.no_message", game=escape(game))
    commands = _commands(
        console, "shutdown", seconds=str(seconds), message=text or SHUTDOWN_MESSAGE
    )
    when = f"in {seconds} s" if seconds else "now"
    return Plan(Action.EXEC, commands, f"shutdown {when} {_args(message=text)}".strip())


WHITELIST_OPS = ("add", "remove")
# Minecraft's rule for a player name (3-16 of A-Z a-z 0-9 _): nothing that could chain a command.
_MINECRAFT_NAME = re.compile(r"[A-Za-z0-9_]{3,16}")


def plan_whitelist(dialect: Dialect, op: str, name: str) -> Plan:
    """``whitelist add|remove <name>``; the ``ban`` permission (it decides who may join)."""
    if op not in WHITELIST_OPS:
        raise RconInvalidInput(key="rcon.whitelist.op")
    console = console_for(dialect, f"whitelist_{op}")
    value = name.strip()
    if not _MINECRAFT_NAME.fullmatch(value):
        raise RconInvalidInput(key="rcon.whitelist.name")
    commands = _commands(console, f"whitelist_{op}", name=value)
    return Plan(Action.BAN, commands, f"whitelist {op} " + _args(name=value))


def plan_ban_ip(dialect: Dialect, target: str, reason: str = "") -> Plan:
    """``ban-ip <name or address>`` (Minecraft); the ``ban`` permission."""
    console = console_for(dialect, "ban_ip")
    value = target.strip()
    if not (_MINECRAFT_NAME.fullmatch(value) or literal_ip(value) is not None):
        raise RconInvalidInput(key="rcon.ban_ip_target")
    why = check_text(dialect, reason, what="reason", limit=MAX_REASON, allow_empty=True)
    commands = _commands(console, "ban_ip", name=value, reason=why)
    return Plan(Action.BAN, commands, "ban-ip " + _args(target=value, reason=why))


# Longest run of spaces an exec command may hold: the confirm shows the command whole, and a
# long run would push a second command out of sight.
MAX_SPACE_RUN = 4
_SPACE_RUN = re.compile(rf"\s{{{MAX_SPACE_RUN + 1},}}")


def _invisible(text: str) -> bool:
    """Characters a confirm cannot show faithfully: format characters (zero-width, bidi
    controls), other separators than the plain space, and blank fillers."""
    return any(
        unicodedata.category(ch) in ("Cf", "Zl", "Zp", "Co", "Cn")
        or (ch.isspace() and ch != " ")
        or ch in "\u115f\u1160\u3164\uffa0\u2800"
        for ch in text
    )


def plan_exec(dialect: Dialect, command: str) -> Plan:
    """Raw console text. Refused: line breaks and control characters (the protocols cannot
    carry them as one command), and whatever the confirm could not show as it is sent
    (invisible characters, long runs of spaces)."""
    if _kind(dialect) is RconKind.NONE:
        raise RconNotConfigured(key="rcon.no_rcon")
    if not command.strip():
        raise RconInvalidInput(key="rcon.exec.empty")
    if len(command) > MAX_EXEC:
        raise RconInvalidInput(key="rcon.exec.too_long", count=MAX_EXEC)
    if _control(command):
        raise RconInvalidInput(key="rcon.exec.control")
    if _invisible(command):
        raise RconInvalidInput(key="rcon.exec.invisible")
    if _SPACE_RUN.search(command.strip()):
        raise RconInvalidInput(key="rcon.exec.spaces", count=MAX_SPACE_RUN)
    return Plan(Action.EXEC, (command.strip(),), command.strip())


def player_token(player: PlayerRef) -> str:
    """The autocomplete value for ``player``: the slot and who holds it, so the command acts on
    the player that was chosen even when the slot changed hands meanwhile."""
    if player.uid and " " not in player.uid and len(player.uid) <= 40:
        # The name rides along for the "left the server" message only: display-safe.
        return f"#{player.id} g:{player.uid} {sanitize(player.name)}"[:_TOKEN_MAX]
    return f"#{player.id} n:{player.name}"[:_TOKEN_MAX]


def resolve_player(players: Sequence[PlayerRef], text: str) -> PlayerRef:
    """The player ``text`` names: a value from autocomplete (slot and identity), ``#id``, else
    a unique name (exact, then prefix, case-insensitive). Raises :class:`PlayerLeft` when the
    chosen player is no longer in ``players``."""
    token = _TOKEN.fullmatch(text.strip())
    if token is not None:
        slot, value, clipped = int(token["id"]), token["value"], len(text.strip()) >= _TOKEN_MAX
        if token["kind"] == "g":
            uid, _, name = value.partition(" ")
            for p in players:
                if p.uid and p.uid.casefold() == uid.casefold():
                    return p
            raise PlayerLeft(name or f"#{slot}")
        for p in players:
            # The name may have been clipped to fit the value.
            if p.id == slot and (p.name == value or (clipped and p.name.startswith(value))):
                return p
        raise PlayerLeft(value)
    wanted = text.strip()
    digits = wanted.removeprefix("#")
    if digits.isdigit() and digits.isascii():
        for p in players:
            if p.id == int(digits):
                return p
    folded = wanted.casefold()
    exact = [p for p in players if p.name.casefold() == folded]
    if len(exact) == 1:
        return exact[0]
    hits = exact or [p for p in players if p.name.casefold().startswith(folded)]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise RconInvalidInput(key="rcon.no_such_player")
    raise RconInvalidInput(key="rcon.ambiguous_player", count=len(hits))


def recheck_player(players: Sequence[PlayerRef], chosen: PlayerRef) -> PlayerRef:
    """``chosen`` as it is on the fresh list ``players``, or :class:`PlayerLeft`: by identity
    when known, else the same name still in the same slot."""
    for p in players:
        if chosen.same_player(p):
            return p
    raise PlayerLeft(chosen.name)


# A name or id that goes into a command as one word: nothing that could end it or start another.
_WORD = re.compile(r"[A-Za-z0-9_.:\-]{1,64}")
# "Permanent" on consoles whose bans need a length: ten years.
PERMANENT_LIMIT_MINUTES = 10 * 365 * 24 * 60


def _handle(player: PlayerRef) -> str:
    """The console's own name for the player, if it is one safe word (else "": the template
    that needs it then refuses the action instead of sending something else)."""
    return player.handle if _WORD.fullmatch(player.handle) else ""


def _player_id(player: PlayerRef) -> int:
    if isinstance(player.id, bool) or not isinstance(player.id, int) or player.id < 0:
        raise RconInvalidInput(key="rcon.invalid_player_id")
    return player.id


def _minutes(minutes: int | None) -> int:
    if minutes is None:
        return 0
    if isinstance(minutes, bool) or not 0 <= minutes <= MAX_BAN_MINUTES:
        raise RconInvalidInput(key="rcon.duration_range", max=MAX_BAN_MINUTES)
    return minutes


def _args(**values: object) -> str:
    """``key=value`` pairs for the audit log; empty values left out, text quoted."""
    parts: list[str] = []
    for key, value in values.items():
        if isinstance(value, PlayerRef):
            value = f"#{value.id} {value.name}"
        if value == "":
            continue
        parts.append(f"{key}={value!r}" if isinstance(value, str) else f"{key}={value}")
    return " ".join(parts)
