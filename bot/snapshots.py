"""What the poller knows about one polled address: value types and the up/down state machine.

Pure code (no I/O, no clock): the poller feeds it results with their time, tests feed it
sequences. ``Snapshot`` is what ``/status``, boards, alerts and presence read.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass, field, replace

DEFAULT_OFFLINE_AFTER = 2
DEFAULT_ONLINE_AFTER = 2

# Bounds on what a game server may make us keep (any server may be hostile: a 100 KB map name
# or 255 names of 900 characters went into history, boards, the feed and sessions). Generous
# for real servers: Source caps hostnames at 63 bytes, Steam names at 32 characters.
MAX_SERVER_NAME = 128
MAX_MAP = 96
MAX_VERSION = 48
MAX_PRODUCT = 96
MAX_PLAYER_NAME = 64
MAX_LISTED_PLAYERS = 256  # A2S counts players in one byte; other protocols must not exceed it
MAX_COUNT = 65535  # players, slots, bots
# A server's picture (Minecraft's 64x64 favicon, FiveM's 96x96 icon) is re-sent to Discord as
# an attachment: only PNGs, small in bytes and in pixels; anything else is dropped, not fixed.
MAX_ICON_BYTES = 20 * 1024
MAX_ICON_SIDE = 512
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_IHDR = struct.Struct(">I4sII")  # the first chunk: length 13, b"IHDR", width, height


def host_port(host: str, port: int) -> str:
    """``host:port``, an IPv6 host in brackets (``[::1]:27015``): how an address is written
    for people and in the history table alike."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True, slots=True, order=True)
class Target:
    """One polled address. Servers of several guilds at the same address share a target."""

    host: str
    port: int
    # The query protocol's catalogue name: which adapter asks this address.
    protocol: str = "a2s"

    @classmethod
    def of(cls, host: str, port: int, protocol: str = "a2s") -> Target:
        # Host names are case-insensitive: "Game.Example" and "game.example" are one server.
        return cls(host.strip().lower(), port, protocol)

    @property
    def key(self) -> str:
        """The text form stored in the history table."""
        return host_port(self.host, self.port)


@dataclass(frozen=True, slots=True)
class PlayerInfo:
    name: str
    score: int
    duration: float  # seconds connected


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """One successful answer (A2S INFO + PLAYERS, and BattlEye names for DayZ)."""

    name: str
    map: str
    players: int
    max_players: int
    bots: int
    password: bool
    vac: bool
    version: str
    product: str  # the game's own description, e.g. "Counter-Strike: Source"
    ping_ms: float
    player_list: tuple[PlayerInfo, ...] = ()
    # False when PLAYERS failed or the server hides its players; the count is still known.
    players_known: bool = True
    # Lists fetched with one guild's stored credentials (BattlEye names), by access key: shown
    # only through seen_with() to a server holding those credentials, never in player_list.
    private_lists: tuple[tuple[str, tuple[PlayerInfo, ...]], ...] = field(
        default=(), repr=False, compare=False
    )
    # The server's own picture (PNG bytes, checked by bounded()); not part of what the answer
    # "is": equal answers with other icons compare equal.
    icon: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def full(self) -> bool:
        return self.max_players > 0 and self.players >= self.max_players

    def seen_with(self, key: str | None) -> ServerInfo:
        """This answer as a server with credentials ``key`` may see it: its own private list
        in place of the public one when it has one, and nobody else's."""
        if not self.private_lists:
            return self
        own = next((lst for k, lst in self.private_lists if key is not None and k == key), None)
        if own is None:
            return replace(self, private_lists=())
        return replace(self, player_list=own, players_known=True, private_lists=())


def clip_text(text: str, limit: int) -> str:
    """At most ``limit`` characters, an ellipsis marking a cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _count(value: int) -> int:
    return value if 0 <= value <= MAX_COUNT else min(max(value, 0), MAX_COUNT)


def _bounded_players(players: tuple[PlayerInfo, ...]) -> tuple[PlayerInfo, ...]:
    if len(players) > MAX_LISTED_PLAYERS:
        players = players[:MAX_LISTED_PLAYERS]
    if all(len(p.name) <= MAX_PLAYER_NAME for p in players):
        return players
    return tuple(
        p if len(p.name) <= MAX_PLAYER_NAME else replace(p, name=clip_text(p.name, MAX_PLAYER_NAME))
        for p in players
    )


def valid_icon(icon: bytes | None) -> bool:
    """True for a PNG within :data:`MAX_ICON_BYTES` whose header says 1 to
    :data:`MAX_ICON_SIDE` pixels each way (what Discord is sent; the rest is not looked at)."""
    if not isinstance(icon, bytes) or len(icon) > MAX_ICON_BYTES or len(icon) < 24:
        return False
    if not icon.startswith(PNG_SIGNATURE):
        return False
    length: int
    kind: bytes
    width: int
    height: int
    length, kind, width, height = _IHDR.unpack_from(icon, 8)
    return (
        length == 13
        and kind == b"IHDR"
        and 0 < width <= MAX_ICON_SIDE
        and 0 < height <= MAX_ICON_SIDE
    )


def bounded(info: ServerInfo) -> ServerInfo:
    """``info`` with every server-provided string and list within the bounds above.

    Every answer goes through here on its way into a snapshot (``Hysteresis.success``), so
    whatever protocol produced it, nothing downstream stores more. Returns ``info`` itself
    when it is within bounds already (the common case costs a few comparisons).
    """
    players = _bounded_players(info.player_list)
    icon_ok = info.icon is None or valid_icon(info.icon)
    if (
        players is info.player_list
        and icon_ok
        and len(info.name) <= MAX_SERVER_NAME
        and len(info.map) <= MAX_MAP
        and len(info.version) <= MAX_VERSION
        and len(info.product) <= MAX_PRODUCT
        and 0 <= info.players <= MAX_COUNT
        and 0 <= info.max_players <= MAX_COUNT
        and 0 <= info.bots <= MAX_COUNT
    ):
        return info
    return replace(
        info,
        name=clip_text(info.name, MAX_SERVER_NAME),
        map=clip_text(info.map, MAX_MAP),
        version=clip_text(info.version, MAX_VERSION),
        product=clip_text(info.product, MAX_PRODUCT),
        players=_count(info.players),
        max_players=_count(info.max_players),
        bots=_count(info.bots),
        player_list=players,
        icon=info.icon if icon_ok else None,
    )


class State(enum.Enum):
    UNKNOWN = "unknown"  # not decided yet (just started, no answer and too few failures)
    ONLINE = "online"
    OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The latest known status of a target.

    ``info`` is the last successful answer, kept while offline so the offline embed can say
    what the server was. ``checked_at`` is when the last query ended, ``last_seen`` the time of
    the last answer, ``down_since`` the time of the first failure of the current outage.
    """

    target: Target
    state: State = State.UNKNOWN
    info: ServerInfo | None = None
    checked_at: float | None = None
    last_seen: float | None = None
    down_since: float | None = None
    failures: int = 0
    successes: int = 0
    error: str | None = None

    @property
    def online(self) -> bool:
        return self.state is State.ONLINE

    def age(self, now: float) -> float:
        """Seconds since the last check (infinite when never checked)."""
        return float("inf") if self.checked_at is None else max(0.0, now - self.checked_at)


@dataclass(frozen=True, slots=True)
class Hysteresis:
    """How many consecutive results flip the state: a flapping server does not flip each round.

    Offline after ``offline_after`` failures in a row; back online after ``online_after``
    answers in a row. The very first answer makes an undecided server online at once.
    """

    offline_after: int = DEFAULT_OFFLINE_AFTER
    online_after: int = DEFAULT_ONLINE_AFTER

    def __post_init__(self) -> None:
        if self.offline_after < 1 or self.online_after < 1:
            raise ValueError("offline_after and online_after must be at least 1")

    def success(self, snap: Snapshot, info: ServerInfo, at: float) -> Snapshot:
        info = bounded(info)  # the one ingest point for every protocol's answers
        kept = snap.info.icon if snap.info is not None else None
        if kept is not None and info.icon is not kept and info.icon == kept:
            # The same picture every round: one bytes object per server is kept, not a new
            # one each round (10,000 snapshots would churn up to 64 KiB each per round).
            info = replace(info, icon=kept)
        successes = snap.successes + 1
        state = snap.state
        if state is State.UNKNOWN or (state is State.OFFLINE and successes >= self.online_after):
            state = State.ONLINE
        down_since = snap.down_since if state is State.OFFLINE else None
        return replace(
            snap,
            state=state,
            info=info,
            checked_at=at,
            last_seen=at,
            down_since=down_since,
            failures=0,
            successes=successes,
            error=None,
        )

    def failure(self, snap: Snapshot, error: str, at: float) -> Snapshot:
        failures = snap.failures + 1
        state = snap.state
        if state is not State.OFFLINE and failures >= self.offline_after:
            state = State.OFFLINE
        # The outage starts at the first failure of the run, not when it was confirmed.
        down_since = snap.down_since
        if failures == 1 and snap.state is not State.OFFLINE:
            down_since = at
        return replace(
            snap,
            state=state,
            checked_at=at,
            down_since=down_since,
            failures=failures,
            successes=0,
            error=error,
        )
