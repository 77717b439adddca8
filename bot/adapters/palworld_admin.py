"""Palworld's REST API (HTTP on TCP 8212, Basic ``admin``:AdminPassword) as an admin adapter.

REST keeps no connection, so a session's state is the health of its requests: CONNECTED after
an authenticated ``GET /info`` succeeded, and so while requests succeed. A 401 makes it
AUTH_FAILED: nothing is sent any more until the pool replaces the session. A network failure
or timeout makes it RECONNECTING: only the runner's health check (one ``info``, on the
backoff's schedule) is sent until it answers, and commands meanwhile fail at once, so a
dead server sees no request storm.

The address is pinned per connection: every health check asks ``target.resolve`` and the
requests of the connection it opens go to that checked address; the next loss re-resolves.
The host name itself is never sent to aiohttp, so a name re-pointed at an internal address
is not followed, while a server whose address changed is found again after one failure.

The console language of :meth:`PalworldAdminSession.execute` (:data:`COMMANDS`) maps onto the
endpoints; the REST API pushes nothing, so joins and leaves are derived from successive
player lists, polled only while someone listens to ``CONSOLE_EVENT``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot.adapters.admin import (
    CONSOLE_EVENT,
    FULL_FEED,
    AddressNotAllowed,
    AdminTarget,
    ConsoleEvent,
    ConsoleFeed,
    ConsolePlayer,
    Listener,
    LoginHints,
    LoginResult,
    LoginStatus,
    SessionOptions,
    SessionState,
)
from bot.adapters.admin_errors import (
    RconAuthError,
    RconError,
    RconInvalidInput,
    RconRefused,
    RconTimeout,
    RconUnavailable,
)
from bot.adapters.listeners import ListenedSession, SessionRunner, cancel_and_wait
from bot.adapters.login_test import ConsoleAdapter, LoginFailure, no_answer
from bot.adapters.palworld_commands import (
    console_player,
    parse_command,
    run_command,
    steam_ids,
)
from bot.protocols import palworld as pw
from bot.protocols.backoff import Backoff, BackoffPolicy

log = logging.getLogger(__name__)

T = TypeVar("T")

PROTOCOL = "palworld_rest"
DEFAULT_POLL_INTERVAL = 15.0  # seconds between player lists while someone listens to events
LABEL = "Palworld REST API"

# Why the last health check failed, as a catalogue key and its values (members read it in
# their language; the log gets the English text).
Failure = tuple[str, dict[str, str]]
_OFFLINE: Failure = ("rcon.offline", {"port": "REST API"})
_NOT_PALWORLD: Failure = ("consoles.palworld.not_palworld", {})
_UNRESOLVED: Failure = ("consoles.unresolved", {})
_REFUSED_ADDRESS: Failure = ("rcon.internal_refused", {})


class PalworldAdminSession(ListenedSession):
    """One server's REST API: an AdminSession and a PlayerLister."""

    def __init__(
        self,
        target: AdminTarget,
        options: SessionOptions,
        *,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> None:
        if not poll_interval > 0:
            raise ValueError("poll_interval must be positive")
        super().__init__(target, options, LABEL)
        self.poll_interval = poll_interval
        self._runner = SessionRunner(f"palworld-session:{target.server_id}")
        self._wake = asyncio.Event()  # a loss or a refusal: the runner has work
        self._poller: asyncio.Task[None] | None = None
        self._address: str | None = None  # pinned while CONNECTED
        self._epoch = 0  # one per connection: a late failure of an older one is ignored
        self._failure: Failure = _OFFLINE  # why the last attempt failed, said to members

    def __repr__(self) -> str:
        return f"<PalworldAdminSession server={self.target.server_id} {self.state.value}>"

    @property
    def state(self) -> SessionState:
        return self._runner.state

    def start(self) -> None:
        self._runner.start(self._run)
        self._ensure_poller()

    # -- the runner: health checks on the backoff's schedule ---------------------------------

    async def _run(self) -> None:
        o = self.options
        policy = BackoffPolicy(
            initial=o.backoff_initial, maximum=max(o.backoff_max, o.backoff_initial)
        )
        backoff = Backoff(policy, rng=o.rng)
        server = self.target.server_id
        try:
            while not self._runner.stopped:
                if await self._attempt():
                    backoff.connected()
                    await self._wake.wait()  # until a request fails or is refused
                    if self.state is SessionState.AUTH_FAILED:
                        return
                    delay = backoff.lost(first=o.backoff_initial)
                elif self.state is SessionState.AUTH_FAILED:
                    return
                else:
                    self._runner.set_state(SessionState.RECONNECTING)
                    delay = backoff.failed()
                log.info(
                    "Palworld REST API of server %s: %s; next check in %.2f s",
                    server,
                    self._unavailable(self._failure),
                    delay,
                )
                if await backoff.wait(delay, self._runner.stop):
                    return
        except Exception:
            # A bug or bad settings, not the network: logged once; the next command restarts.
            log.exception("Palworld REST API session of server %s failed", server)
            self._address = None
            self._runner.set_state(SessionState.IDLE)

    async def _attempt(self) -> bool:
        """One health check: resolve, then an authenticated ``info``, within connect_timeout."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.options.connect_timeout
        try:
            async with asyncio.timeout_at(deadline):
                address = await self.target.resolve(self.target.host)
        except AddressNotAllowed:  # only a lookup was made
            self._failure = _REFUSED_ADDRESS
            return False
        except (OSError, TimeoutError):
            self._failure = _UNRESOLVED
            return False
        client = self._client(address, deadline - loop.time())
        try:
            await client.info()
        except pw.AuthRefused:
            self._refused()
            return False
        except (pw.PalworldTimeout, pw.PalworldUnreachable):
            self._failure = _OFFLINE
            return False
        except pw.PalworldError:
            self._failure = _NOT_PALWORLD
            return False
        if self.state is SessionState.AUTH_FAILED:  # a late 401 of an older request
            return False
        self._wake.clear()
        self._address = address
        self._epoch += 1
        self._runner.set_state(SessionState.CONNECTED)
        return True

    def _client(self, address: str, timeout: float) -> pw.PalworldClient:
        t = self.target
        return pw.PalworldClient(address, t.port, password=t.password, timeout=max(timeout, 0.001))

    def _lost(self, epoch: int) -> None:
        if epoch != self._epoch or self.state is not SessionState.CONNECTED:
            return
        self._failure = _OFFLINE
        self._address = None
        self._runner.set_state(SessionState.RECONNECTING)
        self._wake.set()

    def _refused(self) -> None:
        if self.state is not SessionState.AUTH_FAILED:
            log.error(
                "Palworld REST API of server %s refused the admin password; not retrying",
                self.target.server_id,
            )
        self._address = None
        self._runner.set_state(SessionState.AUTH_FAILED)
        self._wake.set()

    # -- requests ------------------------------------------------------------------------------

    async def _ready(self, deadline: float) -> tuple[str, int]:
        """The pinned address and its connection, once CONNECTED (admin_errors otherwise)."""
        self.start()
        name = self.target.name
        ready = await self._runner.ready(self._pinned, deadline, name=name, label=LABEL)
        if ready is None:
            raise self._unavailable(_OFFLINE)
        return ready

    def _pinned(self) -> tuple[str, int] | None:
        name = self.target.name
        if self._runner.stopped:
            raise RconUnavailable(key="rcon.session_closed", server=repr(name), protocol="REST API")
        if self.state is SessionState.CONNECTED and self._address is not None:
            return self._address, self._epoch
        if self.state is SessionState.RECONNECTING:
            # Said at once: only the runner's health check may reach a failing server.
            raise self._unavailable(self._failure)
        return None

    async def _call(
        self,
        timeout: float,  # covers waiting for CONNECTED and the request
        work: Callable[[pw.PalworldClient], Awaitable[T]],
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        address, epoch = await self._ready(deadline)
        name = self.target.name
        remaining = deadline - loop.time()
        if remaining <= 0:  # spent waiting for the health check: not the server's fault
            raise RconTimeout.after(name, timeout)
        try:
            return await work(self._client(address, remaining))
        except pw.AuthRefused:
            self._refused()  # the password changed on the server: stop here
            raise RconAuthError(name) from None
        except pw.PalworldTimeout:
            self._lost(epoch)
            raise RconTimeout.after(name, timeout) from None
        except pw.PalworldUnreachable:
            self._lost(epoch)
            raise self._unavailable(_OFFLINE) from None
        except pw.InvalidArgument as exc:
            raise RconInvalidInput(key="consoles.cannot_send", detail=str(exc)) from None
        except pw.PalworldRequestError as exc:
            # The server answered: the connection is fine. Its text is cleaned, clipped and
            # stripped of the password by the codec.
            detail = f": {exc.message}" if exc.message else ""
            values = {"server": repr(name), "status": str(exc.status), "detail": detail}
            if 400 <= exc.status < 500:
                raise RconRefused(key="consoles.palworld.refused", **values) from None
            raise RconUnavailable(key="consoles.palworld.failed", **values) from None
        except pw.PalworldError:
            raise RconUnavailable(key="consoles.palworld.not_rest", server=repr(name)) from None

    def _unavailable(self, failure: Failure) -> RconUnavailable:
        key, values = failure
        return RconUnavailable(key=key, server=repr(self.target.name), **values)

    async def execute(self, command: str, *, timeout: float) -> str:
        parsed = parse_command(command)  # refused input sends nothing
        return await self._call(timeout, lambda client: run_command(parsed, client))

    async def players(self, *, timeout: float) -> list[ConsolePlayer]:
        players = await self._call(timeout, lambda client: client.players())
        return [console_player(p) for p in players]

    # -- events: joins and leaves from successive player lists -------------------------------

    def add_listener(self, event: str, listener: Listener) -> None:
        super().add_listener(event, listener)
        if event == CONSOLE_EVENT:
            self._ensure_poller()

    def remove_listener(self, event: str, listener: Listener) -> None:
        super().remove_listener(event, listener)
        if not self.listeners.has(CONSOLE_EVENT) and self._poller is not None:
            self._poller.cancel()  # nobody listens: no more player lists
            self._poller = None

    def _ensure_poller(self) -> None:
        polling = self._poller is not None and not self._poller.done()
        if polling or self._runner.stopped or not self.listeners.has(CONSOLE_EVENT):
            return
        if not self._runner.started:
            return  # a listener added before start(): start() begins polling
        self._poller = asyncio.get_running_loop().create_task(
            self._poll(), name=f"palworld-players:{self.target.server_id}"
        )

    async def _until_connected(self) -> bool:
        """Wait for CONNECTED; False once the session is refused or closed."""

        def settled() -> bool | None:
            if self.state is SessionState.CONNECTED:
                return True
            if self.state is SessionState.AUTH_FAILED or self._runner.stopped:
                return False
            return None

        return bool(await self._runner.wait_for(settled, None))

    async def _poll(self) -> None:
        # The first list is the baseline: no join for whoever is already on. It is kept across
        # losses, so players who left during an outage are said when the server is back.
        baseline: dict[str, pw.PalworldPlayer] | None = None
        try:
            while await self._until_connected():
                try:
                    listed = await self._call(
                        self.options.connect_timeout, lambda client: client.players()
                    )
                except RconAuthError:
                    return
                except RconError as exc:
                    log.debug("player list of server %s: %s", self.target.server_id, exc)
                else:
                    current = {p.user_id: p for p in listed if p.user_id}
                    if baseline is not None:
                        self._emit_changes(baseline, current)
                    baseline = current
                if await self._pause(self.poll_interval):
                    return
        except Exception:
            log.exception("player polling of server %s failed", self.target.server_id)

    async def _pause(self, delay: float) -> bool:
        """Sleep ``delay`` seconds or until closed; True when closed."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await self._runner.stop.wait()
        return self._runner.stopped

    def _emit_changes(
        self, before: dict[str, pw.PalworldPlayer], after: dict[str, pw.PalworldPlayer]
    ) -> None:
        for user_id, player in before.items():
            if user_id not in after:
                self._emit(ConsoleEvent("leave", player.name, steam_ids(user_id)))
        for user_id, player in after.items():
            if user_id not in before:
                self._emit(ConsoleEvent("join", player.name, steam_ids(user_id)))

    def _emit(self, event: ConsoleEvent) -> None:
        self.listeners.emit(CONSOLE_EVENT, event)

    async def close(self) -> None:
        self._runner.stop.set()
        self._wake.set()
        poller, self._poller = self._poller, None
        await cancel_and_wait(poller)
        await self._runner.close()
        await self.listeners.close()
        self._address = None


# Why the server could not be reached (PalworldUnreachable.reason), for /server test.
_UNREACHABLE_DETAILS = {
    "dns": "the name does not resolve",
    "refused": "connection refused",
    "invalid_address": "not a valid address",
}


def _unreachable(exc: Exception, timeout: float) -> str:
    return _UNREACHABLE_DETAILS.get(getattr(exc, "reason", ""), "the connection failed")


class PalworldAdminAdapter(ConsoleAdapter):
    protocol = PROTOCOL
    label = "Palworld REST API"
    transport = "TCP"
    hints = LoginHints(
        refused=(
            "the password is wrong: AdminPassword in PalWorldSettings.ini (the REST API's user "
            "is always admin)."
        ),
        dropped="the server closed the connection before answering (restarting?): try again.",
        no_answer=(
            "no answer: wrong REST port (RESTAPIPort in PalWorldSettings.ini, 8212 by default, "
            "not the game port 8211/UDP) or a firewall blocking TCP."
        ),
        unreachable=(
            "the connection was refused, or something other than Palworld's REST API answered: "
            "set RESTAPIEnabled=True and RESTAPIPort=8212 in PalWorldSettings.ini (and restart "
            "the server), and use that port."
        ),
        after_ok=(
            "Palworld's docs say not to expose the REST API to the Internet: let only the bot "
            "reach its port."
        ),
    )
    login_failures = (
        LoginFailure(pw.AuthRefused, LoginStatus.REFUSED, "password refused (HTTP 401)"),
        LoginFailure(TimeoutError, LoginStatus.NO_ANSWER, no_answer),  # PalworldTimeout included
        LoginFailure(pw.PalworldUnreachable, LoginStatus.UNREACHABLE, _unreachable),
        LoginFailure(pw.PalworldError, LoginStatus.UNREACHABLE, "not Palworld's REST API"),
    )

    def __init__(self, *, poll_interval: float = DEFAULT_POLL_INTERVAL) -> None:
        if not poll_interval > 0:
            raise ValueError("poll_interval must be positive")
        self.poll_interval = poll_interval

    def feed(self, profile: str | None) -> ConsoleFeed:
        # Nothing is pushed, but the session polls its player list itself (with ids).
        return FULL_FEED

    def open(self, target: AdminTarget, options: SessionOptions) -> PalworldAdminSession:
        return PalworldAdminSession(target, options, poll_interval=self.poll_interval)

    async def login_once(self, host: str, port: int, password: str, timeout: float) -> LoginResult:
        """One authenticated ``GET /info``."""
        client = pw.PalworldClient(host, port, password=password, timeout=timeout)
        async with asyncio.timeout(timeout + 1.0):  # above the client's own timeout
            info = await client.info()
        return LoginResult(LoginStatus.OK, f"{info.servername} {info.version}".strip())
