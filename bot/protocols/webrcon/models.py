"""The JSON answers of ``playerlist`` and ``serverinfo`` as typed values. Pure functions.

``playerlist`` (``ConVar.Admin.PlayerInfo``; ``VoiationLevel`` is the game's own spelling)::

    [{"SteamID": "76561198000000001", "OwnerSteamID": "0", "DisplayName": "Alice",
      "Ping": 28, "Address": "1.2.3.4:52210", "ConnectedSeconds": 300,
      "VoiationLevel": 0.0, "CurrentLevel": 0.0, "UnspentXp": 0.0, "Health": 87.5}]

Entries that are not objects or have no SteamID are skipped, not fatal; an answer that is not
a JSON list (or object, for ``serverinfo``) raises NotWebRcon. Numbers that are missing, of the
wrong type or not finite read as 0; every string is clipped.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..json_body import json_float, json_int
from ..text_checks import ascii_int
from .codec import clip_json_text, loads_json
from .errors import NotWebRcon

MAX_PLAYERS = 4096
MAX_NAME = 128
MAX_FIELD = 256
MAX_ID = 32


@dataclass(frozen=True, slots=True)
class RustPlayer:
    steam_id: str
    name: str
    ping: int = 0
    address: str = ""  # "ip:port"
    connected_seconds: int = 0
    health: float = 0.0
    owner_steam_id: str = ""  # family-share owner; "0" or empty when none
    violation_level: float = 0.0
    current_level: float = 0.0
    unspent_xp: float = 0.0

    @property
    def ip(self) -> str:
        host, sep, port = self.address.rpartition(":")
        return host.strip("[]") if sep and ascii_int(port, 5) is not None else self.address

    @property
    def port(self) -> int:
        _, sep, port = self.address.rpartition(":")
        number = ascii_int(port, 5) if sep else None
        return 0 if number is None else number


@dataclass(frozen=True, slots=True)
class RustServerInfo:
    hostname: str
    max_players: int
    players: int
    queued: int = 0
    joining: int = 0
    map: str = ""
    entity_count: int = 0
    game_time: str = ""
    uptime: int = 0  # seconds
    framerate: float = 0.0
    memory: int = 0  # MB
    collections: int = 0
    network_in: int = 0
    network_out: int = 0
    restarting: bool = False
    save_created_time: str = ""


def _int(value: object) -> int:
    return json_int(value) or 0


def _float(value: object) -> float:
    return json_float(value) or 0.0


def _parse_json(text: str, what: str) -> object:
    try:
        return loads_json(text)
    except ValueError:
        raise NotWebRcon(f"the {what} answer is not JSON") from None


def parse_playerlist(text: str) -> list[RustPlayer]:
    """The players in a ``playerlist`` answer (at most ``MAX_PLAYERS``)."""
    data = _parse_json(text, "playerlist")
    if not isinstance(data, list):
        raise NotWebRcon("the playerlist answer is not a JSON list")
    players: list[RustPlayer] = []
    for entry in data[:MAX_PLAYERS]:
        if not isinstance(entry, dict):
            continue
        steam_id = clip_json_text(entry.get("SteamID"), MAX_ID)
        if not steam_id:
            continue
        players.append(
            RustPlayer(
                steam_id=steam_id,
                name=clip_json_text(entry.get("DisplayName"), MAX_NAME),
                ping=_int(entry.get("Ping")),
                address=clip_json_text(entry.get("Address"), MAX_FIELD),
                connected_seconds=_int(entry.get("ConnectedSeconds")),
                health=_float(entry.get("Health")),
                owner_steam_id=clip_json_text(entry.get("OwnerSteamID"), MAX_ID),
                violation_level=_float(entry.get("VoiationLevel", entry.get("ViolationLevel"))),
                current_level=_float(entry.get("CurrentLevel")),
                unspent_xp=_float(entry.get("UnspentXp")),
            )
        )
    return players


def parse_serverinfo(text: str) -> RustServerInfo:
    """A ``serverinfo`` answer."""
    data = _parse_json(text, "serverinfo")
    if not isinstance(data, dict):
        raise NotWebRcon("the serverinfo answer is not a JSON object")
    return RustServerInfo(
        hostname=clip_json_text(data.get("Hostname"), MAX_FIELD),
        max_players=_int(data.get("MaxPlayers")),
        players=_int(data.get("Players")),
        queued=_int(data.get("Queued")),
        joining=_int(data.get("Joining")),
        map=clip_json_text(data.get("Map"), MAX_FIELD),
        entity_count=_int(data.get("EntityCount")),
        game_time=clip_json_text(data.get("GameTime"), MAX_FIELD),
        uptime=_int(data.get("Uptime")),
        framerate=_float(data.get("Framerate")),
        memory=_int(data.get("Memory")),
        collections=_int(data.get("Collections")),
        network_in=_int(data.get("NetworkIn")),
        network_out=_int(data.get("NetworkOut")),
        restarting=data.get("Restarting") is True,
        save_created_time=clip_json_text(data.get("SaveCreatedTime"), MAX_FIELD),
    )
