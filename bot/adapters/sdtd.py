"""7 Days to Die telnet console (TCP, TelnetPort 8081) as an admin adapter.

A session holds one :class:`~bot.protocols.sdtd.SdtdTelnetClient`, which logs in again by itself
after every loss (with its own backoff) and asks :attr:`AdminTarget.resolve` for the address of
each attempt. The session's runner only opens it, keeps reading its event stream (the live log,
turned into typed events for the listeners) and mirrors its logins and losses into the state. A
first login that fails for a network reason is retried here with backoff; a refused password is
never retried.

Listener events: :data:`~bot.adapters.admin.CONSOLE_EVENT` gets a neutral
:class:`~bot.adapters.admin.ConsoleEvent` for chat, joins (a spawn on joining or re-entering),
leaves, deaths, a shutdown, and kicks, bans and saves seen as other admins' command echoes (the
bot's own echoes belong to its answers). The log's other lines (FPS stats, zombie spawns…) are
not passed on: they would drown the feed. Each typed event of :mod:`bot.protocols.sdtd.events`
also goes to listeners of its own name (``chat``, ``player_connect``, ``player_spawn``,
``player_disconnect``, ``player_join``, ``player_leave``, ``player_death``, ``entity_killed``,
``command_executed``, ``server_shutdown``); ``event`` gets every one; ``login`` and
``disconnect`` take no argument.
"""

from __future__ import annotations

import logging

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
from bot.adapters.admin_errors import RconAuthError, RconInvalidInput, RconTimeout, RconUnavailable
from bot.adapters.login_test import ConsoleAdapter, LoginFailure, error_text, no_answer
from bot.adapters.reconnecting import ReconnectingSession
from bot.protocols import sdtd
from bot.protocols.backoff import Backoff, BackoffPolicy
from bot.protocols.sdtd.events import NON_PLAYER
from bot.protocols.text_checks import ascii_int

log = logging.getLogger(__name__)

LABEL = "7 Days to Die telnet"

# A spawn with one of these reasons is a player arriving (takaro's join regex); others are
# respawns after a death or a teleport.
JOIN_REASONS = frozenset({"JoinMultiplayer", "EnterMultiplayer"})

EVENT_NAMES: dict[type, str] = {
    sdtd.ChatMessage: "chat",
    sdtd.PlayerConnected: "player_connect",
    sdtd.PlayerSpawned: "player_spawn",
    sdtd.PlayerDisconnected: "player_disconnect",
    sdtd.PlayerJoined: "player_join",
    sdtd.PlayerLeft: "player_leave",
    sdtd.PlayerDied: "player_death",
    sdtd.EntityKilled: "entity_killed",
    sdtd.CommandExecuted: "command_executed",
    sdtd.ServerShutdown: "server_shutdown",
}


def player_ids(*raw_ids: str) -> tuple[tuple[str, str], ...]:
    """Stable ids by kind: ``Steam_7656…`` and a bare SteamID64 as ("steam", "7656…"), others
    (``EOS_…``, ``XBL_…``) by their prefix, kept as printed."""
    found: dict[str, str] = {}
    for raw in raw_ids:
        if not raw or raw == NON_PLAYER:
            continue
        if raw.startswith("Steam_"):
            found.setdefault("steam", raw.removeprefix("Steam_"))
        elif len(raw) == 17 and ascii_int(raw, 17) is not None:
            found.setdefault("steam", raw)
        elif "_" in raw:
            found.setdefault(raw.split("_", 1)[0].lower(), raw)
    return tuple(found.items())


def _echo_event(command: str) -> ConsoleEvent | None:
    verb, _, rest = command.strip().partition(" ")
    verb = verb.lower()
    if verb == "saveworld":
        return ConsoleEvent("save", text=command)
    if verb == "kick":
        return ConsoleEvent("kick", player=_first_argument(rest), text=command)
    if verb == "ban" and rest.lower().startswith("add "):
        return ConsoleEvent("ban", player=_first_argument(rest[4:]), text=command)
    return None


def _first_argument(text: str) -> str:
    text = text.strip()
    if text.startswith('"'):
        return text[1:].partition('"')[0]
    return text.partition(" ")[0]


def console_event(event: sdtd.GameEvent) -> ConsoleEvent | None:
    """The neutral form of a typed event, or ``None`` for what the feed does not show."""
    if isinstance(event, sdtd.ChatMessage):
        player = event.name or ("" if not event.from_player else event.sender_id)
        ids = player_ids(event.sender_id) if event.from_player else ()
        return ConsoleEvent("chat", player, ids, event.text, event.channel.lower())
    if isinstance(event, sdtd.PlayerSpawned):
        if event.reason not in JOIN_REASONS:
            return None
        return ConsoleEvent("join", event.name, player_ids(event.platform_id, event.cross_id))
    if isinstance(event, sdtd.PlayerDisconnected):
        return ConsoleEvent("leave", event.name, player_ids(event.platform_id, event.cross_id))
    if isinstance(event, sdtd.PlayerDied):
        return ConsoleEvent("death", event.name)
    if isinstance(event, sdtd.ServerShutdown):
        return ConsoleEvent("restart", text=f"shutdown ({event.source})")
    if isinstance(event, sdtd.CommandExecuted):
        return _echo_event(event.command)
    return None


def console_player(player: sdtd.Player) -> ConsolePlayer:
    return ConsolePlayer(
        name=player.name,
        handle=str(player.entity_id),
        ids=player_ids(player.steam_id, player.platform_id, player.cross_id),
        ping_ms=player.ping,
        address=player.ip,
    )


def backoff_policy(options: SessionOptions) -> BackoffPolicy:
    return BackoffPolicy(
        initial=options.backoff_initial,
        maximum=max(options.backoff_initial, options.backoff_max),
    )


class SdtdSession(ReconnectingSession[sdtd.SdtdTelnetClient]):
    title = LABEL

    def __init__(
        self,
        target: AdminTarget,
        options: SessionOptions,
        session_config: sdtd.SessionConfig | None = None,
    ) -> None:
        super().__init__(target, options, "7DTD telnet", task="sdtd-session")
        self.session_config = session_config
        self.last_error: sdtd.SdtdError | None = None

    def _linked(self, client: sdtd.SdtdTelnetClient) -> bool:
        return client.connected

    def _client(self) -> sdtd.SdtdTelnetClient:
        return sdtd.SdtdTelnetClient(
            self.target.host,
            self.target.port,
            self.target.password,
            timeout=self.options.connect_timeout,
            session=self.session_config,
            backoff=backoff_policy(self.options),
            resolve=self.target.resolve,
            rng=self.options.rng,
        )

    async def _run(self) -> None:
        server = self.target.server_id
        backoff = Backoff(backoff_policy(self.options), rng=self.options.rng)
        try:
            while not self._runner.stopped:
                try:
                    client = self._client()
                    await client.connect()
                except (sdtd.SdtdAuthError, sdtd.SdtdInvalidCommand) as exc:
                    # Refused, or a password the console cannot carry: as good as refused.
                    log.error("7DTD telnet of server %s: %s; not retrying", server, exc)
                    self._runner.set_state(SessionState.AUTH_FAILED)
                    return
                except sdtd.SdtdError as exc:
                    self.last_error = exc
                    delay = backoff.failed()
                    log.info("7DTD telnet of server %s: %s; retry in %.2f s", server, exc, delay)
                    self._runner.set_state(SessionState.RECONNECTING)
                    if await backoff.wait(delay, self._runner.stop):
                        return
                    continue
                backoff.failures = 0
                self.last_error = None
                self.client = client
                try:
                    async for event in client.events():
                        self._on_event(event)
                finally:
                    self.client = None
                    await client.close()
                if isinstance(client.last_error, sdtd.SdtdAuthError):
                    log.error("7DTD telnet of server %s refused the password; not retrying", server)
                    self._runner.set_state(SessionState.AUTH_FAILED)
                    return
        except Exception:
            # Not a network or login problem: a bug. Logged once; the waiting command fails
            # now and the next one starts a fresh runner.
            log.exception("7DTD telnet of server %s failed", server)
            self._runner.set_state(SessionState.IDLE)

    def _on_event(self, event: sdtd.Event) -> None:
        if isinstance(event, sdtd.Connected):
            self._runner.set_state(SessionState.CONNECTED)
            self.listeners.emit("login")
        elif isinstance(event, sdtd.Disconnected):
            self._runner.set_state(SessionState.RECONNECTING)
            self.listeners.emit("disconnect")
        else:
            name = EVENT_NAMES.get(type(event))
            if name is not None:
                self.listeners.emit(name, event)
                self.listeners.emit("event", event)
            if not isinstance(event, sdtd.LogMessage):
                neutral = console_event(event)
                if neutral is not None:
                    self.listeners.emit(CONSOLE_EVENT, neutral)

    def _offline(self) -> RconUnavailable:
        name = self.target.name
        cause = None if self.last_error is None else self.last_error.__cause__
        if isinstance(cause, AddressNotAllowed):
            return RconUnavailable(key="rcon.internal_refused", server=repr(name))
        return RconUnavailable(key="rcon.offline", server=repr(name), port="telnet")

    async def execute(self, command: str, *, timeout: float) -> str:
        name = self.target.name
        try:
            sdtd.encode_command(command)  # refused before waiting for a connection
        except sdtd.SdtdInvalidCommand as exc:
            raise RconInvalidInput(key="consoles.cannot_send", detail=str(exc)) from None
        client = await self.ready(timeout)
        try:
            return await client.command(command, timeout=timeout)
        except sdtd.SdtdInvalidCommand as exc:
            raise RconInvalidInput(key="consoles.cannot_send", detail=str(exc)) from None
        except sdtd.SdtdTimeout:
            raise RconTimeout.after(name, timeout) from None
        except sdtd.SdtdAuthError:
            raise RconAuthError(name) from None
        except sdtd.NotSdtd:
            raise RconUnavailable(key="consoles.oversized", server=repr(name)) from None
        except sdtd.SdtdError:
            raise RconUnavailable(key="rcon.lost_connection", server=repr(name)) from None

    async def players(self, *, timeout: float) -> list[ConsolePlayer]:
        """The players online (``lp``), typed (:class:`~bot.adapters.admin.PlayerLister`)."""
        text = await self.execute("lp", timeout=timeout)
        return [console_player(player) for player in sdtd.parse_players(text)]

    async def _close_client(self, client: sdtd.SdtdTelnetClient) -> None:
        await client.close()


class SdtdAdapter(ConsoleAdapter):
    protocol = "sdtd_telnet"
    label = LABEL
    transport = "TCP"
    hints = LoginHints(
        refused="the password is wrong (TelnetPassword in serverconfig.xml).",
        dropped=(
            "the connection was closed during the login: the server is restarting, or this IP "
            "is blocked for a while after too many wrong passwords (TelnetFailedLoginLimit)."
        ),
        no_answer=(
            "no password prompt: wrong telnet port (TelnetPort in serverconfig.xml, default "
            "8081), or another service on this port."
        ),
        unreachable=(
            "the port is closed: wrong telnet port, TelnetEnabled is false, the server is "
            "offline or a firewall blocks TCP; with an empty TelnetPassword the console only "
            "listens on the game server's own machine."
        ),
    )
    login_failures = (
        LoginFailure(sdtd.SdtdAuthError, LoginStatus.REFUSED, "password refused"),
        LoginFailure(sdtd.NotSdtd, LoginStatus.NO_ANSWER, error_text),
        LoginFailure(sdtd.SdtdTimeout, LoginStatus.NO_ANSWER, no_answer),
        LoginFailure(
            sdtd.SdtdRefused, LoginStatus.UNREACHABLE, "connection refused or unreachable"
        ),
        LoginFailure(sdtd.SdtdError, LoginStatus.DROPPED, "the connection closed during the login"),
    )

    def __init__(self, session_config: sdtd.SessionConfig | None = None) -> None:
        self.session_config = session_config

    def feed(self, profile: str | None) -> ConsoleFeed:
        # The live log pushes spawns, leaves and chat; ``lp`` lists the players.
        return FULL_FEED

    def open(self, target: AdminTarget, options: SessionOptions) -> SdtdSession:
        return SdtdSession(target, options, self.session_config)

    async def login_once(self, host: str, port: int, password: str, timeout: float) -> LoginResult:
        try:
            client = sdtd.SdtdTelnetClient(
                host, port, password, timeout=timeout, reconnect=False, session=self.session_config
            )
        except sdtd.SdtdInvalidCommand:
            return LoginResult(LoginStatus.REFUSED, "the console cannot take this password")
        try:
            await client.connect()
            return LoginResult(LoginStatus.OK)
        finally:
            await client.close()
