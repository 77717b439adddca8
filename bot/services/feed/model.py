"""Event kinds and the categories users subscribe a feed to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.services.errors import UserError

JOIN = "join"
LEAVE = "leave"
CHAT = "chat"
KICK = "kick"
BAN = "ban"
ADMIN_LOGIN = "admin_login"
ADMIN_MESSAGE = "admin_message"
# An admin did something in game (Squad: took the admin camera, warned a player).
ADMIN_ACTION = "admin_action"
SERVER_UP = "server_up"
SERVER_DOWN = "server_down"
MAP_CHANGE = "map_change"
DEATH = "death"
# Server lifecycle the console announces: a world save, a restart or shutdown to come.
SAVE = "save"
RESTART = "restart"
# Stored for sessions and watches, never posted: BattlEye sends the GUID just after a join.
GUID = "guid"

# Console events are stored with the admin protocol's name as their source ("battleye",
# "sdtd_telnet"…; "console" if it is unknown).
SOURCE_BATTLEYE = "battleye"
SOURCE_CONSOLE = "console"
SOURCE_A2S = "a2s"  # derived from successive player lists: approximate
SOURCE_STATUS = "status"

CATEGORIES: dict[str, frozenset[str]] = {
    "joins": frozenset({JOIN}),
    "leaves": frozenset({LEAVE}),
    "chat": frozenset({CHAT}),
    "kicks": frozenset({KICK}),
    "bans": frozenset({BAN}),
    "admin": frozenset({ADMIN_LOGIN, ADMIN_MESSAGE, ADMIN_ACTION}),
    "status": frozenset({SERVER_UP, SERVER_DOWN, MAP_CHANGE}),
    "deaths": frozenset({DEATH}),
    "server": frozenset({SAVE, RESTART}),
}
ALL = frozenset(CATEGORIES)
_SPLIT = re.compile(r"[\s,;]+")


def kinds_of(categories: frozenset[str]) -> frozenset[str]:
    """The event kinds a set of categories delivers."""
    return frozenset(k for c in categories for k in CATEGORIES.get(c, ()))


def parse_categories(text: str | None) -> frozenset[str]:
    """``"joins, leaves chat"`` -> categories; empty or ``all`` means every category."""
    words = [w for w in _SPLIT.split((text or "").strip().lower()) if w]
    if not words or words == ["all"]:
        return ALL
    unknown = [w for w in words if w not in CATEGORIES]
    if unknown:
        raise UserError(key="feeds.unknown_event", events=", ".join(CATEGORIES))
    return frozenset(words)


def describe(categories: frozenset[str]) -> str:
    if categories >= ALL:
        return "all events"
    return ", ".join(c for c in CATEGORIES if c in categories)


@dataclass(frozen=True, slots=True)
class Roster:
    """The players a console lists right after a (re)login (or the first A2S list, a
    baseline): sessions are made to match it, since joins and leaves while nobody was looking
    were never seen."""

    server_id: int
    players: tuple[str, ...]
    at: float
    source: str = SOURCE_BATTLEYE
