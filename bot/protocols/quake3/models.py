"""Decoded Quake 3 family answers. Text fields are colour-stripped; ``*_raw`` keep the codes.

The typed fields read the keys the engines use (protocol notes §4.1/§4.3), first match wins:
hostname ``sv_hostname`` (getstatus) or ``hostname`` (getinfo, CoD); game type ``g_gametype``
or ``gametype``; version ``version`` (ET, ioq3) or ``shortversion`` (CoD); password flag
``g_needpass`` (ioq3, UrT, OA), ``needpass`` (ET) or ``pswrd`` (CoD); humans
``g_humanplayers`` (ioq3) or ``humans`` (ET). ``info`` keeps every pair as sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Pings the engines use as markers (ET:Legacy SV_CalcPings): 999 for a client still
# connecting. Ping 0 is what bots show, but so can a LAN player, so it is not classified.
CONNECTING_PING = 999


@dataclass(frozen=True, slots=True)
class Q3Player:
    """One ``score ping "name"`` line; ``extra`` holds what some engines add after the name."""

    score: int
    ping: int
    name: str
    name_raw: str
    extra: str = ""

    @property
    def connecting(self) -> bool:
        return self.ping == CONNECTING_PING


@dataclass(frozen=True, slots=True)
class Q3Status:
    """A ``statusResponse``: the server info string and one entry per player line.

    ``truncated`` is True when player lines or info pairs beyond the bounds were dropped.
    ``challenge`` is the echoed challenge (None when the server echoes none).
    """

    hostname: str
    hostname_raw: str
    map: str
    max_players: int | None
    gametype: str
    game: str
    version: str
    protocol: int | None
    needs_password: bool | None
    players: tuple[Q3Player, ...]
    info: Mapping[str, str] = field(repr=False)
    challenge: str | None = None
    truncated: bool = False
    latency: float = 0.0


@dataclass(frozen=True, slots=True)
class Q3Info:
    """An ``infoResponse``: counts without a player list (cheaper for the server)."""

    hostname: str
    hostname_raw: str
    map: str
    clients: int | None
    humans: int | None
    max_players: int | None
    gametype: str
    game: str
    protocol: int | None
    needs_password: bool | None
    info: Mapping[str, str] = field(repr=False)
    challenge: str | None = None
    truncated: bool = False
    latency: float = 0.0

    @property
    def bots(self) -> int | None:
        """Bots, when the server reports humans separately (ioq3 ``g_humanplayers``)."""
        if self.clients is None or self.humans is None:
            return None
        return max(0, self.clients - self.humans)
