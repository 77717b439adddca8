"""BattlEye client events (see ``BattlEyeClient``'s event table) turned into stored events."""

from __future__ import annotations

from bot.protocols.battleye.events import MAX_NAME
from bot.protocols.battleye.models import Player
from bot.services.feed import model as m
from bot.storage.events import Event

# Longest text (chat, kick reason) stored per event: a server can send a 64 KB line.
MAX_TEXT = 1000

# The reasons BattlEye writes when a banned player is removed.
_BAN_MARKERS = ("admin ban", "global ban", "banned")

# The BattlEye client events the feed listens to.
EVENTS = (
    "login",
    "player_connect",
    "player_guid",
    "player_disconnect",
    "player_kick",
    "player_message",
    "admin_login",
    "admin_message",
)


def is_ban(reason: str) -> bool:
    low = reason.casefold()
    return any(marker in low for marker in _BAN_MARKERS)


def _guid(player: Player) -> str | None:
    return player.guid.lower()[:32] if player.guid else None


def _name(player: Player) -> str:
    return player.name[:MAX_NAME]


def _text(text: str) -> str:
    return text[:MAX_TEXT]


def connect(server_id: int, at: float, player: Player) -> Event:
    return Event(server_id, at, m.JOIN, _name(player), _guid(player), source=m.SOURCE_BATTLEYE)


def guid(server_id: int, at: float, player: Player) -> Event:
    return Event(server_id, at, m.GUID, _name(player), _guid(player), source=m.SOURCE_BATTLEYE)


def disconnect(server_id: int, at: float, player: Player) -> Event:
    return Event(server_id, at, m.LEAVE, _name(player), _guid(player), source=m.SOURCE_BATTLEYE)


def kick(server_id: int, at: float, player: Player, reason: str) -> Event:
    kind = m.BAN if is_ban(reason) else m.KICK
    return Event(
        server_id, at, kind, _name(player), _guid(player), _text(reason), m.SOURCE_BATTLEYE
    )


def chat(server_id: int, at: float, player: Player, channel: str, text: str) -> Event:
    return Event(
        server_id,
        at,
        m.CHAT,
        _name(player),
        _guid(player),
        _text(f"({channel[:MAX_NAME]}) {text}"),
        m.SOURCE_BATTLEYE,
    )


def admin_login(server_id: int, at: float, admin_id: int) -> Event:
    # The admin's address is not kept: the feed channel is no place for IP addresses.
    return Event(server_id, at, m.ADMIN_LOGIN, f"admin #{admin_id}", source=m.SOURCE_BATTLEYE)


def admin_message(server_id: int, at: float, admin_id: int, channel: str, text: str) -> Event:
    return Event(
        server_id,
        at,
        m.ADMIN_MESSAGE,
        f"admin #{admin_id}",
        None,
        _text(f"({channel[:MAX_NAME]}) {text}"),
        m.SOURCE_BATTLEYE,
    )
