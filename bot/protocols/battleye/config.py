"""How a BattlEye client behaves: timeouts, login attempts, reconnect backoff, retries."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..backoff import BackoffPolicy
from .protocol import ProtocolConfig
from .validation import DEFAULT_MAX_COMMAND_BYTES

# Longest wait between re-logins: a server back up is logged into within about this long.
RECONNECT_BACKOFF_MAX = 12.0


@dataclass(frozen=True, slots=True)
class ClientConfig:
    """Connection behaviour; seconds. Tests shrink these to tenths of seconds."""

    protocol: ProtocolConfig = field(default_factory=ProtocolConfig)
    login_timeout: float = 3.0
    # Attempts of the first connect before LoginTimeout (None: retry until close(), as
    # reconnects always do).
    login_attempts: int | None = 3
    # Wait before the first login: logging in while the game server is still starting is known
    # to break some BattlEye logins (CubeCoders/AMP#779 uses 15 s). Off by default.
    connect_delay: float = 0.0
    # Wait before the first re-login after a loss (at once by default), then backoff with
    # jitter. The cap keeps a restarted server's events back within seconds of it answering.
    reconnect_delay: float = 0.0
    backoff_initial: float = 1.0
    backoff_max: float = RECONNECT_BACKOFF_MAX
    jitter: float = 0.25
    # A login that stayed up this long forgives earlier failures; a server dropping us
    # sooner than that again and again gets the backoff, not a login at once each time.
    healthy_after: float = 30.0
    # Extra rounds (new sequence number) for read-only commands whose answer never came.
    reask_rounds: int = 2
    max_command_bytes: int = DEFAULT_MAX_COMMAND_BYTES
    fetch_players_on_login: bool = True

    def __post_init__(self) -> None:
        if self.login_timeout <= 0 or (self.login_attempts is not None and self.login_attempts < 1):
            raise ValueError("login_timeout must be positive and login_attempts at least 1")
        if min(self.connect_delay, self.reconnect_delay, self.backoff_initial) < 0:
            raise ValueError("delays must not be negative")
        if self.backoff_max < self.backoff_initial or not 0 <= self.jitter < 1:
            raise ValueError("need backoff_max >= backoff_initial and 0 <= jitter < 1")
        self.backoff_policy()  # validates healthy_after

    def backoff_policy(self) -> BackoffPolicy:
        return BackoffPolicy(
            initial=self.backoff_initial,
            maximum=self.backoff_max,
            jitter=self.jitter,
            healthy_after=self.healthy_after,
        )
