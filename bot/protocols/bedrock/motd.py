"""The pong's MOTD string, ``;``-separated, into typed fields. No I/O.

``Edition;MOTD line 1;Protocol;Version name;Players;Max players;Server unique ID;
MOTD line 2 (level name);Game mode;Game mode (numeric);Port v4;Port v6;`` (wiki.bedrock.dev).

Real servers leave fields empty (version name in mcstatus's capture) or stop early, so only the
first six are required (as gamedig does); the rest default to ``""``/``None``. Fields after
the twelfth are kept in ``extra``. Every field is clipped to ``MAX_FIELD_CHARS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.protocols.bedrock.errors import BedrockMalformedError

MAX_FIELD_CHARS = 256
KNOWN_FIELDS = 12
MAX_EXTRA_FIELDS = 16
REQUIRED_FIELDS = 6

# § and the character after it. Bedrock's codes differ from Java's (§g…§v colours, §m/§n are
# colours there, not strikethrough/underline) but every one is § plus one character, so
# plain text is the same either way. A lone § at the end goes too.
_FORMATTING = re.compile("§.?", re.DOTALL)
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_INT = re.compile(r"[+-]?\d{1,20}")


class Edition(StrEnum):
    """The first MOTD field."""

    POCKET = "MCPE"  # Bedrock Edition (any platform)
    EDUCATION = "MCEE"  # Minecraft Education


@dataclass(frozen=True, slots=True)
class Motd:
    """The MOTD fields; ``name``/``level_name`` are plain text, ``name_raw`` keeps the codes."""

    edition: Edition
    name: str
    name_raw: str
    protocol: int | None
    version: str
    players: int
    max_players: int
    server_id: int | None = None
    level_name: str = ""
    game_mode: str = ""
    game_mode_id: int | None = None
    port_v4: int | None = None
    port_v6: int | None = None
    extra: tuple[str, ...] = ()


def strip_formatting(text: str) -> str:
    """``text`` without ``§`` codes and control characters (for display)."""
    return _CONTROL.sub("", _FORMATTING.sub("", text))


def _int(field: str) -> int | None:
    field = field.strip()
    return int(field) if _INT.fullmatch(field) else None


def _port(field: str) -> int | None:
    # Servers send -1 for "not listening on this family" (mcstatus's capture: port v6 -1).
    value = _int(field)
    return value if value is not None and 0 < value <= 0xFFFF else None


def parse_motd(text: str) -> Motd:
    """Typed fields of a MOTD string; :class:`BedrockMalformedError` when it is not one."""
    fields = text.split(";", KNOWN_FIELDS + MAX_EXTRA_FIELDS)
    if len(fields) > KNOWN_FIELDS + MAX_EXTRA_FIELDS:
        fields.pop()  # the unsplit remainder beyond the bound
    if fields and fields[-1] == "":
        fields.pop()  # the string ends with ";"
    fields = [field[:MAX_FIELD_CHARS] for field in fields]
    if len(fields) < REQUIRED_FIELDS:
        raise BedrockMalformedError("not a MOTD", f"{len(fields)} fields, need {REQUIRED_FIELDS}")
    try:
        edition = Edition(fields[0])
    except ValueError:
        raise BedrockMalformedError("not a MOTD", f"unknown edition {fields[0][:16]!r}") from None
    players, max_players = _int(fields[4]), _int(fields[5])
    if players is None or max_players is None or players < 0 or max_players < 0:
        raise BedrockMalformedError("not a MOTD", "player counts are not numbers")
    rest = fields[6:] + [""] * (KNOWN_FIELDS - len(fields))
    return Motd(
        edition=edition,
        name=strip_formatting(fields[1]),
        name_raw=fields[1],
        protocol=_int(fields[2]),
        version=strip_formatting(fields[3]),
        players=players,
        max_players=max_players,
        server_id=_int(rest[0]),
        level_name=strip_formatting(rest[1]),
        game_mode=strip_formatting(rest[2]),
        game_mode_id=_int(rest[3]),
        port_v4=_port(rest[4]),
        port_v6=_port(rest[5]),
        extra=tuple(fields[KNOWN_FIELDS:]),
    )
