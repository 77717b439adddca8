"""Player identifiers kept with sessions and events, validated by shape (pure).

A console names a player's stable ids as ``(kind, value)`` pairs (:class:`~bot.adapters.admin.
ConsoleEvent`); the feed keeps at most one of each kind it knows — SteamID64, EOS id,
Minecraft UUID (the BattlEye GUID travels apart, in ``guid``) — and only values of the right
shape: a server is not trusted, so nothing else (a URL, a 64 KB string) is ever stored or
linked. The same shapes read what people type in ``/watch add`` and ``/player lookup``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.storage.events import NO_IDS, PlayerIds

# SteamID64 of an individual account (universe 1, type 1, instance 1): the base plus a 32-bit
# account number (0 is not an account).
STEAM_BASE = 76561197960265728
STEAM_MIN = STEAM_BASE + 1
STEAM_MAX = STEAM_BASE + 0xFFFF_FFFF
STEAM_PROFILE = "https://steamcommunity.com/profiles/{}"
# Pairs read from one event: adapters send two or three; a hostile one is not read to the end.
MAX_PAIRS_READ = 8

STEAM_KINDS = frozenset({"steam", "steamid", "steam_id"})
EOS_KINDS = frozenset({"eos", "eos_id"})
MINECRAFT_KINDS = frozenset({"minecraft_uuid", "minecraft", "uuid"})

_STEAM = re.compile(r"[0-9]{17}")
_HEX32 = re.compile(r"[0-9a-f]{32}")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# The legacy and Steam3 forms people paste from srcds ``status`` and ban lists:
# STEAM_X:Y:Z (account number 2Z + Y; X, the universe, is 0 or 1 for public accounts) and
# [U:1:N] (account number N).
_STEAM2 = re.compile(r"STEAM_[01]:([01]):([0-9]{1,10})", re.IGNORECASE)
_STEAM3 = re.compile(r"\[U:1:([0-9]{1,10})\]", re.IGNORECASE)
_LONGEST = 40  # the longest shape accepted ("EOS_" + 32): longer values are not looked at

__all__ = [
    "NO_IDS",
    "PlayerIds",
    "eos_id",
    "from_console",
    "mc_uuid",
    "steam_id",
    "steam_typed",
    "typed",
]


def steam_id(value: str) -> str | None:
    """``76561198…`` (an individual account's SteamID64), else None."""
    value = value.strip()
    if len(value) > _LONGEST or not _STEAM.fullmatch(value):
        return None
    return value if STEAM_MIN <= int(value) <= STEAM_MAX else None


def steam_typed(value: str) -> str | None:
    """A SteamID64 from what a person types: the 17 digits, ``STEAM_X:Y:Z`` or ``[U:1:N]``."""
    value = value.strip()
    if len(value) > _LONGEST:
        return None
    legacy, steam3 = _STEAM2.fullmatch(value), _STEAM3.fullmatch(value)
    if legacy is not None:
        account = int(legacy[2]) * 2 + int(legacy[1])
    elif steam3 is not None:
        account = int(steam3[1])
    else:
        return steam_id(value)
    return steam_id(str(STEAM_BASE + account)) if 0 < account <= 0xFFFF_FFFF else None


def eos_id(value: str) -> str | None:
    """``0002…`` or 7 Days to Die's ``EOS_0002…`` (32 hex digits), lower-cased; else None."""
    value = value.strip().lower()
    if len(value) > _LONGEST:
        return None
    value = value.removeprefix("eos_")
    return value if _HEX32.fullmatch(value) else None


def mc_uuid(value: str) -> str | None:
    """A UUID, dashed or not, as ``069a79f4-44e9-…`` (lower-case, dashed); else None."""
    value = value.strip().lower()
    if len(value) > _LONGEST:
        return None
    if _HEX32.fullmatch(value):
        value = f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return value if _UUID.fullmatch(value) else None


def from_console(pairs: Iterable[tuple[str, str]]) -> PlayerIds:
    """The first valid id of each known kind among a console's ``(kind, value)`` pairs."""
    found: dict[str, str] = {}
    for count, (kind, value) in enumerate(pairs):
        if count >= MAX_PAIRS_READ:
            break
        kind = kind.lower()
        if kind in STEAM_KINDS and "steam" not in found:
            valid = steam_id(value)
            if valid:
                found["steam"] = valid
        elif kind in EOS_KINDS and "eos" not in found:
            valid = eos_id(value)
            if valid:
                found["eos"] = valid
        elif kind in MINECRAFT_KINDS and "mc" not in found:
            valid = mc_uuid(value)
            if valid:
                found["mc"] = valid
    return PlayerIds(found.get("steam"), found.get("eos"), found.get("mc"))


def typed(text: str) -> PlayerIds:
    """The ids a typed text can be (``/player lookup``, ``/player info``, ``/watch add``): a
    SteamID in any of its three forms; 32 hex digits can be an EOS id (or a BattlEye GUID,
    looked up apart); a dashed UUID only a Minecraft UUID."""
    text = text.strip()
    return PlayerIds(steam_typed(text), eos_id(text), mc_uuid(text) if "-" in text else None)


def steam_profile(steam: str) -> str | None:
    """The Steam Community profile link of a valid SteamID64 (built here, never taken from a
    server)."""
    valid = steam_id(steam)
    return STEAM_PROFILE.format(valid) if valid else None
