"""BattlEye RCon (UDP; DayZ, Arma 2/3, Reforger…) as an admin adapter.

A session holds one :class:`~bot.protocols.battleye.BattlEyeClient`, which logs in again by
itself after every loss, with its own backoff; the session's runner only keeps it open and
mirrors its login/disconnect events into the state. The checked address is pinned for the
client's life, so a host name re-pointed at an internal address later is never followed.

Listener events: the client's own (``login``, ``player_connect``… see ``BattlEyeClient``) and,
while someone listens to :data:`~bot.adapters.admin.CONSOLE_EVENT`, their neutral form: ``join``
(a connect line: no GUID yet), a ``line`` carrying the player's GUID (``BE GUID`` line, just
after the join), ``leave``, ``kick`` or ``ban`` (by the kick reason), ``chat`` (players; RCon
admins' messages too, with an :data:`ADMIN_ID` id), ``admin_login`` (other admins: the bot's own
login after each of its logins is left out) and BattlEye's notices as ``line``. Player ids are
``(GUID_ID, guid)`` where known (from the line or the client's player cache).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TypeVar

from bot.adapters.admin import (
    CONSOLE_EVENT,
    FULL_FEED,
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
from bot.adapters.admin_errors import RconInvalidInput, RconRefused, RconTimeout, RconUnavailable
from bot.adapters.login_test import ConsoleAdapter, LoginFailure, error_name, no_answer
from bot.adapters.reconnecting import ReconnectingSession
from bot.protocols import battleye as be
from bot.protocols.backoff import Backoff, BackoffPolicy
from bot.protocols.battleye.events import CHANNELS, MAX_NAME

log = logging.getLogger(__name__)

T = TypeVar("T")

LABEL = "BattlEye RCon"

# Ids of ConsoleEvent/ConsolePlayer values: a player's BattlEye GUID (32 hex digits, lower
# case), and the number of an RCon admin (its chat and logins are the admin's, not a player's).
GUID_ID = "battleye_guid"
ADMIN_ID = "rcon_admin"
# Longest chat text or kick reason passed on (a server can send a 64 KB line), and channel.
MAX_TEXT = 1000
MAX_CHANNEL = 64
# The reasons BattlEye writes when a banned player is removed.
_BAN_MARKERS = ("admin ban", "global ban", "banned")


def is_ban(reason: str) -> bool:
    low = reason.casefold()
    return any(marker in low for marker in _BAN_MARKERS)


def player_ids(player: be.Player) -> tuple[tuple[str, str], ...]:
    return ((GUID_ID, player.guid.lower()[:32]),) if player.guid else ()


def _name(player: be.Player) -> str:
    return player.name[:MAX_NAME]


def _channel(channel: str) -> str:
    # Arma's own channels in the neutral spelling ("global"); others (custom radio channels,
    # an admin's "To <name>") as BattlEye wrote them.
    return channel.lower() if channel in CHANNELS else channel[:MAX_CHANNEL]


def join_event(player: be.Player) -> ConsoleEvent:
    return ConsoleEvent("join", _name(player), player_ids(player))


def guid_event(player: be.Player) -> ConsoleEvent:
    """The ``BE GUID`` line after a join: the player's GUID, as a ``line`` (not a second join)."""
    text = f"Player #{player.id} {_name(player)} - BE GUID: {player.guid[:32]}"
    return ConsoleEvent("line", _name(player), player_ids(player), text)


def leave_event(player: be.Player) -> ConsoleEvent:
    return ConsoleEvent("leave", _name(player), player_ids(player))


def kick_event(player: be.Player, reason: str) -> ConsoleEvent:
    kind = "ban" if is_ban(reason) else "kick"
    return ConsoleEvent(kind, _name(player), player_ids(player), reason[:MAX_TEXT])


def chat_event(player: be.Player, channel: str, text: str) -> ConsoleEvent:
    return ConsoleEvent(
        "chat", _name(player), player_ids(player), text[:MAX_TEXT], _channel(channel)
    )


def _admin(admin_id: int) -> tuple[str, tuple[tuple[str, str], ...]]:
    return f"admin #{admin_id}", ((ADMIN_ID, str(admin_id)),)


def admin_login_event(admin_id: int) -> ConsoleEvent:
    # The admin's address is left out: feed channels are no place for IP addresses.
    name, ids = _admin(admin_id)
    return ConsoleEvent("admin_login", name, ids)


def admin_message_event(admin_id: int, channel: str, text: str) -> ConsoleEvent:
    name, ids = _admin(admin_id)
    return ConsoleEvent("chat", name, ids, text[:MAX_TEXT], _channel(channel))


def notice_event(text: str) -> ConsoleEvent:
    return ConsoleEvent("line", text=text[:MAX_TEXT])


def console_player(player: be.Player) -> ConsolePlayer:
    # The slot number is what ``kick``/``ban`` take.
    return ConsolePlayer(_name(player), str(player.id), player_ids(player), player.ping, player.ip)


def client_config(options: SessionOptions) -> be.ClientConfig:
    """BattlEye logins are one cheap datagram: the first re-login after a loss goes out at
    once and the backoff stays short, so a restarted server is back within seconds."""
    return be.ClientConfig(
        login_timeout=options.connect_timeout / 2,
        login_attempts=None,
        reconnect_delay=0.0,
        backoff_initial=options.backoff_initial,
        backoff_max=max(
            options.backoff_initial, min(options.backoff_max, be.client.RECONNECT_BACKOFF_MAX)
        ),
    )


class BattlEyeSession(ReconnectingSession[be.BattlEyeClient]):
    title = LABEL

    def __init__(
        self, target: AdminTarget, options: SessionOptions, config: be.ClientConfig
    ) -> None:
        # The listeners: all of them; those of CONSOLE_EVENT here, the others forwarded to
        # each client.
        super().__init__(target, options, LABEL, task="battleye-session")
        self.config = replace(config, login_attempts=None)
        self._translated: be.BattlEyeClient | None = None  # the client feeding console events

    def _linked(self, client: be.BattlEyeClient) -> bool:
        return client.is_connected()

    async def _run(self) -> None:
        host = await self._checked_host()
        if host is None:
            return  # stopped while the address could not be used
        client = be.BattlEyeClient(self.config, rng=self.options.rng)
        for event, func in self.listeners:
            if event != CONSOLE_EVENT:
                client.add_listener(event, func)
        if self.listeners.has(CONSOLE_EVENT):
            self._translate(client)
        client.add_listener("login", lambda: self._runner.set_state(SessionState.CONNECTED))
        client.add_listener("disconnect", lambda: self._runner.set_state(SessionState.RECONNECTING))
        self.client = client
        server = self.target.server_id
        try:
            async with client.connect(host, self.target.port, self.target.password):
                await self._runner.stop.wait()
        except be.LoginRefused:
            log.error("BattlEye RCon of server %s refused the password; not retrying", server)
            self._runner.set_state(SessionState.AUTH_FAILED)
        except be.CommandValidationError:
            # A password BattlEye cannot carry (control characters): as good as refused.
            self._runner.set_state(SessionState.AUTH_FAILED)
        except be.LoginFailure:
            self._runner.set_state(SessionState.IDLE)  # closed before the first login
        except Exception:
            # Not a network or login problem: a bug or bad settings. Logged once here; the
            # waiting command fails now and the next one starts a fresh runner.
            log.exception("BattlEye RCon of server %s failed", server)
            self._runner.set_state(SessionState.IDLE)
        finally:
            client.close()
            if self.client is client:
                self.client = None
            if self._translated is client:
                self._translated = None

    async def _checked_host(self) -> str | None:
        """The checked address; while the lookup fails or the address is refused, retried
        with backoff. None when the session stopped meanwhile."""
        policy = BackoffPolicy(initial=self.config.backoff_initial, maximum=self.config.backoff_max)
        backoff = Backoff(policy, rng=self.options.rng)
        while not self._runner.stopped:
            try:
                return await self.target.resolve(self.target.host)
            except OSError as exc:  # AddressNotAllowed included: only a lookup was sent
                delay = backoff.failed()
                log.info(
                    "BattlEye RCon of server %s: %s; retry in %.2f s",
                    self.target.server_id,
                    type(exc).__name__,
                    delay,
                )
                self._runner.set_state(SessionState.RECONNECTING)
                if await backoff.wait(delay, self._runner.stop):
                    break
        return None

    # -- console events ----------------------------------------------------------------------

    def _translate(self, client: be.BattlEyeClient) -> None:
        """Turn the client's typed events into console events (once per client; only while
        someone listens, so chat lines are parsed only then)."""
        if self._translated is client:
            return
        self._translated = client
        emit = self._emit

        def on_admin_login(admin_id: int, addr: str) -> None:
            # BattlEye announces every login to every admin: the client takes the first one
            # after each of its logins as its own (a reconnect is no admin activity).
            if admin_id != client.client_id:
                emit(admin_login_event(admin_id))

        translators: dict[str, Listener] = {
            "player_connect": lambda player: emit(join_event(player)),
            "player_guid": lambda player: emit(guid_event(player)),
            "player_disconnect": lambda player: emit(leave_event(player)),
            "player_kick": lambda player, reason: emit(kick_event(player, reason)),
            "player_message": lambda player, channel, text: emit(chat_event(player, channel, text)),
            "admin_login": on_admin_login,
            "admin_message": lambda admin, channel, text: emit(
                admin_message_event(admin, channel, text)
            ),
            "battleye_notice": lambda text: emit(notice_event(text)),
        }
        for event, func in translators.items():
            client.add_listener(event, func)

    def _emit(self, event: ConsoleEvent) -> None:
        self.listeners.emit(CONSOLE_EVENT, event)

    # -- commands ------------------------------------------------------------------------------

    def _offline(self) -> RconUnavailable:
        return RconUnavailable(key="rcon.offline", server=repr(self.target.name), port=LABEL)

    async def execute(self, command: str, *, timeout: float) -> str:
        return await self._call(lambda client: client.send_command(command), timeout)

    async def players(self, *, timeout: float) -> list[ConsolePlayer]:
        """The ``players`` list, typed (:class:`~bot.adapters.admin.PlayerLister`): the handle
        is the slot number, the ids the GUID."""
        listed = await self._call(lambda client: client.fetch_players(), timeout)
        return [console_player(player) for player in listed]

    async def _call(
        self,
        request: Callable[[be.BattlEyeClient], Awaitable[T]],
        timeout: float,
    ) -> T:
        client = await self.ready(timeout)
        name = self.target.name
        try:
            async with asyncio.timeout(timeout):
                return await request(client)
        except be.CommandValidationError as exc:
            # The detail is the protocol library's wording, kept as a value.
            raise RconInvalidInput(key="consoles.cannot_send", detail=str(exc)) from None
        except be.NotConnected:
            raise RconUnavailable(key="rcon.not_connected", server=repr(name)) from None
        except be.RCONCommandError as exc:
            if be.client.DISALLOWED in str(exc):
                raise RconRefused(key="rcon.restricted", server=repr(name)) from None
            raise RconUnavailable(key="rcon.no_answer", server=repr(name)) from None
        except TimeoutError:
            raise RconTimeout.after(name, timeout) from None

    def add_listener(self, event: str, listener: Listener) -> None:
        super().add_listener(event, listener)
        client = self.client
        if client is None:
            return
        if event == CONSOLE_EVENT:
            self._translate(client)
        else:
            client.add_listener(event, listener)

    def remove_listener(self, event: str, listener: Listener) -> None:
        super().remove_listener(event, listener)
        if self.client is not None and event != CONSOLE_EVENT:
            self.client.remove_listener(event, listener)

    async def _close_client(self, client: be.BattlEyeClient) -> None:
        client.close()


class BattlEyeAdapter(ConsoleAdapter):
    protocol = "battleye"
    label = LABEL
    transport = "UDP"
    hints = LoginHints(
        refused="the password is wrong (RConPassword in BEServer_x64.cfg).",
        dropped="the connection was dropped during the login: try again.",
        no_answer=(
            "no answer to the login: wrong RCON port (RConPort in BEServer_x64.cfg, often game "
            "port + 3), BattlEye RCon disabled, or a firewall blocking UDP."
        ),
        unreachable="the port is unreachable: wrong RCON port or the server is offline.",
        after_ok=(
            "If kick/ban later do nothing, RestrictRCon=1 in the server config is blocking them."
        ),
    )
    login_failures = (
        LoginFailure(be.LoginRefused, LoginStatus.REFUSED, "password refused"),
        LoginFailure(
            be.CommandValidationError, LoginStatus.REFUSED, "BattlEye does not accept this password"
        ),
        LoginFailure((be.LoginTimeout, TimeoutError), LoginStatus.NO_ANSWER, no_answer),
        LoginFailure(OSError, LoginStatus.UNREACHABLE, error_name),
    )

    def __init__(self, config: be.ClientConfig | None = None) -> None:
        # None: derived from each session's options (client_config).
        self.config = config

    def feed(self, profile: str | None) -> ConsoleFeed:
        # Joins, leaves (with GUIDs), kicks and chat are pushed as they happen.
        return FULL_FEED

    def open(self, target: AdminTarget, options: SessionOptions) -> BattlEyeSession:
        config = self.config if self.config is not None else client_config(options)
        return BattlEyeSession(target, options, config)

    async def login_once(self, host: str, port: int, password: str, timeout: float) -> LoginResult:
        # Two login datagrams within the limit (UDP can lose one); no player list fetch.
        config = be.ClientConfig(
            login_timeout=timeout / 2, login_attempts=2, fetch_players_on_login=False
        )
        client = be.BattlEyeClient(config)
        try:
            # Safety net above the client's own login timeout.
            async with asyncio.timeout(timeout + 1.0):
                async with client.connect(host, port, password):
                    return LoginResult(LoginStatus.OK)
        finally:
            client.close()
