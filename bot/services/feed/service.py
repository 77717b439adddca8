"""The feed service: every event is stored, then routed to the feeds and watches that want it.

Sources: BattlEye client events (through the RCON pool's persistent connection, one per server
that has a feed or a watch) and the poller's rounds (A2S-derived joins/leaves, map changes,
up/down). One ingest loop stores events in arrival order, keeps player sessions, and puts one
line per subscription into the channel's queue; a :class:`ChannelSender` per channel sends them
in batches.

No duplicates, nothing lost: each subscription stores the id of the last event it delivered.
At start the events after that id (within ``replay_window``) are queued again, so events
stored but not yet sent when the bot stopped go out once, and delivered ones never again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

import discord

from bot.games import RconKind, get_game
from bot.protocols.battleye import BattlEyeClient
from bot.protocols.battleye.models import Player
from bot.services.feed import a2s, render
from bot.services.feed import battleye as be
from bot.services.feed import model as m
from bot.services.feed.queue import Batch, Item, SubKey
from bot.services.feed.sender import ChannelSender, Outcome
from bot.services.feed.watch import matches
from bot.services.poller import Poller, RoundReport, target_of
from bot.services.snapshots import ServerInfo, State
from bot.storage import Server, Store
from bot.storage.events import Event
from bot.storage.feeds import Feed, Watch

log = logging.getLogger(__name__)

DEFAULT_BATCH_SECONDS = 2.0
DEFAULT_QUEUE_LIMIT = 500
DEFAULT_REPLAY_WINDOW = 6 * 3600.0  # older undelivered events are stale news
PRUNE_EVERY = 3600.0
MAX_INGEST_BATCH = 500
# Events waiting to be stored; beyond it the oldest is dropped and counted (a hostile or
# runaway server must not grow the bot's memory without bound).
DEFAULT_INBOX_LIMIT = 20_000
ROSTER_TIMEOUT = 15.0
SEND_GRACE = 2.0
FOOTER_APPROXIMATE = "≈ joins and leaves derived from A2S player lists: approximate"
COLOUR = discord.Colour.dark_teal()
_MAP_KEY = "feed:map:{}"

BattlEyeHandler = Callable[..., Awaitable[None]]


class BattlEyeHub(Protocol):
    """What the feed needs from the RCON pool (``bot.rcon_pool``)."""

    async def battleye(self, server: Server) -> BattlEyeClient: ...

    def hold(self, server: Server) -> None: ...

    def release(self, server: Server) -> None: ...

    def add_battleye_listener(
        self, server_id: int, event: str, coro: BattlEyeHandler
    ) -> None: ...

    def remove_battleye_listener(
        self, server_id: int, event: str, coro: BattlEyeHandler
    ) -> None: ...


def uses_battleye(server: Server) -> bool:
    game = get_game(server.game)
    return (
        game is not None and game.rcon is RconKind.BATTLEYE and server.rcon_port is not None
        and server.has_rcon_password
    )


class FeedService:
    def __init__(
        self,
        client: discord.Client,
        store: Store,
        poller: Poller,
        *,
        batch_seconds: float = DEFAULT_BATCH_SECONDS,
        queue_limit: int = DEFAULT_QUEUE_LIMIT,
        retention_days: float = 30.0,
        replay_window: float = DEFAULT_REPLAY_WINDOW,
        hub: BattlEyeHub | None = None,
        clock: Callable[[], float] = time.time,
        inbox_limit: int = DEFAULT_INBOX_LIMIT,
    ) -> None:
        self.client = client
        self.inbox_limit = inbox_limit
        self.inbox_dropped = 0
        self.store = store
        self.poller = poller
        self.batch_seconds = batch_seconds
        self.queue_limit = queue_limit
        self.retention = retention_days * 86400.0
        self.replay_window = replay_window
        self.hub = hub
        self.clock = clock
        self._inbox: asyncio.Queue[Event | m.Roster] = asyncio.Queue()
        self._roster_tasks: set[asyncio.Task[None]] = set()
        self._processing = False
        self._tick = asyncio.Event()
        self._started = asyncio.Event()
        self._senders: dict[int, ChannelSender] = {}
        self._feeds: dict[int, list[Feed]] = {}
        self._watches: dict[int, list[Watch]] = {}
        self._subs: set[SubKey] = set()
        self._servers: dict[int, Server] = {}
        self._bound: dict[int, tuple[Server, list[tuple[str, BattlEyeHandler]]]] = {}
        self._known: dict[int, Counter[str]] = {}
        self._maps: dict[int, str | None] = {}
        self._last_prune = float("-inf")
        self._reload_lock = asyncio.Lock()
        self.events_stored = 0
        self.messages_sent = 0
        self.lines_sent = 0

    # -- input ---------------------------------------------------------------------------------

    def submit(self, event: Event | m.Roster) -> None:
        """Queue an event for storing and routing (never blocks; order is kept). When the
        inbox is full the oldest waiting event is dropped, counted and logged."""
        if self._inbox.qsize() >= self.inbox_limit:
            self._inbox.get_nowait()
            if self.inbox_dropped % 1000 == 0:
                log.warning("feed: event inbox full (%d); oldest dropped (%d so far)",
                            self.inbox_limit, self.inbox_dropped + 1)
            self.inbox_dropped += 1
        self._inbox.put_nowait(event)
        self._tick.set()

    async def on_round(self, report: RoundReport) -> None:
        """Poller listener: up/down, map changes and A2S-derived joins and leaves."""
        # The roster the round just polled: no second read of the servers table per round.
        servers = self.poller.servers
        self._servers = {s.id: s for s in servers}
        transitions = {t.target: t for t in report.transitions}
        for server in servers:
            snap = self.poller.snapshot(server)
            at = snap.checked_at if snap.checked_at is not None else self.clock()
            change = transitions.get(target_of(server))
            if change is not None and change.before.state is State.ONLINE and (
                change.after.state is State.OFFLINE
            ):
                self.submit(Event(server.id, at, m.SERVER_DOWN, source=m.SOURCE_STATUS))
                self._known[server.id] = Counter()  # the ingest loop ends every session
            elif change is not None and change.before.state is State.OFFLINE and (
                change.after.state is State.ONLINE
            ):
                self.submit(Event(server.id, at, m.SERVER_UP, source=m.SOURCE_STATUS))
            if snap.state is not State.ONLINE or snap.info is None:
                continue
            try:
                await self._derive(server, snap.info, at)
            except Exception:
                log.exception("feed: could not derive the events of server %d", server.id)

    async def _derive(self, server: Server, info: ServerInfo, at: float) -> None:
        previous = await self._last_map(server.id)
        change = a2s.map_change(previous, info)
        if info.map and info.map != previous:
            self._maps[server.id] = info.map
            await self.store.state.set(_MAP_KEY.format(server.id), info.map)
        if change is not None:
            self.submit(Event(server.id, at, m.MAP_CHANGE, text=change, source=m.SOURCE_STATUS))
        # BattlEye reports exact joins and leaves for the servers it watches.
        if server.id in self._bound or not info.players_known:
            return
        known = self._known.get(server.id)
        if known is None:
            # First answer since the start: compare with the sessions still open in the
            # database, so a restart neither re-announces nor forgets anyone.
            known = a2s.counter(await self.store.sessions.open_names(server.id, m.SOURCE_A2S))
        now = a2s.names_of(info)
        self._known[server.id] = now
        players = a2s.diff(known, now)
        for name in players.left:
            self.submit(Event(server.id, at, m.LEAVE, name, source=m.SOURCE_A2S))
        for name in players.joined:
            self.submit(Event(server.id, at, m.JOIN, name, source=m.SOURCE_A2S))

    async def _last_map(self, server_id: int) -> str | None:
        if server_id not in self._maps:
            self._maps[server_id] = await self.store.state.get(_MAP_KEY.format(server_id))
        return self._maps[server_id]

    # -- BattlEye ------------------------------------------------------------------------------

    def _handlers(self, server_id: int) -> list[tuple[str, BattlEyeHandler]]:
        """One coroutine per BattlEye event; each turns its arguments into an event at once
        (before any await), so events enter the inbox in the client's order."""
        now = self.clock

        async def on_connect(player: Player) -> None:
            self.submit(be.connect(server_id, now(), player))

        async def on_guid(player: Player) -> None:
            self.submit(be.guid(server_id, now(), player))

        async def on_disconnect(player: Player) -> None:
            self.submit(be.disconnect(server_id, now(), player))

        async def on_kick(player: Player, reason: str) -> None:
            self.submit(be.kick(server_id, now(), player, reason))

        async def on_message(player: Player, channel: str, text: str) -> None:
            self.submit(be.chat(server_id, now(), player, channel, text))

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
            self.submit(be.admin_login(server_id, now(), admin_id))

        async def on_admin_message(admin_id: int, channel: str, text: str) -> None:
            self.submit(be.admin_message(server_id, now(), admin_id, channel, text))

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
        self._roster_tasks.add(task)
        task.add_done_callback(self._roster_done)

    def _roster_done(self, task: asyncio.Task[None]) -> None:
        self._roster_tasks.discard(task)
        self._tick.set()

    async def _roster(self, server_id: int) -> None:
        server = self._servers.get(server_id)
        if self.hub is None or server is None:
            return
        try:
            async with asyncio.timeout(ROSTER_TIMEOUT):
                client = await self.hub.battleye(server)
                players = await client.fetch_players()
        except Exception as exc:
            # Sessions stay as they were; the next login tries again.
            log.info("feed: player list of server %d unavailable (%s)", server_id,
                     type(exc).__name__)
            return
        self.submit(m.Roster(server_id, tuple(p.name for p in players), self.clock()))

    def _sync_battleye(self) -> None:
        """Hold a BattlEye connection for each BattlEye server with a feed or a watch."""
        if self.hub is None:
            return
        wanted = {
            sid: server for sid, server in self._servers.items()
            if (self._feeds.get(sid) or self._watches.get(sid)) and uses_battleye(server)
        }
        for sid, (server, handlers) in list(self._bound.items()):
            if wanted.get(sid) != server:
                self._unbind(sid, server, handlers)
        for sid, server in wanted.items():
            if sid not in self._bound:
                handlers = self._handlers(sid)
                for event, handler in handlers:
                    self.hub.add_battleye_listener(sid, event, handler)
                self._bound[sid] = (server, handlers)
                try:
                    self.hub.hold(server)
                except Exception as exc:
                    # E.g. a password the current key cannot decrypt: A2S events still flow,
                    # and /server test tells the admin why BattlEye does not.
                    log.warning("feed: no BattlEye connection for server %d (%s)", sid,
                                type(exc).__name__)
                    self._unbind(sid, server, handlers, held=False)

    def _unbind(
        self, sid: int, server: Server, handlers: list[tuple[str, BattlEyeHandler]],
        *, held: bool = True,
    ) -> None:
        if self.hub is None:
            return
        for event, handler in handlers:
            self.hub.remove_battleye_listener(sid, event, handler)
        if held:
            self.hub.release(server)
        del self._bound[sid]

    # -- subscriptions -------------------------------------------------------------------------

    async def reload(self) -> None:
        """Read feeds, watches and servers again (after a command changed them)."""
        async with self._reload_lock:
            # Another process posts the events of its shards' guilds (see bot.sharding).
            servers = self.poller.shards.keep(await self.store.servers.all())
            self._servers = {s.id: s for s in servers}
            feeds = [f for f in await self.store.feeds.all() if f.server_id in self._servers]
            watches = [
                w for w in await self.store.watches.all() if w.server_id in self._servers
            ]
            by_server: defaultdict[int, list[Feed]] = defaultdict(list)
            for feed in feeds:
                by_server[feed.server_id].append(feed)
            watched: defaultdict[int, list[Watch]] = defaultdict(list)
            for watch in watches:
                watched[watch.server_id].append(watch)
            self._feeds, self._watches = dict(by_server), dict(watched)
            subs = {("feed", f.id) for f in feeds} | {("watch", w.id) for w in watches}
            gone = self._subs - subs
            self._subs = subs
            if gone:
                for sender in self._senders.values():
                    sender.queue.discard(gone)
            self._sync_battleye()

    def feeds_of(self, server_id: int) -> list[Feed]:
        return list(self._feeds.get(server_id, ()))

    # -- the loop ------------------------------------------------------------------------------

    async def run(self) -> None:
        """Background task: replay what was not delivered, then store and route forever."""
        try:
            await self.reload()
            await self._replay()
            self._started.set()
            while True:
                batch = [await self._inbox.get()]
                while not self._inbox.empty() and len(batch) < MAX_INGEST_BATCH:
                    batch.append(self._inbox.get_nowait())
                self._processing = True
                try:
                    await self._ingest(batch)
                except Exception:
                    log.exception("feed: %d event(s) could not be stored", len(batch))
                finally:
                    self._processing = False
                    self._tick.set()
                await self._maybe_prune()
        finally:
            await self._shutdown()

    async def _shutdown(self) -> None:
        for task in list(self._roster_tasks):
            task.cancel()
        senders = list(self._senders.values())
        await asyncio.gather(*(s.stop(SEND_GRACE) for s in senders), return_exceptions=True)
        for sid, (server, handlers) in list(self._bound.items()):
            self._unbind(sid, server, handlers)

    async def _ingest(self, items: list[Event | m.Roster]) -> None:
        events: list[Event] = []
        for item in items:
            if isinstance(item, Event):
                events.append(item)
                continue
            await self._store_and_route(events)  # what came before the roster, first
            events = []
            ended, opened = await self.store.sessions.reconcile(
                item.server_id, item.players, m.SOURCE_BATTLEYE, item.at
            )
            if ended or opened:
                log.info("feed: server %d sessions reconciled (%d ended, %d opened)",
                         item.server_id, ended, opened)
        await self._store_and_route(events)

    async def _store_and_route(self, events: list[Event]) -> None:
        if not events:
            return
        stored = await self.store.events.add_many(events)
        self.events_stored += len(stored)
        for event in stored:
            try:
                await self._track_session(event)
            except Exception:
                log.exception("feed: session of event %d not recorded", event.id)
            self._route(event)

    async def _track_session(self, event: Event) -> None:
        sessions = self.store.sessions
        if event.kind == m.JOIN and event.player:
            await sessions.open(event.server_id, event.player, event.guid, event.source, event.at)
        elif event.kind in (m.LEAVE, m.KICK, m.BAN) and event.player:
            await sessions.close(event.server_id, event.player, event.at)
        elif event.kind == m.GUID and event.guid:
            await sessions.set_guid(event.server_id, event.player, event.guid)
            await self.store.events.set_join_guid(event.server_id, event.player, event.guid)
        elif event.kind == m.SERVER_DOWN:
            await sessions.close_all(event.server_id, event.at)

    def _server_name(self, server_id: int) -> str:
        server = self._servers.get(server_id)
        return server.name if server is not None else f"server {server_id}"

    def _items(self, event: Event, feeds: Iterable[Feed], watches: Iterable[Watch]) -> list[
        tuple[int, Item]
    ]:
        name = self._server_name(event.server_id)
        now = time.monotonic()
        out: list[tuple[int, Item]] = []
        for feed in feeds:
            if event.kind in m.kinds_of(feed.kinds):
                item = Item(("feed", feed.id), event.id, render.line(event, name), None,
                            event.source == m.SOURCE_A2S, now)
                out.append((feed.channel_id, item))
        for watch in watches:
            if matches(watch, event):
                item = Item(("watch", watch.id), event.id,
                            render.watch_line(event, name, watch.pattern), watch.role_id,
                            False, now)
                out.append((watch.channel_id, item))
        return out

    def _route(self, event: Event) -> None:
        feeds = self._feeds.get(event.server_id, ())
        watches = self._watches.get(event.server_id, ())
        for channel_id, item in self._items(event, feeds, watches):
            self._sender(channel_id).push(item)

    def _sender(self, channel_id: int) -> ChannelSender:
        sender = self._senders.get(channel_id)
        if sender is None:
            sender = ChannelSender(
                channel_id, self._deliver, window=self.batch_seconds, limit=self.queue_limit,
                on_idle=self._tick.set,
            )
            self._senders[channel_id] = sender
        sender.start()
        return sender

    async def _replay(self) -> None:
        """Queue the stored events each subscription has not delivered yet, oldest first."""
        since = self.clock() - self.replay_window
        per_channel: defaultdict[int, list[tuple[int, Item]]] = defaultdict(list)
        for feeds in self._feeds.values():
            for feed in feeds:
                events = await self.store.events.after(
                    feed.server_id, feed.delivered_through, since, m.kinds_of(feed.kinds)
                )
                for event in events:
                    for channel_id, item in self._items(event, [feed], []):
                        per_channel[channel_id].append((event.id, item))
        for watches in self._watches.values():
            for watch in watches:
                events = await self.store.events.after(
                    watch.server_id, watch.delivered_through, since, (m.JOIN, m.GUID)
                )
                for event in events:
                    for channel_id, item in self._items(event, [], [watch]):
                        per_channel[channel_id].append((event.id, item))
        for channel_id, items in per_channel.items():
            items.sort(key=lambda pair: pair[0])
            log.info("feed: %d undelivered line(s) queued again for channel %d",
                     len(items), channel_id)
            sender = self._sender(channel_id)
            for _, item in items:
                sender.push(item)

    async def _maybe_prune(self) -> None:
        now = self.clock()
        if now - self._last_prune < PRUNE_EVERY:
            return
        self._last_prune = now
        try:
            events = await self.store.events.prune(now - self.retention)
            sessions = await self.store.sessions.prune(now - self.retention)
        except Exception:
            log.exception("feed: pruning failed")
            return
        if events or sessions:
            log.info("feed: pruned %d event(s) and %d session(s) past the retention",
                     events, sessions)

    # -- delivery ------------------------------------------------------------------------------

    async def _deliver(self, channel_id: int, batch: Batch) -> Outcome:
        channel = self.client.get_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            log.warning("feed: channel %d not found; %d line(s) dropped", channel_id,
                        len(batch.items))
            await self._advance(batch)
            return Outcome.GONE
        embed = discord.Embed(description="\n".join(batch.lines), colour=COLOUR)
        if batch.approximate:
            embed.set_footer(text=FOOTER_APPROXIMATE)
        roles = batch.roles
        content = " ".join(f"<@&{r}>" for r in roles) or None
        allowed = discord.AllowedMentions(
            everyone=False, users=False, replied_user=False,
            roles=[discord.Object(r) for r in roles],
        )
        try:
            await channel.send(content=content, embed=embed, allowed_mentions=allowed)
        except discord.HTTPException as exc:
            if exc.status >= 500 or exc.status == 429:
                log.warning("feed: channel %d: HTTP %s, retrying", channel_id, exc.status)
                return Outcome.RETRY
            # 4xx (deleted channel, missing access): retrying cannot help.
            log.warning("feed: channel %d refused the message (HTTP %s, code %s)",
                        channel_id, exc.status, exc.code)
            await self._advance(batch)
            return Outcome.GONE
        except (OSError, TimeoutError):
            return Outcome.RETRY
        self.messages_sent += 1
        self.lines_sent += len(batch.items)
        await self._advance(batch)
        return Outcome.SENT

    async def _advance(self, batch: Batch) -> None:
        feeds = {i: e for (kind, i), e in batch.cursors.items() if kind == "feed"}
        watches = {i: e for (kind, i), e in batch.cursors.items() if kind == "watch"}
        await self.store.feeds.advance(feeds)
        await self.store.watches.advance(watches)

    # -- for tests and tools -------------------------------------------------------------------

    def _idle(self) -> bool:
        return (
            self._inbox.empty() and not self._processing and not self._roster_tasks
            and all(s.idle for s in self._senders.values())
        )

    async def wait_idle(self) -> None:
        """Until every submitted event is stored, every player list fetched after a login
        applied, and every queued line delivered."""
        await self._started.wait()
        while not self._idle():
            self._tick.clear()
            await self._tick.wait()

    async def wait_stored(self, count: int) -> None:
        """Until at least ``count`` events were stored since the start."""
        while self.events_stored < count:
            self._tick.clear()
            await self._tick.wait()

    def stats(self) -> dict[str, Any]:
        return {
            "events_stored": self.events_stored,
            "messages_sent": self.messages_sent,
            "lines_sent": self.lines_sent,
            "dropped": self.inbox_dropped
            + sum(s.queue.total_dropped for s in self._senders.values()),
            "inbox_dropped": self.inbox_dropped,
            "channels": len(self._senders),
        }

    def queue_depth(self) -> int:
        """Events waiting: not yet stored, plus lines queued for their channels."""
        return self._inbox.qsize() + sum(len(s.queue) for s in self._senders.values())
