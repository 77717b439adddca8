"""Rust WebRCON (a WebSocket on TCP ``rcon.port``) as an admin adapter.

A session holds one :class:`~bot.protocols.webrcon.WebRconClient` for its whole life: the
client reconnects by itself with backoff, keeps the link alive with a cheap command (Rust
answers no pings) and gives up on a refused password. The session adds what the pool needs:
every connection attempt asks :attr:`AdminTarget.resolve` for the address, errors become the
:mod:`bot.adapters.admin_errors` family naming the server, and one task per session reads the
client's pushes and hands them to listeners:

- ``CONSOLE_EVENT``: :class:`ConsoleEvent` values (chat, join, leave, kick, ban, save,
  restart, line);
- ``"webrcon_event"`` (:data:`RAW_EVENT`): the package's own event objects, including its
  ``Connected``/``Disconnected`` markers.

``execute`` sends a console line as it is (Rust's console language) and treats a command that
prints nothing (``say``…) as answered with "": Rust sends no reply at all to those.
"""

from __future__ import annotations

import asyncio
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
    LoginHints,
    LoginResult,
    LoginStatus,
    SessionOptions,
    SessionState,
)
from bot.adapters.admin_errors import (
    RconAuthError,
    RconInvalidInput,
    RconNotConfigured,
    RconTimeout,
    RconUnavailable,
)
from bot.adapters.listeners import ListenedSession, cancel_and_wait
from bot.adapters.login_test import ConsoleAdapter, LoginFailure, error_text, no_answer
from bot.protocols import webrcon
from bot.protocols.backoff import BackoffPolicy

log = logging.getLogger(__name__)

T = TypeVar("T")

# Listeners of this event get the package's own event objects (ClientEvent values).
RAW_EVENT = "webrcon_event"

_STATES = {
    webrcon.ClientState.IDLE: SessionState.CONNECTING,  # the session's task is starting it
    webrcon.ClientState.CONNECTING: SessionState.CONNECTING,
    webrcon.ClientState.CONNECTED: SessionState.CONNECTED,
    webrcon.ClientState.RECONNECTING: SessionState.RECONNECTING,
    webrcon.ClientState.AUTH_FAILED: SessionState.AUTH_FAILED,
    webrcon.ClientState.CLOSED: SessionState.IDLE,
}


def _steam(user_id: str) -> tuple[tuple[str, str], ...]:
    # The server's own messages carry UserId "0"; old builds send numbers (already text here).
    if user_id.isascii() and user_id.isdigit() and user_id.strip("0"):
        return (("steam", user_id),)
    return ()


def to_console_event(event: webrcon.ClientEvent) -> ConsoleEvent | None:
    """The neutral form of a pushed event; None for the client's connection markers."""
    if isinstance(event, webrcon.ChatMessage):
        return ConsoleEvent(
            "chat", event.username, _steam(event.user_id), event.text, event.channel_name
        )
    if isinstance(event, webrcon.PlayerJoined):
        return ConsoleEvent("join", event.name, _steam(event.steam_id))
    if isinstance(event, webrcon.PlayerLeft):
        return ConsoleEvent("leave", event.name, _steam(event.steam_id), event.reason)
    if isinstance(event, webrcon.PlayerKicked):
        return ConsoleEvent("kick", event.name, text=event.reason)  # the line has no SteamID
    if isinstance(event, webrcon.PlayerBanned):
        reason = f"{event.reason} (for {event.duration})" if event.duration else event.reason
        return ConsoleEvent("ban", event.name, text=reason)
    if isinstance(event, webrcon.ServerSaved):
        saved = "" if event.entities is None else f"{event.entities:,} entities"
        return ConsoleEvent("save", text=saved)
    if isinstance(event, webrcon.ServerRestarting):
        return ConsoleEvent("restart", text=f"in {event.seconds} s")
    if isinstance(event, webrcon.ConsoleMessage):
        return ConsoleEvent("line", text=event.text)
    return None  # Connected / Disconnected: the session's state says it


def to_console_player(player: webrcon.RustPlayer) -> ConsolePlayer:
    return ConsolePlayer(
        name=player.name or player.steam_id,
        handle=player.steam_id,  # what kick "<id>", banid <id> and unban <id> take
        ids=(("steam", player.steam_id),),
        ping_ms=player.ping,
        address=player.ip,
    )


class WebRconSession(ListenedSession):
    def __init__(self, target: AdminTarget, options: SessionOptions) -> None:
        super().__init__(target, options, "WebRCON")
        self.client: webrcon.WebRconClient | None = None
        self._runner: asyncio.Task[None] | None = None
        self._started = asyncio.Event()  # the client is started (or will never be)
        self._closed = False
        # "password" or "address": which setting no client could be made with (nothing sent).
        self._unusable: str | None = None
        # Why the last attempt could not even resolve (no traffic sent), as a catalogue key;
        # None once one did.
        self._address_problem: str | None = None
        self._attempts = 0  # connection attempts made (each one resolves first)
        self._problem_changed = asyncio.Event()

    def __repr__(self) -> str:
        return f"<WebRconSession server {self.target.server_id} {self.state.value}>"

    @property
    def state(self) -> SessionState:
        client = self.client
        if self._closed or client is None:
            return SessionState.IDLE
        state = _STATES[client.state]
        if state is SessionState.CONNECTING and (
            self._address_problem is not None or self._attempts > 1
        ):
            return SessionState.RECONNECTING  # an attempt failed; retrying with backoff
        return state

    def start(self) -> None:
        if self.client is not None or self._closed or self._unusable is not None:
            return
        t, o = self.target, self.options
        try:
            client = webrcon.WebRconClient(
                t.host,
                t.port,
                t.password,
                timeout=o.connect_timeout,
                backoff=BackoffPolicy(
                    initial=o.backoff_initial, maximum=max(o.backoff_max, o.backoff_initial)
                ),
                reconnect_delay=o.backoff_initial,
                rng=o.rng,
                resolve=self._resolve,
            )
        except ValueError:
            # An empty password or a host no URL can hold; the text could hold neither safely.
            self._unusable = "password" if not t.password else "address"
            log.error("WebRCON of server %s: unusable settings; not connecting", t.server_id)
            return
        self.client = client
        self._runner = asyncio.get_running_loop().create_task(
            self._run(client), name=f"webrcon-session:{t.server_id}"
        )

    async def _resolve(self, host: str) -> str:
        self._attempts += 1
        try:
            address = await self.target.resolve(host)
        except AddressNotAllowed:
            self._problem("rcon.internal_refused")
            raise
        except OSError:
            self._problem("consoles.unresolved")
            raise OSError(f"cannot resolve {host}") from None
        self._address_problem = None
        return address

    def _problem(self, key: str) -> None:
        self._address_problem = key
        changed, self._problem_changed = self._problem_changed, asyncio.Event()
        changed.set()

    async def _run(self, client: webrcon.WebRconClient) -> None:
        """Start the client, then hand each pushed event to the listeners until it ends."""
        server = self.target.server_id
        try:
            await client.start(wait=False)
            self._started.set()
            async for event in client.events():
                self._dispatch(event)
        except Exception:
            log.exception("WebRCON session of server %s failed", server)
        finally:
            self._started.set()  # nobody waits for a start that will not come
        if client.state is webrcon.ClientState.AUTH_FAILED:
            log.error("WebRCON of server %s refused the password; not retrying", server)

    # --- commands -------------------------------------------------------------------------------

    def _offline(self) -> RconUnavailable:
        name = self.target.name
        if self._address_problem is not None:
            return RconUnavailable(key=self._address_problem, server=repr(name))
        return RconUnavailable(key="rcon.offline", server=repr(name), port="WebRCON")

    async def _wait_connected(self, client: webrcon.WebRconClient) -> None:
        """Until connected; fails at once when the address could not be used."""
        while not client.connected:
            if self._address_problem is not None:
                raise self._offline()
            connected = asyncio.ensure_future(client.wait_connected())
            problem = asyncio.ensure_future(self._problem_changed.wait())
            try:
                await asyncio.wait({connected, problem}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                connected.cancel()
                problem.cancel()
            if connected.done() and not connected.cancelled():
                connected.result()  # the auth error, or "closed"

    async def _ready(self, deadline: float) -> webrcon.WebRconClient:
        self.start()
        name = self.target.name
        if self._unusable == "password":
            raise RconNotConfigured(key="rcon.no_password", server=repr(name))
        if self._unusable is not None:
            raise RconNotConfigured(key="rcon.address_unusable", server=repr(name))
        client = self.client
        if self._closed or client is None:
            raise RconUnavailable(key="rcon.session_closed", server=repr(name), protocol="WebRCON")
        if client.connected:
            return client
        try:
            async with asyncio.timeout_at(deadline):
                await self._started.wait()
                await self._wait_connected(client)
        except TimeoutError:
            raise self._offline() from None
        except webrcon.WebRconAuthError:
            raise RconAuthError(name) from None
        except webrcon.WebRconError:
            raise RconUnavailable(key="rcon.connection_closed", server=repr(name)) from None
        return client

    async def _call(
        self,
        call: Callable[[webrcon.WebRconClient, float], Awaitable[T]],
        timeout: float,  # covers the wait for the connection and the call
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        client = await self._ready(deadline)
        name = self.target.name
        try:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise webrcon.WebRconTimeout("connected too late")
            return await call(client, remaining)
        except webrcon.WebRconRequestError:
            raise self._invalid() from None
        except webrcon.WebRconTimeout:
            raise RconTimeout.after(name, timeout) from None
        except webrcon.WebRconAuthError:
            raise RconAuthError(name) from None
        except webrcon.NotWebRcon:
            raise RconUnavailable(key="consoles.webrcon.not_webrcon", server=repr(name)) from None
        except webrcon.WebRconError:
            raise RconUnavailable(
                key="rcon.connection_broke", server=repr(name), protocol="WebRCON"
            ) from None

    @staticmethod
    def _invalid() -> RconInvalidInput:
        return RconInvalidInput(key="consoles.webrcon.invalid", count=webrcon.MAX_COMMAND_CHARS)

    async def execute(self, command: str, *, timeout: float) -> str:
        try:
            webrcon.validate_command(command)
        except webrcon.WebRconRequestError:
            raise self._invalid() from None
        # allow_empty: a command that prints nothing gets no reply; a probe sent after it
        # tells that from silence, so `say` returns "" instead of timing out.
        return await self._call(
            lambda client, left: client.command(command, timeout=left, allow_empty=True), timeout
        )

    async def players(self, *, timeout: float) -> list[ConsolePlayer]:
        text = await self._call(
            lambda client, left: client.command("playerlist", timeout=left), timeout
        )
        try:
            listed = webrcon.parse_playerlist(text)
        except webrcon.NotWebRcon:
            raise RconUnavailable(
                key="consoles.webrcon.bad_playerlist", server=repr(self.target.name)
            ) from None
        return [to_console_player(p) for p in listed]

    # --- listeners ------------------------------------------------------------------------------

    def _dispatch(self, event: webrcon.ClientEvent) -> None:
        self.listeners.emit(RAW_EVENT, event)
        neutral = to_console_event(event)
        if neutral is not None:
            self.listeners.emit(CONSOLE_EVENT, neutral)

    async def close(self) -> None:
        self._closed = True
        self._started.set()
        runner, self._runner = self._runner, None
        await cancel_and_wait(runner)
        if self.client is not None:
            await self.client.close()
        await self.listeners.close()


class WebRconAdapter(ConsoleAdapter):
    protocol = "webrcon"
    label = "Rust WebRCON"
    transport = "TCP"
    hints = LoginHints(
        refused=(
            "the password is wrong (+rcon.password on the server's command line). Passwords "
            "with symbols such as @#$%()*^ were reported to fail over WebRCON: try one of "
            "letters and digits."
        ),
        dropped=(
            "the server closed the connection during the WebSocket upgrade: a wrong password, "
            "or this port is not WebRCON (with +rcon.web 0 the RCON port speaks Source RCON: "
            "set +rcon.web 1)."
        ),
        no_answer=(
            "no WebRCON answer: wrong RCON port (+rcon.port, 28016 by default; the game's "
            "default is 28015), WebRCON off (+rcon.web 1 is needed), or a firewall blocking TCP."
        ),
        unreachable=(
            "the connection was refused: wrong RCON port (+rcon.port, 28016 by default), or the "
            "server is offline or still starting."
        ),
    )
    login_failures = (
        LoginFailure(
            webrcon.WebRconUpgradeClosed,
            LoginStatus.DROPPED,
            "connection closed during the upgrade",
        ),
        LoginFailure(webrcon.WebRconAuthError, LoginStatus.REFUSED, "password refused"),
        LoginFailure(TimeoutError, LoginStatus.NO_ANSWER, no_answer),  # WebRconTimeout included
        LoginFailure(
            webrcon.NotWebRcon, LoginStatus.NO_ANSWER, "the port answered, but not as WebRCON"
        ),
        # Refused, unreachable or not resolved: the text names host:port, never the URL.
        LoginFailure(webrcon.WebRconError, LoginStatus.UNREACHABLE, error_text),
    )

    def feed(self, profile: str | None) -> ConsoleFeed:
        # Rust pushes joins, leaves and chat; ``playerlist`` lists the players.
        return FULL_FEED

    def open(self, target: AdminTarget, options: SessionOptions) -> WebRconSession:
        return WebRconSession(target, options)

    async def login_once(self, host: str, port: int, password: str, timeout: float) -> LoginResult:
        try:
            client = webrcon.WebRconClient(host, port, password, timeout=timeout)
        except ValueError:
            if not password:
                return LoginResult(LoginStatus.REFUSED, "no password")
            return LoginResult(LoginStatus.UNREACHABLE, "not a usable address")
        try:
            # start() makes one attempt within `timeout` (DNS, connect, upgrade); the outer
            # limit is a safety net. Rust accepting the upgrade is accepting the password.
            async with asyncio.timeout(timeout + 1.0):
                await client.start()
            return LoginResult(LoginStatus.OK)
        finally:
            await client.close()
