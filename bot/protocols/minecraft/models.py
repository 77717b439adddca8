"""Decoded Minecraft values: the status (SLP or legacy ping) and the Query full stat.

Human-readable strings are plain text (``§`` codes stripped) and clipped; what the server sent
stays in ``raw`` for callers that want more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class JavaVersion:
    """``version``: the server's name for itself (often "Paper 1.21.4") and protocol number."""

    name: str
    protocol: int


@dataclass(frozen=True, slots=True)
class PlayerSample:
    """One ``players.sample`` entry. Plugins use the sample for hover text, so ``name`` may be
    any line and ``uuid`` any string (vanilla: a dashed UUID)."""

    name: str
    uuid: str


@dataclass(frozen=True, slots=True)
class JavaPlayers:
    """``players``; ``sample`` is None when the server sent none (hidden or absent)."""

    online: int
    max: int
    sample: tuple[PlayerSample, ...] | None = None


@dataclass(frozen=True, slots=True)
class JavaStatus:
    """A Java Edition server's status.

    ``version`` and ``players`` are None when the server left them out (vanilla makes both
    optional). ``motd`` is the description as plain text; ``description`` the raw value.
    ``favicon`` is the PNG's bytes, None when absent or invalid. ``forge_data``/``mod_info``
    are the raw ``forgeData``/``modinfo`` values. ``latency_ms`` is the ping/pong round trip
    (for a legacy answer: request to answer), None when the server did not answer the ping.
    ``legacy`` is True for an answer to the pre-1.7 ping. ``raw`` is the whole decoded JSON
    (for legacy answers, the fields as text).
    """

    version: JavaVersion | None
    players: JavaPlayers | None
    motd: str
    description: Any = field(default=None, hash=False)
    favicon: bytes | None = None
    enforces_secure_chat: bool | None = None
    forge_data: Any = field(default=None, hash=False)
    mod_info: Any = field(default=None, hash=False)
    latency_ms: float | None = None
    legacy: bool = False
    raw: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class QueryStat:
    """A Query (GameSpy4) full stat.

    ``motd`` is the ``hostname`` value as plain text (vanilla sends it one byte per character,
    so non-Latin-1 characters arrive mangled). ``software`` and ``plugins`` come from the
    ``plugins`` value ("Paper on 1.21: WorldEdit 7.3; LuckPerms 5.4"); vanilla sends it empty.
    ``host_port`` is None when absent or not a number. ``raw`` holds every key as sent.
    """

    motd: str
    game_type: str
    game_id: str
    version: str
    software: str
    plugins: tuple[str, ...]
    map_name: str
    online: int
    max_players: int
    host_ip: str
    host_port: int | None
    players: tuple[str, ...]
    raw: dict[str, str] = field(default_factory=dict, hash=False)
