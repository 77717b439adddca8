"""What the poller knows about one polled address: value types and the up/down state machine.

Pure code (no I/O, no clock): the poller feeds it results with their time, tests feed it
sequences. ``Snapshot`` is what ``/status``, boards, alerts and presence read.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

DEFAULT_OFFLINE_AFTER = 2
DEFAULT_ONLINE_AFTER = 2


@dataclass(frozen=True, slots=True, order=True)
class Target:
    """One polled address. Servers of several guilds at the same address share a target."""

    host: str
    port: int

    @classmethod
    def of(cls, host: str, port: int) -> Target:
        # Host names are case-insensitive: "Game.Example" and "game.example" are one server.
        return cls(host.strip().lower(), port)

    @property
    def key(self) -> str:
        """The text form stored in the history table."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


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

    @property
    def full(self) -> bool:
        return self.max_players > 0 and self.players >= self.max_players

    def seen_with(self, key: str | None) -> ServerInfo:
        """This answer as a server with credentials ``key`` may see it: its own private list
        in place of the public one when it has one, and nobody else's."""
        if not self.private_lists:
            return self
        own = next((lst for k, lst in self.private_lists if key is not None and k == key), None)
        return replace(
            self, player_list=self.player_list if own is None else own, private_lists=()
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
        successes = snap.successes + 1
        state = snap.state
        if state is State.UNKNOWN or (
            state is State.OFFLINE and successes >= self.online_after
        ):
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
