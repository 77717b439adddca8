"""The feed service: every event is stored, then routed to the feeds and watches that want it.

Sources: BattlEye client events (through the RCON pool's persistent connection, one per server
that has a feed or a watch) and the poller's rounds (A2S-derived joins/leaves, map changes,
up/down). One ingest loop stores events in arrival order, keeps player sessions, and puts one
line per subscription into the channel's queue; a :class:`ChannelSender` per channel sends them
in batches.

No duplicates, nothing lost (the README's "feed promise" says exactly what that covers):

- each subscription stores the id of the last event it delivered; at start every event after
  that id (within ``replay_window``) is queued again, page by page;
- an event leaves the inbox only once stored (store errors are retried in order; shutdown
  stores what is left);
- each message carries a nonce derived from its channel and cursors, and the batch being sent
  is recorded first, so a retry or a resend after a restart is the same batch with the same
  nonce, which Discord deduplicates; a cursor write that fails after the send is retried alone;
- a channel missing from the cache is fetched (an archived thread reopened); a 403 keeps the
  lines waiting. Only a deleted channel or a message Discord can never accept drops lines
  (the Discord side, :mod:`bot.delivery.feed`, says which through :mod:`.posting`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter, defaultdict, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable
from dataclasses import replace
from typing import Any, Protocol

from bot.games import RconKind, get_game
from bot.protocols.battleye import BattlEyeClient
from bot.protocols.battleye.models import Player
from bot.rendering.text import mask_address
from bot.services.feed import a2s, render
from bot.services.feed import battleye as be
from bot.services.feed import model as m
from bot.services.feed.posting import FeedChannels, Refused
from bot.services.feed.queue import Batch, Item, SubKey, nonce_of
from bot.services.feed.sender import ChannelSender, Outcome
from bot.services.feed.watch import matches
from bot.services.poller import Poller, RoundReport, target_of
from bot.snapshots import ServerInfo, State
from bot.storage import Server, Store
from bot.storage.events import Event
from bot.storage.feeds import Feed, Watch

log = logging.getLogger(__name__)

DEFAULT_BATCH_SECONDS = 2.0
DEFAULT_QUEUE_LIMIT = 500
DEFAULT_REPLAY_WINDOW = 6 * 3600.0  # older undelivered events are stale news
PRUNE_EVERY = 3600.0
MAX_INGEST_BATCH = 500
REPLAY_PAGE = 5000
STORE_CHUNK = 100  # events per INSERT (one statement: atomic)
INGEST_FIRST_DELAY = 0.2
INGEST_MAX_DELAY = 30.0
DRAIN_GRACE = 5.0
# Events waiting to be stored; beyond it the oldest is dropped and counted (a hostile or
# runaway server must not grow the bot's memory without bound).
DEFAULT_INBOX_LIMIT = 20_000
ROSTER_TIMEOUT = 15.0
SEND_GRACE = 2.0
_MAP_KEY = "feed:map:{}"
_SEND_KEY = "feed:send:{}"  # the batch being sent to a channel: nonce and cursors
SETTLE_FIRST_DELAY = 0.2
SETTLE_MAX_DELAY = 30.0

BattlEyeHandler = Callable[..., Awaitable[None]]


class BattlEyeHub(Protocol):
    """What the feed needs from the RCON pool (``bot.services.rcon_pool``)."""

    async def battleye(self, server: Server) -> BattlEyeClient: ...

    def hold(self, server: Server) -> None: ...

    def release(self, server: Server) -> None: ...

    def add_battleye_listener(self, server_id: int, event: str, coro: BattlEyeHandler) -> None: ...

    def remove_battleye_listener(
        self, server_id: int, event: str, coro: BattlEyeHandler
    ) -> None: ...


def _encode_send(nonce: str, batch: Batch) -> str:
    cursors = [[kind, sub, event] for (kind, sub), event in sorted(batch.cursors.items())]
    return json.dumps({"nonce": nonce, "cursors": cursors})


def _decode_send(text: str | None) -> tuple[str, dict[SubKey, int]] | None:
    if not text:
        return None
    try:
        data = json.loads(text)
        cursors = {(str(k), int(s)): int(e) for k, s, e in data["cursors"]}
        return str(data["nonce"]), cursors
    except (ValueError, KeyError, TypeError):
        return None


def _key(subscription: Feed | Watch) -> SubKey:
    return ("feed" if isinstance(subscription, Feed) else "watch", subscription.id)


def uses_battleye(server: Server) -> bool:
    game = get_game(server.game)
    return (
        game is not None
        and game.rcon is RconKind.BATTLEYE
        and server.rcon_port is not None
        and server.has_rcon_password
    )


class FeedService:
    def __init__(
        self,
        channels: FeedChannels,
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
        self.channels = channels
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
        self._hidden: set[int] = set()  # servers whose address is hidden
        self._bound: dict[int, tuple[Server, list[tuple[str, BattlEyeHandler]]]] = {}
        self._known: dict[int, Counter[str]] = {}
        self._maps: dict[int, str | None] = {}
        self._problems: dict[int, str] = {}
        self._dropped_before = 0  # drops of the senders of an earlier run (a restart)
        self._last_prune = float("-inf")
        self._reload_lock = asyncio.Lock()
        # Changes a command made in memory before answering, numbered, so that a reload whose
        # reads began before one of them applies it again on top of what it read.
        self._changes: list[tuple[int, Callable[[], None]]] = []
        self._change_seq = 0
        self._reload_waiting = False  # a deferred reload is queued and has not read yet
        self._reload_tasks: set[asyncio.Task[None]] = set()
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
                log.warning(
                    "feed: event inbox full (%d); oldest dropped (%d so far)",
                    self.inbox_limit,
                    self.inbox_dropped + 1,
                )
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
            if (
                change is not None
                and change.before.state is State.ONLINE
                and (change.after.state is State.OFFLINE)
            ):
                self.submit(Event(server.id, at, m.SERVER_DOWN, source=m.SOURCE_STATUS))
                # The ingest loop ends every session; the first answer after it is a baseline.
                self._known.pop(server.id, None)
            elif (
                change is not None
                and change.before.state is State.OFFLINE
                and (change.after.state is State.ONLINE)
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
        now = a2s.names_of(info)
        self._known[server.id] = now
        if known is None:
            # The first answer since the start, since BattlEye stopped reporting for it or
            # since it came back is a baseline: who is there was not seen arriving, so the
            # sessions are made to match and nobody is announced.
            self.submit(m.Roster(server.id, tuple(sorted(now.elements())), at, m.SOURCE_A2S))
            return
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
            log.info(
                "feed: player list of server %d unavailable (%s)", server_id, type(exc).__name__
            )
            return
        self.submit(m.Roster(server_id, tuple(p.name for p in players), self.clock()))

    def _sync_battleye(self) -> None:
        """Hold a BattlEye connection for each BattlEye server with a feed or a watch."""
        if self.hub is None:
            return
        wanted = {
            sid: server
            for sid, server in self._servers.items()
            if (self._feeds.get(sid) or self._watches.get(sid)) and uses_battleye(server)
        }
        for sid, (server, handlers) in list(self._bound.items()):
            if wanted.get(sid) != server:
                self._unbind(sid, server, handlers)
                self._known.pop(sid, None)  # A2S takes over: its first list is a baseline
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
                    log.warning(
                        "feed: no BattlEye connection for server %d (%s)", sid, type(exc).__name__
                    )
                    self._unbind(sid, server, handlers, held=False)

    def _unbind(
        self,
        sid: int,
        server: Server,
        handlers: list[tuple[str, BattlEyeHandler]],
        *,
        held: bool = True,
    ) -> None:
        if self.hub is None:
            return
        for event, handler in handlers:
            self.hub.remove_battleye_listener(sid, event, handler)
        if held:
            self.hub.release(server)
        del self._bound[sid]

    # -- subscriptions -------------------------------------------------------------------------

    def subscribe(self, server: Server, subscription: Feed | Watch) -> None:
        """A feed or watch a command just stored (new or changed) is routed from the next
        event on, before the command answers; :meth:`reload_later` then reads everything."""
        self._change(lambda: self._put(server, subscription))

    def unsubscribe(self, removed: Iterable[Feed | Watch]) -> None:
        """Feeds or watches a command just deleted get no further line (their queued lines
        go too)."""
        keys = {_key(s) for s in removed}
        self._change(lambda: self._drop(keys))

    def reload_later(self) -> None:
        """The full :meth:`reload` after a command answered, in the background; one waiting
        reload covers every change made before it starts reading."""
        if self._reload_waiting:
            return
        self._reload_waiting = True
        task = asyncio.get_running_loop().create_task(
            self._deferred_reload(), name="outpost:feed-reload"
        )
        self._reload_tasks.add(task)
        task.add_done_callback(self._reload_tasks.discard)

    async def _deferred_reload(self) -> None:
        try:
            await self.reload()
        except Exception:
            # The change is in memory already; the next change or start reads again.
            log.exception("feed: reload after a command failed")
        finally:
            self._reload_waiting = False

    def _change(self, apply: Callable[[], None]) -> None:
        self._change_seq += 1
        self._changes.append((self._change_seq, apply))
        apply()

    def _put(self, server: Server, subscription: Feed | Watch) -> None:
        if not self.poller.shards.owns(server.guild_id):
            return  # another process posts this guild's events
        self._servers.setdefault(server.id, server)
        if isinstance(subscription, Feed):
            feeds = [f for f in self._feeds.get(server.id, ()) if f.id != subscription.id]
            self._feeds[server.id] = [*feeds, subscription]
        else:
            watches = [w for w in self._watches.get(server.id, ()) if w.id != subscription.id]
            self._watches[server.id] = [*watches, subscription]
        self._subs.add(_key(subscription))
        self._sync_battleye()

    def _drop(self, keys: set[SubKey]) -> None:
        for sid, feeds in list(self._feeds.items()):
            self._feeds[sid] = [f for f in feeds if ("feed", f.id) not in keys]
        for sid, watches in list(self._watches.items()):
            self._watches[sid] = [w for w in watches if ("watch", w.id) not in keys]
        self._subs -= keys
        for sender in self._senders.values():
            sender.queue.discard(keys)
        self._sync_battleye()

    async def reload(self) -> None:
        """Read feeds, watches and servers again (after a command changed them)."""
        async with self._reload_lock:
            self._reload_waiting = False  # a change from now on needs a reload of its own
            start = self._change_seq
            # Another process posts the events of its shards' guilds (see bot.sharding).
            servers = self.poller.shards.keep(await self.store.servers.all())
            self._servers = {s.id: s for s in servers}
            self._hidden = await self.store.display.hidden_connect()
            feeds = [f for f in await self.store.feeds.all() if f.server_id in self._servers]
            watches = [w for w in await self.store.watches.all() if w.server_id in self._servers]
            by_server: defaultdict[int, list[Feed]] = defaultdict(list)
            for feed in feeds:
                by_server[feed.server_id].append(feed)
            watched: defaultdict[int, list[Watch]] = defaultdict(list)
            for watch in watches:
                watched[watch.server_id].append(watch)
            self._feeds, self._watches = dict(by_server), dict(watched)
            before = self._subs
            self._subs = {("feed", f.id) for f in feeds} | {("watch", w.id) for w in watches}
            # Changes made while this reload read may be missing from what it read: applied
            # again (each is idempotent); older ones are in what it read.
            later = [(seq, apply) for seq, apply in self._changes if seq > start]
            self._changes = later
            for _, apply in later:
                apply()
            gone = before - self._subs
            if gone:
                for sender in self._senders.values():
                    sender.queue.discard(gone)
            self._sync_battleye()

    def feeds_of(self, server_id: int) -> list[Feed]:
        return list(self._feeds.get(server_id, ()))

    # -- the loop ------------------------------------------------------------------------------

    async def run(self) -> None:
        """Background task: replay what was not delivered, then store and route forever.

        An event taken from the inbox leaves ``pending`` only once it is stored: a failing
        store is retried with backoff, in order, and on shutdown what is left is stored (the
        next start posts it)."""
        pending: deque[Event | m.Roster] = deque()
        try:
            await self.reload()
            await self._replay()
            self._started.set()
            failures = 0
            while True:
                if not pending:
                    pending.append(await self._inbox.get())
                while not self._inbox.empty() and len(pending) < MAX_INGEST_BATCH:
                    pending.append(self._inbox.get_nowait())
                self._processing = True
                try:
                    await self._ingest(pending)
                    failures = 0
                except Exception as exc:
                    failures += 1
                    delay = min(INGEST_MAX_DELAY, INGEST_FIRST_DELAY * 2 ** (failures - 1))
                    log.warning(
                        "feed: %d event(s) not stored yet (%s); retrying in %.1f s",
                        len(pending),
                        type(exc).__name__,
                        delay,
                    )
                    await self._forget_removed_servers(pending)
                    await asyncio.sleep(delay)
                    continue
                finally:
                    self._processing = False
                    self._tick.set()
                await self._maybe_prune()
        finally:
            await self._shutdown(pending)

    async def _forget_removed_servers(self, pending: deque[Event | m.Roster]) -> None:
        """Drop what belongs to servers removed meanwhile: their rows could never be stored
        (foreign keys), and retrying them would hold up every other server's events."""
        try:
            existing = {s.id for s in await self.store.servers.all()}
        except Exception:
            return  # the database is still failing: the retry comes anyway
        kept = [item for item in pending if item.server_id in existing]
        if len(kept) < len(pending):
            log.info("feed: %d event(s) of removed servers dropped", len(pending) - len(kept))
            pending.clear()
            pending.extend(kept)

    async def _shutdown(self, pending: deque[Event | m.Roster]) -> None:
        for task in [*self._roster_tasks, *self._reload_tasks]:
            task.cancel()
        senders = list(self._senders.values())
        await asyncio.gather(*(s.stop(SEND_GRACE) for s in senders), return_exceptions=True)
        # Their lines are stored events: a restart of this task queues them again from the
        # cursors (keeping the senders would post them twice).
        self._dropped_before += sum(s.queue.total_dropped for s in senders)
        self._senders.clear()
        for sid, (server, handlers) in list(self._bound.items()):
            self._unbind(sid, server, handlers)
        await self._drain(pending)

    async def _drain(self, pending: deque[Event | m.Roster]) -> None:
        """Store what the inbox still holds (nothing is routed: the next start replays it)."""
        while not self._inbox.empty():
            pending.append(self._inbox.get_nowait())
        events = [e for e in pending if isinstance(e, Event)]
        if not events:
            return
        try:
            async with asyncio.timeout(DRAIN_GRACE):
                await self.store.events.add_many(events)
        except Exception as exc:
            log.error(
                "feed: %d event(s) could not be stored at shutdown (%s)",
                len(events),
                type(exc).__name__,
            )
            # Back to the front of the inbox, in order: a restart of this task (the
            # supervisor's) stores them; only the end of the process loses them.
            inbox: asyncio.Queue[Event | m.Roster] = asyncio.Queue()
            for item in pending:
                inbox.put_nowait(item)
            while not self._inbox.empty():
                inbox.put_nowait(self._inbox.get_nowait())
            self._inbox = inbox
            pending.clear()
            return
        pending.clear()
        self.events_stored += len(events)
        log.info("feed: %d event(s) stored at shutdown, posted at the next start", len(events))

    async def _ingest(self, pending: deque[Event | m.Roster]) -> None:
        """Store, track and route ``pending`` in order, removing each item once handled (a
        failure leaves the rest, and only the rest, for the retry)."""
        while pending:
            head = pending[0]
            if isinstance(head, m.Roster):
                ended, opened = await self.store.sessions.reconcile(
                    head.server_id, head.players, head.source, head.at
                )
                pending.popleft()
                if ended or opened:
                    log.info(
                        "feed: server %d sessions reconciled (%d ended, %d opened)",
                        head.server_id,
                        ended,
                        opened,
                    )
                continue
            run: list[Event] = []
            for item in pending:
                if not isinstance(item, Event) or len(run) >= STORE_CHUNK:
                    break
                run.append(item)
            stored = await self._store_run(pending, run)
            self.events_stored += len(stored)
            for event in stored:
                try:
                    await self._track_session(event)
                except Exception:
                    log.exception("feed: session of event %d not recorded", event.id)
                self._route(event)

    async def _store_run(self, pending: deque[Event | m.Roster], run: list[Event]) -> list[Event]:
        """Store ``run`` (the head of ``pending``) in one INSERT, entirely or not at all, and
        take it off ``pending``. Cancelled meanwhile (shutdown), the statement may still
        complete in the database's thread: it is waited for, so the drain neither stores the
        events twice nor forgets them."""
        task = asyncio.ensure_future(self.store.events.add_many(run))
        try:
            stored = await asyncio.shield(task)
        except asyncio.CancelledError:
            try:
                async with asyncio.timeout(DRAIN_GRACE):
                    await asyncio.shield(task)
            except Exception:
                # Not stored (or unknown after the grace): the drain tries again.
                task.cancel()
            else:
                self.events_stored += len(run)
                for _ in run:
                    pending.popleft()
            raise
        for _ in run:
            pending.popleft()
        return stored

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
        if server is None:
            return f"server {server_id}"
        # /status-connect show:False hides the address in feed lines too (names often carry it).
        return mask_address(server.name, server.host) if server_id in self._hidden else server.name

    def _event_text(self, event: Event) -> Event:
        server = self._servers.get(event.server_id)
        if server is None or event.server_id not in self._hidden or not event.text:
            return event
        return replace(event, text=mask_address(event.text, server.host))

    def _items(
        self, event: Event, feeds: Iterable[Feed], watches: Iterable[Watch]
    ) -> list[tuple[int, Item]]:
        name = self._server_name(event.server_id)
        event = self._event_text(event)
        now = time.monotonic()
        out: list[tuple[int, Item]] = []
        for feed in feeds:
            if event.kind in m.kinds_of(feed.kinds):
                item = Item(
                    ("feed", feed.id),
                    event.id,
                    render.line(event, name),
                    None,
                    event.source == m.SOURCE_A2S,
                    now,
                )
                out.append((feed.channel_id, item))
        for watch in watches:
            if matches(watch, event):
                item = Item(
                    ("watch", watch.id),
                    event.id,
                    render.watch_line(event, name, watch.pattern),
                    watch.role_id,
                    False,
                    now,
                )
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
                channel_id,
                self._deliver,
                window=self.batch_seconds,
                limit=self.queue_limit,
                on_idle=self._tick.set,
            )
            self._senders[channel_id] = sender
        sender.start()
        return sender

    async def _replay(self) -> None:
        """Queue the stored events each subscription has not delivered yet, oldest first; a
        send that was in flight when the bot stopped goes first, as it was (same nonce)."""
        since = self.clock() - self.replay_window
        per_channel: defaultdict[int, list[tuple[int, Item]]] = defaultdict(list)
        for feeds in self._feeds.values():
            for feed in feeds:
                async for event in self._pending(
                    feed.server_id, feed.delivered_through, since, m.kinds_of(feed.kinds)
                ):
                    for channel_id, item in self._items(event, [feed], []):
                        per_channel[channel_id].append((event.id, item))
        for watches in self._watches.values():
            for watch in watches:
                async for event in self._pending(
                    watch.server_id, watch.delivered_through, since, (m.JOIN, m.GUID)
                ):
                    for channel_id, item in self._items(event, [], [watch]):
                        per_channel[channel_id].append((event.id, item))
        for channel_id, pairs in per_channel.items():
            pairs.sort(key=lambda pair: pair[0])
            items = [item for _, item in pairs]
            log.info(
                "feed: %d undelivered line(s) queued again for channel %d", len(items), channel_id
            )
            sender = self._sender(channel_id)
            record = _decode_send(await self.store.state.get(_SEND_KEY.format(channel_id)))
            if record is not None:
                nonce, cursors = record
                first = [i for i in items if i.event_id <= cursors.get(i.sub, 0)]
                if first:
                    items = [i for i in items if i.event_id > cursors.get(i.sub, 0)]
                    moved = {k: v for k, v in cursors.items() if k in self._subs}
                    sender.resume(Batch(tuple(first), 0, moved, nonce))
            for item in items:
                sender.push(item)

    async def _pending(
        self, server_id: int, after_id: int, since: float, kinds: Collection[str]
    ) -> AsyncIterator[Event]:
        """Every stored event after the cursor, page by page (however many there are)."""
        while True:
            page = await self.store.events.after(server_id, after_id, since, kinds, REPLAY_PAGE)
            for event in page:
                yield event
            if len(page) < REPLAY_PAGE:
                return
            after_id = page[-1].id

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
            log.info(
                "feed: pruned %d event(s) and %d session(s) past the retention", events, sessions
            )

    # -- delivery ------------------------------------------------------------------------------

    async def _deliver(self, channel_id: int, batch: Batch) -> Outcome:
        channel = await self.channels.open(channel_id)
        if isinstance(channel, Refused):
            return await self._refused(channel_id, batch, channel)
        nonce = nonce_of(channel_id, batch)
        # Recorded before sending: a restart resends exactly this batch with this nonce, and
        # Discord answers with the message it may already have created.
        await self.store.state.set(_SEND_KEY.format(channel_id), _encode_send(nonce, batch))
        refused = await channel.send(batch, nonce)
        if refused is not None:
            return await self._refused(channel_id, batch, refused)
        self._problems.pop(channel_id, None)
        self.messages_sent += 1
        self.lines_sent += len(batch.items)
        await self._settle(channel_id, batch)
        return Outcome.SENT

    async def _refused(self, channel_id: int, batch: Batch, refused: Refused) -> Outcome:
        if refused.problem is not None:
            self._problems[channel_id] = refused.problem
        if refused.outcome is Outcome.GONE:
            # Retrying cannot help: the lines are dropped and their cursors move.
            await self._settle(channel_id, batch)
        return refused.outcome

    def channel_problem(self, channel_id: int) -> str | None:
        """Why lines for the channel are waiting, if they are (for ``/feed list``)."""
        return self._problems.get(channel_id)

    async def _settle(self, channel_id: int, batch: Batch) -> None:
        """Move the batch's cursors, retrying only that write until it is stored: the
        message went out (or never can), so it must never be sent again."""
        delay = SETTLE_FIRST_DELAY
        while True:
            try:
                await self._advance(batch)
                break
            except Exception as exc:
                log.warning(
                    "feed: cursors of channel %d not saved (%s); retrying in %.1f s",
                    channel_id,
                    type(exc).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
                delay = min(SETTLE_MAX_DELAY, delay * 2)
        try:
            await self.store.state.delete(_SEND_KEY.format(channel_id))
        except Exception as exc:
            # Harmless: a record whose cursors were stored resumes nothing at the next start.
            log.info("feed: send record of channel %d kept (%s)", channel_id, type(exc).__name__)

    async def _advance(self, batch: Batch) -> None:
        feeds = {i: e for (kind, i), e in batch.cursors.items() if kind == "feed"}
        watches = {i: e for (kind, i), e in batch.cursors.items() if kind == "watch"}
        await self.store.feeds.advance(feeds)
        await self.store.watches.advance(watches)

    # -- for tests and tools -------------------------------------------------------------------

    def _idle(self) -> bool:
        return (
            self._inbox.empty()
            and not self._processing
            and not self._roster_tasks
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
            "dropped": self._dropped_before
            + self.inbox_dropped
            + sum(s.queue.total_dropped for s in self._senders.values()),
            "inbox_dropped": self.inbox_dropped,
            "channels": len(self._senders),
        }

    def queue_depth(self) -> int:
        """Events waiting: not yet stored, plus lines queued for their channels."""
        return self._inbox.qsize() + sum(len(s.queue) for s in self._senders.values())
