"""Who a ban names: the identifiers a typed text is, the forms each console wants (SteamID64,
``STEAM_0:Y:Z``, the BattlEye GUID computed from the SteamID), and when a player seen on a
server is the one a ban names (pure)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence

from bot.services.feed import ids as player_ids
from bot.storage.players import STRONG_KINDS, Identifier

_HEX32 = re.compile(r"[0-9a-f]{32}")
# Minecraft's rule for a name (3-16 of A-Z a-z 0-9 _): the only names a ban command takes.
MINECRAFT_NAME = re.compile(r"[A-Za-z0-9_]{3,16}")


def battleye_guid(steam: str) -> str:
    """The BattlEye GUID of a SteamID64: MD5 of "BE" and the id's 8 bytes, little-endian
    (how BattlEye derives it; bans by GUID then reach players known only by SteamID)."""
    return hashlib.md5(b"BE" + int(steam).to_bytes(8, "little"), usedforsecurity=False).hexdigest()


def steam2(steam: str) -> str:
    """``STEAM_0:Y:Z`` of a SteamID64 (what srcds ``banid``/``removeid`` take)."""
    account = int(steam) - player_ids.STEAM_BASE
    return f"STEAM_0:{account & 1}:{account >> 1}"


def typed_identifiers(text: str) -> list[Identifier]:
    """The strong identifiers ``text`` can be: a SteamID (any form, with its GUID), a dashed
    Minecraft UUID, or 32 hex digits (a BattlEye GUID or an EOS id: both kept, a console takes
    the one it knows). Empty for anything else (a name)."""
    text = text.strip()
    found: list[Identifier] = []
    steam = player_ids.steam_typed(text)
    if steam:
        found.append(Identifier("steam", steam))
    if "-" in text:
        uuid = player_ids.mc_uuid(text)
        if uuid:
            found.append(Identifier("mc_uuid", uuid))
    lowered = text.lower()
    if _HEX32.fullmatch(lowered.removeprefix("eos_")):
        if not lowered.startswith("eos_"):
            found.append(Identifier("guid", lowered))
        found.append(Identifier("eos", lowered.removeprefix("eos_")))
    return with_derived(found)


def with_derived(identifiers: Iterable[Identifier]) -> list[Identifier]:
    """``identifiers`` plus the BattlEye GUID of each SteamID, without repeats, strong first."""
    out: list[Identifier] = []
    for ident in identifiers:
        extra = [ident]
        if ident.kind == "steam" and player_ids.steam_id(ident.value):
            extra.append(Identifier("guid", battleye_guid(ident.value)))
        for one in extra:
            if one not in out:
                out.append(one)
    order = {kind: i for i, kind in enumerate((*STRONG_KINDS, "name"))}
    return sorted(out, key=lambda i: order.get(i.kind, len(order)))


def strong(identifiers: Iterable[Identifier]) -> list[Identifier]:
    return [i for i in identifiers if i.kind in STRONG_KINDS]


def template_values(identifiers: Sequence[Identifier], label: str) -> dict[str, str]:
    """What the ban templates' placeholders are for this ban: each id once, in the shape the
    consoles take; ``name`` only for a ban by name, and one a console command can carry."""
    values: dict[str, str] = {}
    for ident in identifiers:
        if ident.kind == "steam" and "steam" not in values and player_ids.steam_id(ident.value):
            values["steam"] = ident.value
            values["steam2"] = steam2(ident.value)
        elif ident.kind == "guid" and "guid" not in values and _HEX32.fullmatch(ident.value):
            values["guid"] = ident.value
        elif ident.kind == "eos" and "eos" not in values and _HEX32.fullmatch(ident.value):
            values["eos"] = ident.value
    # A name only where the ban names the player by it (never the label of a SteamID ban: on
    # Minecraft that would ban whoever has that name there).
    names = [i.value for i in identifiers if i.kind == "name" and MINECRAFT_NAME.fullmatch(i.value)]
    if names:
        values["name"] = label if label.casefold() == names[0] else names[0]
    return values


def seen_identifiers(
    name: str, *, uid: str = "", steam: str | None = None, guid: str | None = None
) -> list[Identifier]:
    """What a join line or a live list says about a player, as ban identifiers: the uid a
    console shows (SteamID, GUID or EOS id) and, only when nothing stronger is known, the name."""
    found: list[Identifier] = []
    if steam and player_ids.steam_id(steam):
        found.append(Identifier("steam", steam))
    if guid and _HEX32.fullmatch(guid.lower()):
        found.append(Identifier("guid", guid.lower()))
    if uid:
        found += typed_identifiers(uid)
    found = with_derived(found)
    if not found and name.strip():
        found.append(Identifier("name", name.strip().casefold()))
    return found
