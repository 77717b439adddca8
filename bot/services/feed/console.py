"""Console events (:class:`~bot.adapters.admin.ConsoleEvent`, any admin protocol) turned into
stored feed events (pure).

What each kind becomes: ``join``, ``leave``, ``kick``, ``ban`` the same kinds; ``chat`` a chat
line with its channel (``(Global) hi``), or an admin message when an RCon admin wrote it (an
:data:`~bot.adapters.battleye.ADMIN_ID` id); ``admin_login`` an admin login; a ``line`` naming a
player with a BattlEye GUID (the ``BE GUID`` line after a join) the stored, never posted GUID
event that GUID watches and ``/player lookup`` read; ``death`` a death; ``save`` and
``restart`` the server lifecycle the console announces (a world save, a restart or shutdown to
come). Other lines have no feed category: they are not stored.

Every stored event keeps the player's ids the console gave, validated by shape
(:mod:`~bot.services.feed.ids`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.adapters.admin import ConsoleEvent
from bot.adapters.battleye import ADMIN_ID, GUID_ID
from bot.services.feed import ids as player_ids
from bot.services.feed import model as m
from bot.storage.events import Event

# Longest text (chat, kick reason) stored per event: a server can send a 64 KB line.
MAX_TEXT = 1000
# Longest player name stored (the longest any console adapter keeps: BattlEye's 256).
MAX_NAME = 256
MAX_CHANNEL = 64
GUID_LENGTH = 32

Ids = tuple[tuple[str, str], ...]
# 7 Days to Die echoes the command that saved the world: not worth repeating in the feed.
_SAVE_ECHOES = frozenset({"saveworld", "sa"})
# "shutdown (Telnet from 203.0.113.7:50802)": the admin's address is no business of a feed.
_FROM_ADDRESS = re.compile(r"\s+from\s+[^\s()]{1,80}")


def _id(ids: Ids, kind: str) -> str | None:
    for id_kind, value in ids:
        if id_kind == kind and value:
            return value
    return None


def _guid(ids: Ids) -> str | None:
    guid = _id(ids, GUID_ID)
    return guid.lower()[:GUID_LENGTH] if guid else None


def _said(channel: str, text: str) -> str:
    """``(Global) hi``: the channel as people read it, then the text (clipped)."""
    channel = channel[:MAX_CHANNEL]
    if not channel:
        return text[:MAX_TEXT]
    return f"({channel[:1].upper()}{channel[1:]}) {text}"[:MAX_TEXT]


def _lifecycle_text(kind: str, text: str) -> str:
    text = " ".join(text.split())[:MAX_TEXT]
    if kind == m.SAVE and text.lower() in _SAVE_ECHOES:
        return ""
    return _FROM_ADDRESS.sub("", text)


def events_of(server_id: int, at: float, event: ConsoleEvent, source: str) -> list[Event]:
    """The stored events ``event`` stands for (none for what the feed does not show)."""
    return [
        replace(e, ids=player_ids.from_console(event.ids))
        for e in _events_of(server_id, at, event, source)
    ]


def _events_of(server_id: int, at: float, event: ConsoleEvent, source: str) -> list[Event]:
    kind = event.kind
    player = event.player[:MAX_NAME]
    guid = _guid(event.ids)
    if kind in (m.JOIN, m.LEAVE):
        # A session is keyed by the name: a nameless arrival says nothing.
        return [Event(server_id, at, kind, player, guid, source=source)] if player else []
    if kind in (m.KICK, m.BAN):
        return [Event(server_id, at, kind, player, guid, event.text[:MAX_TEXT], source)]
    if kind == m.CHAT:
        said = _said(event.channel, event.text)
        admin = _id(event.ids, ADMIN_ID)
        if admin is not None:
            who = player or f"admin #{admin[:16]}"
            return [Event(server_id, at, m.ADMIN_MESSAGE, who, None, said, source)]
        return [Event(server_id, at, m.CHAT, player, guid, said, source)]
    if kind == m.ADMIN_LOGIN:
        admin = _id(event.ids, ADMIN_ID)
        who = player or (f"admin #{admin[:16]}" if admin is not None else "an admin")
        return [Event(server_id, at, m.ADMIN_LOGIN, who, source=source)]
    if kind == m.ADMIN_ACTION:
        # What the admin did, in the adapter's words ("took the admin camera").
        said = " ".join(event.text.split())[:MAX_TEXT]
        return [Event(server_id, at, m.ADMIN_ACTION, player, guid, said, source)] if player else []
    if kind == m.DEATH:
        return [Event(server_id, at, m.DEATH, player, guid, event.text[:MAX_TEXT], source)]
    if kind in (m.SAVE, m.RESTART):
        return [Event(server_id, at, kind, text=_lifecycle_text(kind, event.text), source=source)]
    if kind == "line" and guid is not None and player:
        return [Event(server_id, at, m.GUID, player, guid, source=source)]
    return []
