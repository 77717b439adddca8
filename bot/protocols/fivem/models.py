"""Decoded FXServer answers: plain frozen values, every string clipped, every list bounded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FiveMPlayer:
    """One entry of ``players.json``.

    ``id`` is the server net id (a slot number, reused after a player leaves); ``ping`` is -1
    when the peer is gone. ``endpoint`` is ``"127.0.0.1"`` and ``ip:`` identifiers are absent
    when the server has ``sv_endpointPrivacy`` on.
    """

    name: str
    id: int
    ping: int
    identifiers: tuple[str, ...] = ()
    endpoint: str = ""

    def identifier(self, prefix: str) -> str | None:
        """The value of the first ``prefix:value`` identifier (``"license"``, ``"steam"``…)."""
        start = prefix + ":"
        for entry in self.identifiers:
            if entry.startswith(start):
                return entry[len(start) :]
        return None


@dataclass(frozen=True, slots=True)
class FiveMInfo:
    """``info.json``: what changes only when the server restarts or its convars change.

    ``vars`` are the ServerInfo convars as sent (printable, clipped; FXServer leaves out
    ``sv_hostname``, so the hostname lives in :class:`FiveMDynamic`). ``project_name`` and
    ``project_desc`` are ``sv_projectName`` / ``sv_projectDesc`` with colours stripped.
    ``version`` is the hash dynamic.json repeats as ``iv``. ``resources`` holds at most
    ``MAX_RESOURCES`` names; ``resources_count`` is how many the server listed. ``icon`` is the
    decoded PNG, or None when absent, too large or not a PNG.
    """

    server: str
    version: int | None
    project_name: str
    project_desc: str
    max_clients: int | None
    resources: tuple[str, ...]
    resources_count: int
    vars: Mapping[str, str]
    enhanced_host_support: bool = False
    icon: bytes | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class FiveMDynamic:
    """``dynamic.json`` (or the UDP ``getinfo`` answer): the cheap, often-changing part.

    ``raw_hostname`` keeps the colour codes (clipped) for callers that render them.
    """

    hostname: str
    raw_hostname: str
    gametype: str
    mapname: str
    clients: int
    max_clients: int | None
    info_version: int | None


@dataclass(frozen=True, slots=True)
class FiveMStatus:
    """One status query: the three endpoints merged, with their raw values kept.

    ``dynamic`` is None when the server has no dynamic.json (404); the hostname then falls back
    to ``sv_projectName`` and the client count to the player list. ``players`` is None when
    not asked for. ``ping`` is the round trip of the first answer, in milliseconds.
    """

    hostname: str
    clients: int | None
    max_clients: int | None
    gametype: str
    mapname: str
    server_version: str
    resources_count: int
    info: FiveMInfo
    dynamic: FiveMDynamic | None
    players: tuple[FiveMPlayer, ...] | None
    ping: float
    # True when info.json was not fetched again because ``iv`` matched the known info.
    info_reused: bool = False

    @property
    def icon(self) -> bytes | None:
        return self.info.icon

    @property
    def project_name(self) -> str:
        return self.info.project_name
