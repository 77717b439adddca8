"""Server messages to typed events, and the player cache they keep up to date.

The cache is what names the players of chat lines and whispers (BattlEye prints names only).
"""

from __future__ import annotations

from dataclasses import replace

from . import events as ev
from .dispatch import Dispatcher
from .models import Player

# A hostile server can announce any number of players: keep at most this many (oldest go first).
MAX_CACHED_PLAYERS = 512


class MessageRouter:
    """The player cache of one client and the dispatch of each server message."""

    def __init__(self, dispatcher: Dispatcher) -> None:
        self._dispatcher = dispatcher
        self._players: dict[int, Player] = {}
        # Names of the cached players, updated with each change (never rebuilt per message).
        self._names = ev.NameIndex()
        # Our admin number, from the first "RCon admin #N ... logged in" after our login.
        self.client_id: int | None = None
        self.awaiting_own_login = False

    @property
    def players(self) -> list[Player]:
        return list(self._players.values())

    def get(self, player_id: int) -> Player | None:
        return self._players.get(player_id)

    def replace_all(self, listed: list[Player]) -> list[Player]:
        """The cache becomes the ``players`` answer (bounded like the cache, names clipped)."""
        players = [_clipped(p) for p in listed[:MAX_CACHED_PLAYERS]]
        self._players.clear()
        self._names.clear()
        for player in players:
            self._remember(player)
        return players

    def _find_by_name(self, name: str) -> Player:
        player_id = self._names.id_of(name)
        player = None if player_id is None else self._players.get(player_id)
        return player if player is not None else Player(id=-1, name=name)

    def _remember(self, player: Player) -> None:
        self._players.pop(player.id, None)
        self._players[player.id] = player  # re-inserted: the newest is evicted last
        self._names.set(player.id, player.name)
        while len(self._players) > MAX_CACHED_PLAYERS:
            oldest = next(iter(self._players))
            self._forget(oldest)

    def _forget(self, player_id: int) -> Player | None:
        self._names.discard(player_id)
        return self._players.pop(player_id, None)

    def _cached(self, player_id: int, name: str) -> Player:
        """The cached player in this slot if the line names the same player, else a new one:
        slots are reused, and the line is the truth."""
        cached = self._players.get(player_id)
        if cached is not None and cached.name == name:
            return cached
        return Player(player_id, name)

    def route(self, text: str) -> None:
        """Update the cache from one server message and dispatch its events."""
        d = self._dispatcher.dispatch
        d("raw_event", text)
        if text.startswith("(") and not self._dispatcher.has_listeners("player_message"):
            # Player chat changes no state: without a listener its typed event is waste.
            return
        event = ev.parse_message(text, self._names)
        if type(event) is ev.UnknownMessage:
            # The usual case on a busy server (kills, mod lines): skip the type tests below.
            return
        if isinstance(event, ev.AdminLogin):
            if self.awaiting_own_login:
                self.awaiting_own_login = False
                self.client_id = event.admin_id
            d("admin_login", event.admin_id, event.addr)
        elif isinstance(event, ev.PlayerConnect):
            player = _clipped(Player(event.player_id, event.name, event.ip, event.port))
            self._remember(player)
            d("player_connect", player)
        elif isinstance(event, ev.PlayerGuid):
            player = replace(self._cached(event.player_id, _clip(event.name)), guid=event.guid)
            self._remember(player)
            d("player_guid", player)
        elif isinstance(event, ev.PlayerVerifyGuid):
            base = self._cached(event.player_id, _clip(event.name))
            player = replace(base, guid=event.guid, guid_verified=True)
            self._remember(player)
            d("player_verify_guid", player)
        elif isinstance(event, ev.PlayerDisconnect):
            player = self._cached(event.player_id, _clip(event.name))
            self._forget(event.player_id)
            d("player_disconnect", player)
        elif isinstance(event, ev.PlayerKick):
            player = self._cached(event.player_id, _clip(event.name))
            if event.guid and player.guid != event.guid:
                player = replace(player, guid=event.guid)
            self._forget(event.player_id)
            d("player_kick", player, event.reason)
        elif isinstance(event, ev.PlayerChat):
            d("player_message", self._find_by_name(_clip(event.name)), event.channel, event.text)
        elif isinstance(event, ev.AdminChat):
            d("admin_message", event.admin_id, event.channel, event.text)
            if event.channel == "Global":
                d("admin_announcement", event.admin_id, event.text)
            elif event.recipient is not None:
                d(
                    "admin_whisper",
                    self._find_by_name(_clip(event.recipient)),
                    event.admin_id,
                    event.text,
                )
        elif isinstance(event, ev.BattlEyeNotice):
            d("battleye_notice", event.text)


def _clip(name: str) -> str:
    return name[: ev.MAX_NAME]


def _clipped(player: Player) -> Player:
    return player if len(player.name) <= ev.MAX_NAME else replace(player, name=_clip(player.name))
