"""The console commands that ban and unban a player by identifier, from the catalogue's
``ban_offline``/``unban_offline`` templates (pure).

A console whose template needs an identifier the ban does not carry (a Minecraft name for a
ban known only by SteamID, a SteamID for a GUID-only ban) gets no command: the ban is then
enforced there by a kick on join. Every value put into a command has a fixed shape (digits,
hex, a Minecraft name); the reason is checked like every typed reason.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from bot.catalogue import Console, render, required
from bot.services.bans.identity import template_values
from bot.services.rcon.actions import PERMANENT_LIMIT_MINUTES
from bot.storage.bans import Ban

# The strictest rule of all consoles: no quote or ";" (they would end a quoted argument or
# chain a second command on Source, WebRCON and telnet consoles), no control characters.
_REASON_OK = re.compile(r"[^\x00-\x1f\x7f-\x9f\u2028\u2029\";]*")
# BattlEye "bans" rows: "<n> <GUID or IP> <minutes left or perm> <reason>".
_BATTLEYE_BAN = re.compile(r"\s*(?P<n>\d{1,9})\s+(?P<id>[0-9a-fA-F]{32})\s+\S+.*")


def reason_ok(reason: str) -> bool:
    return _REASON_OK.fullmatch(reason) is not None


def minutes_left(ban: Ban, now: float) -> int:
    """The native ban's length: the minutes until expiry (rounded up), 0 for permanent."""
    if ban.expires_at is None:
        return 0
    return max(1, math.ceil((ban.expires_at - now) / 60))


def _fill(templates: Sequence[str], values: Mapping[str, str]) -> tuple[str, ...] | None:
    if any(not values.get(name) for t in templates for name in required(t)):
        return None
    return tuple(render(t, values) for t in templates)


def ban_commands(console: Console | None, ban: Ban, now: float) -> tuple[str, ...] | None:
    """The commands that ban ``ban``'s player on this console; None where it has none."""
    if console is None or not console.supports("ban_offline"):
        return None
    minutes = minutes_left(ban, now)
    values = template_values(ban.identifiers, ban.label)
    values.update(
        minutes=str(minutes),
        limit=str(minutes or PERMANENT_LIMIT_MINUTES),
        length=f"{minutes}m" if minutes else "0",
        reason=ban.reason if reason_ok(ban.reason) else "",
    )
    return _fill(console.actions["ban_offline"], values)


def needs_ban_number(console: Console) -> bool:
    """Whether the unban names the ban by its number (BattlEye's removeBan)."""
    return any("ban" in required(t) for t in console.actions.get("unban_offline", ()))


def unban_commands(
    console: Console | None, ban: Ban, number: str | None = None
) -> tuple[str, ...] | None:
    """The commands that lift the ban on this console (``number``: its number there, for
    consoles that need it); None where none can."""
    if console is None or not console.supports("unban_offline"):
        return None
    values = template_values(ban.identifiers, ban.label)
    if number is not None and number.isdigit() and number.isascii():
        values["ban"] = str(int(number))
    return _fill(console.actions["unban_offline"], values)


def battleye_ban_numbers(listing: str, guid: str) -> list[str]:
    """The numbers of the GUID's rows in BattlEye's ``bans`` answer, highest first (removing
    the highest first keeps the lower numbers valid)."""
    found = [
        m["n"]
        for line in listing.splitlines()
        if (m := _BATTLEYE_BAN.fullmatch(line)) is not None and m["id"].lower() == guid.lower()
    ]
    return sorted(found, key=int, reverse=True)
