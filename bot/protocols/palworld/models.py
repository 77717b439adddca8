"""Decoded Palworld REST answers: plain frozen values, strings clipped, lists bounded.

Attribute names follow the API's (``servername``, ``currentplayernum``…); the camelCase
player fields become snake_case (``accountName`` -> ``account_name``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SettingValue = str | int | float | bool


@dataclass(frozen=True, slots=True)
class PalworldInfo:
    """``GET /v1/api/info``."""

    version: str
    servername: str
    description: str
    worldguid: str


@dataclass(frozen=True, slots=True)
class PalworldPlayer:
    """One entry of ``GET /v1/api/players``.

    ``user_id`` carries the platform prefix (``steam_7656…``, ``ps5_…``) and is what kick, ban
    and unban take, verbatim. ``player_id`` is None while the player is still logging in.
    ``ip`` may be empty. Fields missing on older builds are None.
    """

    name: str
    account_name: str
    player_id: str | None
    user_id: str
    ip: str
    ping: float | None
    location_x: float | None
    location_y: float | None
    level: int | None
    building_count: int | None


@dataclass(frozen=True, slots=True)
class PalworldMetrics:
    """``GET /v1/api/metrics``; ``days`` and ``basecampnum`` only on newer builds."""

    serverfps: int | None
    currentplayernum: int
    serverframetime: float | None
    maxplayernum: int
    uptime: int | None
    days: int | None = None
    basecampnum: int | None = None


@dataclass(frozen=True, slots=True)
class PalworldStatus:
    """info, metrics and players fetched together; ``ping`` the fastest round trip, in ms."""

    info: PalworldInfo
    metrics: PalworldMetrics
    players: tuple[PalworldPlayer, ...]
    ping: float


Settings = Mapping[str, SettingValue]
