"""Consoles for the feed: one held connection per server with a console (any admin protocol)
that has a feed or a watch, its console events turned into feed events the moment they arrive
(in the session's order).

After each login of a console that reports joins and leaves, its player list (where the session
lists players: :class:`~bot.adapters.admin.PlayerLister`) makes the player sessions match, since
what happened while the bot was not logged in was never sent. Sessions announce a login with a
``login`` event (no arguments), as BattlEye and 7 Days to Die do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Protocol

from bot.adapters.admin import (
    CONSOLE_EVENT,
    NO_FEED,
    AdminSession,
    ConsoleEvent,
    ConsoleFeed,
    Listener,
    PlayerLister,
)
from bot.adapters.admin_errors import RconError
from bot.adapters.registry import console_feed
from bot.crypto import DecryptionError
from bot.games import get_game
from bot.services.feed import console
from bot.services.feed import model as m
from bot.services.tasks import TaskSet
from bot.storage import Server
from bot.storage.events import Event

log = logging.getLogger(__name__)

ROSTER_TIMEOUT = 15.0
LOGIN_EVENT = "login"

Handlers = list[tuple[str, Listener]]
Submit = Callable[[Event | m.Roster], None]


class ConsoleHub(Protocol):
    """What the feed needs from the RCON pool (``bot.services.rcon.pool``)."""

    async def session(self, server: Server) -> AdminSession: ...

    def hold(self, server: Server) -> None: ...

    def release(self, server: Server) -> None: ...

    def add_listener(self, server_id: int, event: str, listener: Listener) -> None: ...

    def remove_listener(self, server_id: int, event: str, listener: Listener) -> None: ...


def protocol_of(server: Server) -> str | None:
    """The server's admin protocol when it has a console the bot can log in to."""
    game = get_game(server.game)
    if game is None or server.rcon_port is None or not server.has_rcon_password:
        return None
    return game.admin_protocol


def feed_of(server: Server) -> ConsoleFeed:
    """What the server's console gives the feed (the adapter says; none without a console)."""
    protocol, game = protocol_of(server), get_game(server.game)
    if protocol is None or game is None:
        return NO_FEED
    return console_feed(protocol, game.rcon_profile)


def uses_console(server: Server) -> bool:
    """The server's console pushes events: the feed holds a connection to it and listens."""
    return feed_of(server).pushes


def reports_joins(server: Server) -> bool:
    """The server's console reports joins and leaves (exactly, with names)."""
    return feed_of(server).joins


class ConsoleLink:
    """The servers the feed listens to over their consoles (``hub`` None: none)."""

    def __init__(
        self,
        hub: ConsoleHub | None,
        submit: Submit,
        clock: Callable[[], float],
        on_roster_done: Callable[[], None],
    ) -> None:
        self.hub = hub
        self._submit = submit
        self._clock = clock
        self._on_roster_done = on_roster_done
        self._bound: dict[int, tuple[Server, Handlers]] = {}
        self.roster_tasks: TaskSet[None] = TaskSet()

    def linked(self, server_id: int) -> bool:
        """The console reports this server's joins and leaves (the poller need not)."""
        bound = self._bound.get(server_id)
        return bound is not None and reports_joins(bound[0])

    def sync(self, wanted: dict[int, Server]) -> list[int]:
        """Hold a connection for each of ``wanted`` (by id), release the others; returns the
        servers whose joins and leaves the console no longer reports (A2S takes over)."""
        unlinked: list[int] = []
        if self.hub is None:
            return unlinked
        for sid, (server, handlers) in list(self._bound.items()):
            if wanted.get(sid) != server:
                if self.linked(sid):
                    unlinked.append(sid)
                self._unbind(sid, server, handlers)
        for sid, server in wanted.items():
            if sid not in self._bound:
                self._bind(sid, server)
        return unlinked

    def close(self) -> None:
        """Every connection released, every player-list fetch cancelled."""
        self.roster_tasks.cancel()
        for sid, (server, handlers) in list(self._bound.items()):
            self._unbind(sid, server, handlers)

    def _bind(self, sid: int, server: Server) -> None:
        assert self.hub is not None
        handlers = self._handlers(server)
        for event, handler in handlers:
            self.hub.add_listener(sid, event, handler)
        self._bound[sid] = (server, handlers)
        try:
            self.hub.hold(server)
        except (RconError, DecryptionError) as exc:
            # E.g. a password the current key cannot decrypt: A2S events still flow, and
            # /server test tells the admin why the console does not.
            log.warning("feed: no console connection for server %d (%s)", sid, type(exc).__name__)
            self._unbind(sid, server, handlers, held=False)
        except Exception:
            # A bug, not a console problem: with its traceback, and the other servers still
            # bound (sync goes on).
            log.exception("feed: holding the console of server %d failed", sid)
            self._unbind(sid, server, handlers, held=False)

    def _unbind(self, sid: int, server: Server, handlers: Handlers, *, held: bool = True) -> None:
        if self.hub is None:
            return
        for event, handler in handlers:
            self.hub.remove_listener(sid, event, handler)
        if held:
            self.hub.release(server)
        del self._bound[sid]

    def _handlers(self, server: Server) -> Handlers:
        """Plain callables: each event is turned into feed events at once, so they enter the
        inbox in the session's order."""
        sid, now, submit = server.id, self._clock, self._submit
        source = protocol_of(server) or m.SOURCE_CONSOLE

        def on_event(event: ConsoleEvent) -> None:
            for stored in console.events_of(sid, now(), event, source):
                submit(stored)

        handlers: Handlers = [(CONSOLE_EVENT, on_event)]
        if reports_joins(server):
            handlers.append((LOGIN_EVENT, lambda: self._fetch_roster(sid)))
        return handlers

    def _fetch_roster(self, server_id: int) -> None:
        """After a login, list the players in the background and queue the result."""
        task = self.roster_tasks.start(
            self._roster(server_id), name=f"outpost:feed-roster:{server_id}"
        )
        # After the set's own callback: the task is no longer held when the feed hears of it.
        task.add_done_callback(lambda _task: self._on_roster_done())

    async def _roster(self, server_id: int) -> None:
        bound = self._bound.get(server_id)
        if self.hub is None or bound is None:
            return
        server = bound[0]
        try:
            async with asyncio.timeout(ROSTER_TIMEOUT):
                session = await self.hub.session(server)
                if not isinstance(session, PlayerLister):
                    return  # the console lists players only as text: sessions stay as they are
                players = await session.players(timeout=ROSTER_TIMEOUT)
        except (RconError, DecryptionError, TimeoutError) as exc:
            # Sessions stay as they were; the next login tries again.
            log.info(
                "feed: player list of server %d unavailable (%s)", server_id, type(exc).__name__
            )
            return
        except Exception:
            # A bug: nobody awaits this task, so it is logged here, with its traceback.
            log.exception("feed: player list of server %d failed", server_id)
            return
        source = protocol_of(server) or m.SOURCE_CONSOLE
        names = tuple(p.name for p in players if p.name)
        self._submit(m.Roster(server_id, names, self._clock(), source))
