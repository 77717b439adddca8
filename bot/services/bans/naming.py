"""Whom a typed player names, for a ban: an identifier (with the guild's record of it, if any),
a name from the guild's records, or a Minecraft name; never a slot number."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.bans import identity
from bot.services.errors import UserError
from bot.storage import Store
from bot.storage.players import Identifier


@dataclass(frozen=True, slots=True)
class Named:
    """Whom a typed player names: a label to show and the identifiers a ban is keyed by."""

    label: str
    identifiers: tuple[Identifier, ...]
    player_id: int | None = None


async def name_player(store: Store, guild_id: int, text: str) -> Named:
    """The player ``text`` names: an identifier (with the guild's record of it, if any),
    else a name from the guild's records, else a Minecraft name. Slot numbers are refused:
    a slot belongs to whoever holds it next."""
    text = text.strip()
    typed = identity.typed_identifiers(text)
    players = store.players
    if not typed and text.removeprefix("#").isdigit():
        raise UserError(key="banlist.slot_number")
    found = await players.find(guild_id, typed, "" if typed else text, limit=1)
    record = await players.get(found[0]) if found else None
    if record is not None and record.guild_id == guild_id:
        idents = identity.with_derived([*typed, *identity.strong(record.identifiers)])
        if not idents or any(i.kind == "mc_uuid" for i in idents):
            # Where the name is the identity consoles show (Minecraft), it is kept too.
            idents.append(Identifier("name", record.name.strip().casefold()))
        return Named(record.name, tuple(idents), record.id)
    if typed:
        # Shown in one form whatever form was typed (STEAM_1:0:…, [U:1:…], 7656…).
        return Named(typed[0].value, tuple(typed))
    if identity.MINECRAFT_NAME.fullmatch(text):
        return Named(text, (Identifier("name", text.casefold()),))
    raise UserError(key="banlist.unknown_player")
