"""Decoded A2S values.

Field names and order mirror python-a2s 1.4 so that results compare field by field; what we add
(The Ship fields, ``truncated``, game-knowledge properties) comes after python-a2s's fields.
``StrType`` is ``str`` normally and ``bytes`` with ``encoding=None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.protocols.a2s import games

StrType = TypeVar("StrType", str, bytes)
K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SourceInfo(Generic[StrType]):
    """S2A_INFO (0x49) response."""

    protocol: int
    server_name: StrType
    map_name: StrType
    folder: StrType
    game: StrType
    app_id: int
    player_count: int
    max_players: int
    bot_count: int
    server_type: StrType
    platform: StrType
    password_protected: bool
    vac_enabled: bool
    version: StrType
    edf: int
    ping: float
    port: int | None = None
    steam_id: int | None = None
    stv_port: int | None = None
    stv_name: StrType | None = None
    keywords: StrType | None = None
    game_id: int | None = None
    # The Ship (app 2400) only: game mode, witness count, witness duration.
    ship_mode: int | None = None
    ship_witnesses: int | None = None
    ship_duration: int | None = None
    # True when optional EDF fields were announced but the datagram ended before them.
    truncated: bool = False

    @property
    def has_port(self) -> bool:
        return bool(self.edf & 0x80)

    @property
    def has_steam_id(self) -> bool:
        return bool(self.edf & 0x10)

    @property
    def has_stv(self) -> bool:
        return bool(self.edf & 0x40)

    @property
    def has_keywords(self) -> bool:
        return bool(self.edf & 0x20)

    @property
    def has_game_id(self) -> bool:
        return bool(self.edf & 0x01)

    @property
    def resolved_app_id(self) -> int:
        """The real app id: ARK, Arma 3, Project Zomboid… send 0 and put it in GameID."""
        return games.resolve_app_id(self.app_id, self.game_id)

    @property
    def real_player_count(self) -> int:
        """Player count, corrected by Rust's ``cp`` keyword when the byte field overflowed."""
        return games.rust_count(self.keywords, "cp", self.player_count)

    @property
    def real_max_players(self) -> int:
        """Slot count, corrected by Rust's ``mp`` keyword (the byte field caps at 255)."""
        return games.rust_count(self.keywords, "mp", self.max_players)

    @property
    def dayz(self) -> games.DayZKeywords | None:
        """DayZ's keyword micro-format decoded, or None for other games."""
        if self.resolved_app_id != games.APP_DAYZ or self.keywords is None:
            return None
        return games.parse_dayz_keywords(self.keywords)


@dataclass(frozen=True, slots=True)
class GoldSrcInfo(Generic[StrType]):
    """Obsolete GoldSrc S2A_INFO ('m', 0x6D) response."""

    address: StrType
    server_name: StrType
    map_name: StrType
    folder: StrType
    game: StrType
    player_count: int
    max_players: int
    protocol: int
    server_type: StrType
    platform: StrType
    password_protected: bool
    is_mod: bool
    vac_enabled: bool
    bot_count: int
    ping: float
    mod_website: StrType | None = None
    mod_download: StrType | None = None
    mod_version: int | None = None
    mod_size: int | None = None
    multiplayer_only: bool | None = None
    uses_custom_dll: bool | None = None

    @property
    def uses_hl_dll(self) -> bool | None:
        """python-a2s's compatibility alias."""
        return self.uses_custom_dll


@dataclass(frozen=True, slots=True)
class Player(Generic[StrType]):
    """One entry of S2A_PLAYER. ``index`` is usually 0 for everyone: never use it as a key."""

    index: int
    name: StrType
    score: int
    duration: float
    # The Ship only (appended after the player list).
    deaths: int | None = None
    money: int | None = None


class PlayerList(list[T]):
    """A list of players; ``truncated`` is True when the server cut the response short."""

    __slots__ = ("truncated",)

    def __init__(self, items: list[T] | tuple[T, ...] = (), truncated: bool = False) -> None:
        super().__init__(items)
        self.truncated = truncated


class RulesDict(dict[K, V]):
    """Server rules; ``truncated`` is True when the server cut the response short."""

    __slots__ = ("truncated",)

    def __init__(self, truncated: bool = False) -> None:
        super().__init__()
        self.truncated = truncated
