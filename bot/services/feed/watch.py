"""Watch-list matching: a watch names a player (case-insensitive), a BattlEye GUID, a SteamID64,
an EOS id or a Minecraft UUID."""

from __future__ import annotations

import re

from bot.services.errors import UserError
from bot.services.feed import ids as player_ids
from bot.services.feed import model as m
from bot.storage.events import Event
from bot.storage.feeds import Watch
from bot.storage.models import name_key

_GUID = re.compile(r"^[0-9a-fA-F]{32}$")
MAX_PATTERN = 64


def is_guid(text: str) -> bool:
    """32 hex digits: a BattlEye GUID, or an EOS id (the same shape; a watch matches both)."""
    return bool(_GUID.match(text.strip()))


def id_kind(text: str) -> str | None:
    """What a typed watch names, if not a player name: ``GUID or EOS id``, ``EOS id``,
    ``SteamID`` or ``Minecraft UUID``."""
    cleaned = text.strip()
    if is_guid(cleaned):
        return "GUID or EOS id"
    if player_ids.steam_typed(cleaned):
        return "SteamID"
    if player_ids.eos_id(cleaned):
        return "EOS id"  # "EOS_0002…", as 7 Days to Die prints it
    if "-" in cleaned and player_ids.mc_uuid(cleaned):
        return "Minecraft UUID"
    return None


def pattern_key(text: str) -> str:
    """What a watch compares: a lower-case GUID/EOS id, a SteamID64, a dashed Minecraft UUID
    or a case-folded name."""
    cleaned = text.strip()
    if not cleaned:
        raise UserError(key="watches.give_player")
    if len(cleaned) > MAX_PATTERN:
        raise UserError(key="watches.too_long", max=MAX_PATTERN)
    if is_guid(cleaned):
        return cleaned.lower()
    steam = player_ids.steam_typed(cleaned)  # STEAM_X:Y:Z and [U:1:N] too
    if steam:
        return steam
    eos = player_ids.eos_id(cleaned)
    if eos:
        return eos
    uuid = player_ids.mc_uuid(cleaned) if "-" in cleaned else None
    return uuid or name_key(cleaned)


def matches(watch: Watch, event: Event) -> bool:
    """A join matches by name or by the id it carries; the GUID line that follows a BattlEye
    join matches by GUID (so one arrival fires a name watch and a GUID watch once each)."""
    if event.server_id != watch.server_id:
        return False
    key = watch.pattern_key
    if is_guid(key):
        if event.kind == m.GUID:
            return (event.guid or "").lower() == key
        return event.kind == m.JOIN and event.ids.eos_id == key
    if event.kind != m.JOIN:
        return False
    if player_ids.steam_id(key):
        return event.ids.steam_id == key
    if "-" in key and player_ids.mc_uuid(key) == key:
        return event.ids.mc_uuid == key
    return name_key(event.player) == key
