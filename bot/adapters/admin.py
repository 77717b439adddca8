"""The admin adapter interface: one long-lived console session per server.

Every console protocol (Source RCON, BattlEye RCon, and those to come: Rust WebRCON, 7 Days to
Die telnet, Palworld REST…) is an :class:`AdminAdapter`. The pool (:mod:`bot.services.rcon.pool`)
keeps one :class:`AdminSession` per server and shares it between ``/rcon``, the feed and the
poller; it never knows which protocol it holds.

A session:
- connects in the background once :meth:`AdminSession.start` is called and stays connected,
  reconnecting with backoff (:mod:`bot.protocols.backoff`) after a loss;
- never retries a refused password on its own (srcds bans the IP after a few failures): its
  state becomes ``AUTH_FAILED`` until the pool replaces it (the server was edited);
- raises only the :mod:`bot.adapters.admin_errors` family from :meth:`AdminSession.execute`,
  whose messages name the server and never the password or the command;
- asks :attr:`AdminTarget.resolve` for the address of every connection attempt, so a host
  name re-pointed at an internal address is refused (the pool decides; see its resolver).
"""

from __future__ import annotations

import enum
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from bot.adapters.described import Described

Listener = Callable[..., Any]


class SessionState(enum.Enum):
    IDLE = "idle"  # no connection (never used, or closed)
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"  # lost or not reachable; retrying with backoff
    AUTH_FAILED = "auth_failed"  # password refused: no retry until the server is edited


class AddressNotAllowed(OSError):
    """Raised by :attr:`AdminTarget.resolve` when the host may not be connected to (an
    internal address with ALLOW_PRIVATE_ADDRESSES off); its text says why, for members."""


async def _same_host(host: str) -> str:
    return host


@dataclass(frozen=True, slots=True)
class AdminTarget:
    """Where a session connects and how it names the server in messages."""

    server_id: int
    name: str
    host: str
    port: int
    password: str = field(repr=False)
    # The console's quirks profile (Source RCON: bot.protocols.rcon.profiles), if any.
    profile: str | None = None
    # The address for one connection attempt (given the stored host); may raise
    # AddressNotAllowed or another OSError (the name does not resolve).
    resolve: Callable[[str], Awaitable[str]] = field(default=_same_host, repr=False)


@dataclass(frozen=True, slots=True)
class SessionOptions:
    connect_timeout: float = 5.0
    backoff_initial: float = 1.0
    backoff_max: float = 60.0
    rng: random.Random | None = field(default=None, repr=False)


class LoginStatus(enum.Enum):
    OK = "ok"
    REFUSED = "refused"  # the server said no: wrong password
    # The connection closed before the login was answered: a restart, srcds dropping an IP it
    # banned after failed logins, or Squad's answer to a wrong password.
    DROPPED = "dropped"
    NO_ANSWER = "no_answer"  # silence: wrong port, console disabled, firewall
    UNREACHABLE = "unreachable"  # connection refused or dropped before the login finished


@dataclass(frozen=True, slots=True)
class LoginResult:
    status: LoginStatus
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.status is LoginStatus.OK


@dataclass(frozen=True, slots=True)
class LoginHints:
    """What ``/server test`` says for each failed login, in this protocol's words."""

    refused: str
    dropped: str
    no_answer: str
    unreachable: str
    # Said after a successful login (e.g. BattlEye's RestrictRCon caveat); "" for nothing.
    after_ok: str = ""

    def for_status(self, status: LoginStatus) -> str:
        return {
            LoginStatus.OK: self.after_ok,
            LoginStatus.REFUSED: self.refused,
            LoginStatus.DROPPED: self.dropped,
            LoginStatus.NO_ANSWER: self.no_answer,
            LoginStatus.UNREACHABLE: self.unreachable,
        }[status]


class AdminSession(Protocol):
    """One server's console connection, kept up by the session itself once started."""

    @property
    def state(self) -> SessionState: ...

    def start(self) -> None:
        """Begin connecting in the background (idempotent; a no-op after AUTH_FAILED)."""
        ...

    async def execute(
        self,
        command: str,
        *,
        timeout: float,  # covers waiting for the login and the command
    ) -> str:
        """Run one console command and return its answer text (admin_errors on failure)."""
        ...

    def rename(self, name: str) -> None:
        """The server was renamed: messages name it so from now on (the connection stays)."""
        ...

    def add_listener(self, event: str, listener: Listener) -> None:
        """Listen to a pushed event of the protocol (kept across reconnects)."""
        ...

    def remove_listener(self, event: str, listener: Listener) -> None: ...

    async def close(self) -> None:
        """Disconnect for good and stop reconnecting."""
        ...


@dataclass(frozen=True, slots=True)
class ConsolePlayer:
    """One connected player as a console lists them (strings clipped by the adapter)."""

    name: str
    # What the console's kick/ban commands take for this player: a slot number (srcds,
    # BattlEye), an id (Rust SteamID, Palworld userId, 7DTD entity id) or the name itself.
    handle: str
    # The player's stable identifiers where the protocol gives them (SteamID64, EOS id,
    # BattlEye GUID, Minecraft UUID…), by kind: ("steam", "7656…").
    ids: tuple[tuple[str, str], ...] = ()
    ping_ms: int | None = None
    address: str = field(default="", repr=False)  # the player's IP, where shown


@dataclass(frozen=True, slots=True)
class ConsoleEvent:
    """Something the console pushed, in neutral terms (for the live feed).

    ``kind``: ``chat``, ``join``, ``leave``, ``kick``, ``ban``, ``death``, ``admin_login``,
    ``admin_action`` (``text`` says what the admin did), ``save``, ``restart`` or ``line``
    (any other console line, kept as ``text``)."""

    kind: str
    player: str = ""
    ids: tuple[tuple[str, str], ...] = ()
    text: str = ""
    channel: str = ""  # chat: "global", "team", "side", "direct", …


# Listeners of this event get every ConsoleEvent a session produces (add_listener).
CONSOLE_EVENT = "console_event"


@dataclass(frozen=True, slots=True)
class ConsoleFeed:
    """What a console gives the live feed, so the feed never has to know protocols by name."""

    # It pushes console events: the feed holds a connection and listens. A console that
    # pushes nothing (srcds) gets no idle connection.
    pushes: bool = False
    # It reports every join and leave, exactly and with names (pushed, or from a player list
    # the session polls itself): the poll-derived ones would repeat them.
    joins: bool = False


NO_FEED = ConsoleFeed()
FULL_FEED = ConsoleFeed(pushes=True, joins=True)


@runtime_checkable
class PlayerLister(Protocol):
    """A session that lists players itself (typed, not parsed from a command's text)."""

    async def players(self, *, timeout: float) -> list[ConsolePlayer]: ...


class AdminAdapter(Described, Protocol):
    """One console protocol: opens sessions and tests logins."""

    @property
    def hints(self) -> LoginHints: ...

    def feed(self, profile: str | None) -> ConsoleFeed:
        """What its consoles give the live feed, for a game of this quirks ``profile``."""
        ...

    def open(self, target: AdminTarget, options: SessionOptions) -> AdminSession:
        """A session for ``target``, not started (the caller calls ``start``)."""
        ...

    async def test_login(
        self,
        host: str,
        port: int,
        password: str,
        *,
        timeout: float,  # the whole attempt
    ) -> LoginResult:
        """Log in once and disconnect. Never retried: srcds bans IPs after failed logins."""
        ...
