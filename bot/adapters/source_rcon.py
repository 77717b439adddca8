"""Source RCON (TCP; srcds, Minecraft, Squad, ARK, Conan, Project Zomboid…) as an admin adapter.

A session is an :class:`~bot.protocols.rcon.RCONSupervisor`: it logs in, reconnects with
backoff and jitter, and stops for good on a refused password (or on logins the server keeps
closing, Squad's answer to a wrong password). Packets the server pushes unasked (Squad's chat)
reach the listeners of the ``message`` event as :class:`~bot.protocols.rcon.RCONMessage`; with
the ``squad`` profile their neutral form (:mod:`bot.adapters.squad_events`) also reaches the
listeners of :data:`~bot.adapters.admin.CONSOLE_EVENT`.
"""

from __future__ import annotations

from bot.adapters import squad_events
from bot.adapters.admin import (
    CONSOLE_EVENT,
    NO_FEED,
    AddressNotAllowed,
    AdminTarget,
    ConsoleFeed,
    LoginHints,
    LoginResult,
    LoginStatus,
    SessionOptions,
    SessionState,
)
from bot.adapters.admin_errors import (
    RconAuthError,
    RconInvalidInput,
    RconLoginDropped,
    RconTimeout,
    RconUnavailable,
)
from bot.adapters.listeners import ListenedSession
from bot.adapters.login_test import ConsoleAdapter, LoginFailure, error_name, no_answer
from bot.protocols import rcon

_STATES = {
    rcon.SupervisorState.IDLE: SessionState.CONNECTING,
    rcon.SupervisorState.CONNECTING: SessionState.CONNECTING,
    rcon.SupervisorState.CONNECTED: SessionState.CONNECTED,
    rcon.SupervisorState.BACKOFF: SessionState.RECONNECTING,
    rcon.SupervisorState.AUTH_FAILED: SessionState.AUTH_FAILED,
    rcon.SupervisorState.STOPPED: SessionState.IDLE,
}


class _RefusedAddress(rcon.RCONCommunicationError):
    """The checked address may not be used (no traffic was sent)."""


class SourceRconSession(ListenedSession):
    def __init__(self, target: AdminTarget, options: SessionOptions) -> None:
        super().__init__(target, options, "Source RCON")
        self._supervisor: rcon.RCONSupervisor | None = None

    @property
    def state(self) -> SessionState:
        if self._supervisor is None:
            return SessionState.IDLE
        return _STATES[self._supervisor.state]

    def start(self) -> None:
        if self._supervisor is not None:
            return
        t, o = self.target, self.options
        self._supervisor = rcon.RCONSupervisor(
            (t.host, t.port),
            t.password,
            # None lets the client recognise id-zeroing servers at login.
            profile=t.profile,
            timeout=o.connect_timeout,
            backoff_initial=o.backoff_initial,
            backoff_max=max(o.backoff_max, o.backoff_initial),
            rng=o.rng,
            resolve_host=self._resolve,
            on_unsolicited=self._pushed,
        )
        self._supervisor.start()

    async def _resolve(self, host: str) -> str:
        try:
            return await self.target.resolve(host)
        except AddressNotAllowed as exc:
            raise _RefusedAddress(str(exc)) from None
        except OSError:
            raise rcon.RCONCommunicationError("the host name does not resolve") from None

    def _pushed(self, message: rcon.RCONMessage) -> None:
        self.listeners.emit("message", message)
        if self.target.profile == squad_events.PROFILE and self.listeners.has(CONSOLE_EVENT):
            neutral = squad_events.console_event(message)
            if neutral is not None:
                self.listeners.emit(CONSOLE_EVENT, neutral)

    async def execute(self, command: str, *, timeout: float) -> str:
        self.start()
        supervisor = self._supervisor
        assert supervisor is not None
        name = self.target.name
        try:
            await supervisor.wait_connected(min(timeout, self.options.connect_timeout))
        except rcon.RCONAuthenticationError:
            raise self._auth_error() from None
        except rcon.RCONError:
            last = supervisor.last_error
            if isinstance(last, _RefusedAddress):
                raise RconUnavailable(key="rcon.internal_refused", server=repr(name)) from None
            if isinstance(last, rcon.RCONAuthDroppedError):
                # Not "wrong password": retried with backoff (see RCONAuthDroppedError).
                raise RconUnavailable(key="rcon.login_closed", server=repr(name)) from None
            raise RconUnavailable(key="rcon.offline", server=repr(name), port="RCON") from None
        try:
            return await supervisor.execute(command, timeout=timeout)
        except rcon.RCONAuthenticationError:
            raise self._auth_error() from None
        except rcon.RCONTimeoutError:
            raise RconTimeout.after(name, timeout) from None
        except rcon.RCONMessageError:
            raise RconInvalidInput(key="consoles.too_long_rcon") from None
        except rcon.RCONBudgetExceededError as exc:
            raise RconUnavailable(
                key="consoles.over_budget", server=repr(name), kib=str(exc.budget // 1024)
            ) from None
        except rcon.RCONError:
            raise RconUnavailable(
                key="rcon.connection_broke", server=repr(name), protocol="RCON"
            ) from None

    def _auth_error(self) -> RconAuthError:
        # Stopped after logins the server kept closing, or after an explicit refusal.
        assert self._supervisor is not None
        if isinstance(self._supervisor.last_error, rcon.RCONAuthDroppedError):
            return RconLoginDropped(self.target.name)
        return RconAuthError(self.target.name)

    async def close(self) -> None:
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None:
            await supervisor.stop()
        await self.listeners.close()


class SourceRconAdapter(ConsoleAdapter):
    protocol = "source_rcon"
    label = "Source RCON"
    transport = "TCP"
    hints = LoginHints(
        refused="the password is wrong (rcon_password in the server's config).",
        dropped=(
            "the server closed the connection at login: a wrong password (Squad closes on a "
            "wrong password), srcds dropping the bot's IP it banned after failed logins "
            "(sv_rcon_maxfailures / sv_rcon_banpenalty: wait for the ban to expire or restart "
            "the server), or the server restarting."
        ),
        no_answer=(
            "no answer: wrong RCON port, RCON disabled (no rcon_password set on the server), or "
            "a firewall blocking TCP."
        ),
        unreachable="the connection was refused or dropped: wrong RCON port or RCON not enabled.",
    )
    login_failures = (
        LoginFailure(rcon.RCONAuthenticationError, LoginStatus.REFUSED, "password refused"),
        # A restart looks the same as srcds dropping a banned IP (or Squad's answer to a
        # wrong password): not a refusal, but said as what it is.
        LoginFailure(
            rcon.RCONAuthDroppedError, LoginStatus.DROPPED, "connection closed during login"
        ),
        LoginFailure((rcon.RCONTimeoutError, TimeoutError), LoginStatus.NO_ANSWER, no_answer),
        LoginFailure((rcon.RCONCommunicationError, OSError), LoginStatus.UNREACHABLE, error_name),
    )

    def feed(self, profile: str | None) -> ConsoleFeed:
        # Only Squad pushes (chat and admin lines); srcds pushes nothing. Neither reports every
        # join and leave: the A2S-derived ones stay.
        return ConsoleFeed(pushes=True) if profile == squad_events.PROFILE else NO_FEED

    def open(self, target: AdminTarget, options: SessionOptions) -> SourceRconSession:
        return SourceRconSession(target, options)

    async def login_once(self, host: str, port: int, password: str, timeout: float) -> LoginResult:
        async with rcon.connect((host, port), password, timeout=timeout):
            return LoginResult(LoginStatus.OK)
