"""BattlEye client events as the feed stores them, through the path the feed takes now: the
adapter's neutral console event (``bot.adapters.battleye``), then the feed's mapping
(``bot.services.feed.console``). The names are those of the module this replaced."""

from __future__ import annotations

from bot.adapters import battleye as adapter
from bot.adapters.admin import ConsoleEvent
from bot.protocols.battleye.models import Player
from bot.services.feed import console
from bot.services.feed import model as m
from bot.storage.events import Event

MAX_TEXT = console.MAX_TEXT


def _one(server_id: int, at: float, event: ConsoleEvent) -> Event:
    (stored,) = console.events_of(server_id, at, event, m.SOURCE_BATTLEYE)
    return stored


def connect(server_id: int, at: float, player: Player) -> Event:
    return _one(server_id, at, adapter.join_event(player))


def guid(server_id: int, at: float, player: Player) -> Event:
    return _one(server_id, at, adapter.guid_event(player))


def disconnect(server_id: int, at: float, player: Player) -> Event:
    return _one(server_id, at, adapter.leave_event(player))


def kick(server_id: int, at: float, player: Player, reason: str) -> Event:
    return _one(server_id, at, adapter.kick_event(player, reason))


def chat(server_id: int, at: float, player: Player, channel: str, text: str) -> Event:
    return _one(server_id, at, adapter.chat_event(player, channel, text))


def admin_login(server_id: int, at: float, admin_id: int) -> Event:
    return _one(server_id, at, adapter.admin_login_event(admin_id))


def admin_message(server_id: int, at: float, admin_id: int, channel: str, text: str) -> Event:
    return _one(server_id, at, adapter.admin_message_event(admin_id, channel, text))
