"""Watch-list matching: a watch names a player (case-insensitive) or a BattlEye GUID."""

from __future__ import annotations

import re

from bot.services.errors import UserError
from bot.services.feed import model as m
from bot.storage.events import Event
from bot.storage.feeds import Watch
from bot.storage.models import name_key

_GUID = re.compile(r"^[0-9a-fA-F]{32}$")
MAX_PATTERN = 64


def is_guid(text: str) -> bool:
    return bool(_GUID.match(text.strip()))


def pattern_key(text: str) -> str:
    """What a watch compares: a lower-case GUID or a case-folded name."""
    cleaned = text.strip()
    if not cleaned:
        raise UserError("Give a player name or a BattlEye GUID.")
    if len(cleaned) > MAX_PATTERN:
        raise UserError(f"That name is too long (at most {MAX_PATTERN} characters).")
    return cleaned.lower() if is_guid(cleaned) else name_key(cleaned)


def matches(watch: Watch, event: Event) -> bool:
    """A join matches by name; the GUID line that follows a join matches by GUID (so one
    arrival fires a name watch and a GUID watch once each)."""
    if event.server_id != watch.server_id:
        return False
    if is_guid(watch.pattern_key):
        return event.kind == m.GUID and (event.guid or "").lower() == watch.pattern_key
    return event.kind == m.JOIN and name_key(event.player) == watch.pattern_key
