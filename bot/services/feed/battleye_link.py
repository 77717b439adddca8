"""BattlEye for the feed: one held connection per BattlEye server that has a feed or a watch,
its client events turned into feed events the moment they arrive (in the client's order)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.games import RconKind, get_game
from bot.protocols.battleye import BattlEyeClient
from bot.protocols.battleye.models import Player
from bot.services.feed import battleye as be
from bot.services.feed import model as m
from bot.storage import Server
from bot.storage.events import Event

log = logging.getLogger(__name__)

ROSTER_TIMEOUT = 15.0

BattlEyeHandler = Callable[..., Awaitable[None]]
Handlers = list[tuple[str, BattlEyeHandler]]
Submit = Callable[[Event | m.Roster], None]


class BattlEyeHub(Protocol):
    """What the feed needs from the RCON pool (``bot.services.rcon_pool``)."""

    async def battleye(self, server: Server) -> BattlEyeClient: ...

    def hold(self, server: Server) -> None: ...

    def release(self, server: Server) -> None: ...

    def add_battleye_listener(self, server_id: int, event: str, coro: BattlEyeHandler) -> None: ...

    def remove_battleye_listener(
        self, server_id: int, event: str, coro: BattlEyeHandler
    ) -> None: ...


def uses_battleye(server: Server) -> bool:
    game = get_game(server.game)
    return (
        game is not None
        and game.rcon is RconKind.BATTLEYE
        and server.rcon_port is not None
        and server.has_rcon_password
    )


class BattlEyeLink:
    """The servers the feed listens to over BattlEye (``hub`` None: none)."""

    def __init__(
        self,
        hub: BattlEyeHub | None,
        submit: Submit,
        clock: Callable[[], float],
        on_roster_done: Callable[[], None],
    ) -> None:
        self.hub = hub
        self._submit = submit
        self._clock = clock
        self._on_roster_done = on_roster_done
        self._bound: dict[int, tuple[Server, Handlers]] = {}
        self.roster_tasks: set[asyncio.Task[None]] = set()

    def linked(self, server_id: int) -> bool:
        """BattlEye reports this server's joins and leaves (exactly)."""
        return server_id in self._bound

    def sync(self, wanted: dict[int, Server]) -> list[int]:
        """Hold a connection for each of ``wanted`` (by id), release the others; returns the
        servers no longer linked, for which A2S takes over."""
        unlinked: list[int] = []
        if self.hub is None:
            return unlinked
        for sid, (server, handlers) in list(self._bound.items()):
            if wanted.get(sid) != server:
                self._unbind(sid, server, handlers)
                unlinked.append(sid)
        for sid, server in wanted.items():
            if sid not in self._bound:
                self._bind(sid, server)
        return unlinked

    def close(self) -> None:
        """Every connection released, every player-list fetch cancelled."""
        for task in self.roster_tasks:
            task.cancel()
        for sid, (server, handlers) in list(self._bound.items()):
            self._unbind(sid, server, handlers)

    def _bind(self, sid: int, server: Server) -> None:
        assert self.hub is not None
        handlers = self._handlers(sid)
        for event, handler in handlers:
            self.hub.add_battleye_listener(sid, event, handler)
        self._bound[sid] = (server, handlers)
        try:
            self.hub.hold(server)
        except Exception as exc:
            # E.g. a password the current key cannot decrypt: A2S events still flow, and
            # /server test tells the admin why BattlEye does not.
            log.warning("feed: no BattlEye connection for server %d (%s)", sid, type(exc).__name__)
            self._unbind(sid, server, handlers, held=False)

    def _unbind(self, sid: int, server: Server, handlers: Handlers, *, held: bool = True) -> None:
        if self.hub is None:
            return
        for event, handler in handlers:
            self.hub.remove_battleye_listener(sid, event, handler)
        if held:
            self.hub.release(server)
        del self._bound[sid]

    def _handlers(self, server_id: int) -> Handlers:
        """One coroutine per BattlEye event; each turns its arguments into an event at once
        (before any await), so events enter the inbox in the client's order."""
        now, submit = self._clock, self._submit

        async def on_connect(player: Player) -> None:
            submit(be.connect(server_id, now(), player))

        async def on_guid(player: Player) -> None:
            submit(be.guid(server_id, now(), player))

        async def on_disconnect(player: Player) -> None:
            submit(be.disconnect(server_id, now(), player))

        async def on_kick(player: Player, reason: str) -> None:
            submit(be.kick(server_id, now(), player, reason))

        async def on_message(player: Player, channel: str, text: str) -> None:
            submit(be.chat(server_id, now(), player, channel, text))

        # BattlEye announces every login to every admin, ours included: the first admin login
        # after each of our logins is the bot itself (reconnects are not admin activity).
        own_login_pending = False

        async def on_login() -> None:
            nonlocal own_login_pending
            own_login_pending = True
            self._fetch_roster(server_id)

        async def on_admin_login(admin_id: int, addr: str) -> None:
            nonlocal own_login_pending
            if own_login_pending:
                own_login_pending = False
                return
            submit(be.admin_login(server_id, now(), admin_id))

        async def on_admin_message(admin_id: int, channel: str, text: str) -> None:
            submit(be.admin_message(server_id, now(), admin_id, channel, text))

        handlers: dict[str, BattlEyeHandler] = {
            "login": on_login,
            "player_connect": on_connect,
            "player_guid": on_guid,
            "player_disconnect": on_disconnect,
            "player_kick": on_kick,
            "player_message": on_message,
            "admin_login": on_admin_login,
            "admin_message": on_admin_message,
        }
        return [(name, handlers[name]) for name in be.EVENTS]

    def _fetch_roster(self, server_id: int) -> None:
        """After a login, list the players in the background and queue the result."""
        task = asyncio.create_task(self._roster(server_id), name=f"outpost:feed-roster:{server_id}")
        self.roster_tasks.add(task)
        task.add_done_callback(self._roster_done)

    def _roster_done(self, task: asyncio.Task[None]) -> None:
        self.roster_tasks.discard(task)
        self._on_roster_done()

    async def _roster(self, server_id: int) -> None:
        bound = self._bound.get(server_id)
        if self.hub is None or bound is None:
            return
        try:
            async with asyncio.timeout(ROSTER_TIMEOUT):
                client = await self.hub.battleye(bound[0])
                players = await client.fetch_players()
        except Exception as exc:
            # Sessions stay as they were; the next login tries again.
            log.info(
                "feed: player list of server %d unavailable (%s)", server_id, type(exc).__name__
            )
            return
        self._submit(m.Roster(server_id, tuple(p.name for p in players), self._clock()))
