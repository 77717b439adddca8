"""The feed service: every event is stored, then routed to the feeds and watches that want it.

Sources: console events of any admin protocol (:mod:`.console_link`, through the RCON pool's
persistent connection, one per server with a console that has a feed or a watch) and the
poller's rounds (:mod:`.round_events`: map changes, up/down, and A2S-derived joins/leaves for
servers whose console does not report them). One ingest loop here
stores events in arrival order (:mod:`.ingest`), keeps player sessions, and puts one line per
subscription (:mod:`.subscriptions`) into the channel's queue (:mod:`.routing`); a
:class:`~.sender.ChannelSender` per channel sends them in batches (:mod:`.outbox`).

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
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from bot.i18n import ENGLISH
from bot.protocols.backoff import BackoffPolicy
from bot.services.feed import model as m
from bot.services.feed.console_link import ConsoleHub, ConsoleLink
from bot.services.feed.ingest import EventWriter, Pending
from bot.services.feed.outbox import Outbox
from bot.services.feed.posting import FeedChannels
from bot.services.feed.queue import SubKey
from bot.services.feed.round_events import RoundEvents
from bot.services.feed.routing import Router
from bot.services.feed.subscriptions import Subscriptions
from bot.services.languages import GuildLanguages
from bot.services.status.poller import Poller, RoundReport
from bot.services.tasks import TaskSet
from bot.services.unexpected import UnexpectedErrors
from bot.storage import Server, Store
from bot.storage.events import Event
from bot.storage.feeds import Feed, Watch

log = logging.getLogger(__name__)

DEFAULT_BATCH_SECONDS = 2.0
DEFAULT_QUEUE_LIMIT = 500
DEFAULT_REPLAY_WINDOW = 6 * 3600.0  # older undelivered events are stale news
MAX_INGEST_BATCH = 500
# A store that fails is retried after 0.2 s, doubling, at most every 30 s.
INGEST_BACKOFF = BackoffPolicy(initial=0.2, maximum=30.0, jitter=0.0)
# Events waiting to be stored; beyond it the oldest is dropped and counted (a hostile or
# runaway server must not grow the bot's memory without bound).
DEFAULT_INBOX_LIMIT = 20_000


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
        hub: ConsoleHub | None = None,
        clock: Callable[[], float] = time.time,
        inbox_limit: int = DEFAULT_INBOX_LIMIT,
        languages: GuildLanguages | None = None,
    ) -> None:
        self.store = store
        self.poller = poller
        self.retention = retention_days * 86400.0
        self.replay_window = replay_window
        self.clock = clock
        self.inbox_limit = inbox_limit
        self.inbox_dropped = 0
        self._inbox: asyncio.Queue[Event | m.Roster] = asyncio.Queue()
        self._ingest_errors = UnexpectedErrors(
            log, "feed: storing events raised %s (retried; traceback once per kind)"
        )
        self._processing = False
        self._tick = asyncio.Event()
        self._started = asyncio.Event()
        self._background: TaskSet[None] = TaskSet()  # the start's record backfill
        self.subscriptions = Subscriptions(store, poller.shards, self._subscriptions_changed)
        self.consoles = ConsoleLink(hub, self.submit, clock, on_roster_done=self._tick.set)
        self.rounds = RoundEvents(store, poller, self.submit, clock, self.consoles.linked)
        self.outbox = Outbox(channels, store)
        self.router = Router(
            store,
            self.subscriptions,
            self.outbox,
            batch_seconds=batch_seconds,
            queue_limit=queue_limit,
            on_idle=self._tick.set,
            language_of=languages.of if languages is not None else lambda guild_id: ENGLISH,
        )
        self.writer = EventWriter(store, self.router.route)

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
        self.subscriptions.servers = {s.id: s for s in servers}
        await self.rounds.on_round(report, servers)

    # -- subscriptions (see .subscriptions) ----------------------------------------------------

    def subscribe(self, server: Server, subscription: Feed | Watch) -> None:
        self.subscriptions.subscribe(server, subscription)

    def unsubscribe(self, removed: Iterable[Feed | Watch]) -> None:
        self.subscriptions.unsubscribe(removed)

    def reload_later(self) -> None:
        self.subscriptions.reload_later()

    async def reload(self) -> None:
        """Read feeds, watches and servers again (after a command changed them)."""
        await self.subscriptions.reload()

    def feeds_of(self, server_id: int) -> list[Feed]:
        return self.subscriptions.feeds_of(server_id)

    def channel_problem(self, channel_id: int) -> str | None:
        """Why lines for the channel are waiting, if they are (for ``/feed list``)."""
        return self.outbox.channel_problem(channel_id)

    def _subscriptions_changed(self, gone: set[SubKey]) -> None:
        self.router.discard(gone)
        # Consoles for the servers that now have a feed or a watch; where a console stopped
        # reporting joins and leaves, A2S takes over, its first list a baseline.
        for server_id in self.consoles.sync(self.subscriptions.console_servers()):
            self.rounds.forget(server_id)

    async def _backfill_players(self) -> None:
        """Records for the sessions of this process's servers that have none (stored before
        records existed): once at start."""
        try:
            linked = await self.store.players.backfill(set(self.subscriptions.servers))
        except Exception:
            log.exception("feed: player records of older sessions not filled in")
            return
        if linked:
            log.info("feed: %d older session(s) given player records", linked)

    # -- the loop ------------------------------------------------------------------------------

    async def run(self) -> None:
        """Background task: replay what was not delivered, then store and route forever.

        An event taken from the inbox leaves ``pending`` only once it is stored: a failing
        store is retried with backoff, in order, and on shutdown what is left is stored (the
        next start posts it)."""
        pending: Pending = deque()
        try:
            await self.reload()
            await self.router.replay(self.clock() - self.replay_window)
            self._started.set()
            # Beside the loop, not before it: a large history must not hold up new events.
            self._background.start(self._backfill_players(), name="feed:backfill")
            failures = 0
            while True:
                if not pending:
                    pending.append(await self._inbox.get())
                while not self._inbox.empty() and len(pending) < MAX_INGEST_BATCH:
                    pending.append(self._inbox.get_nowait())
                self._processing = True
                try:
                    await self.writer.ingest(pending)
                    failures = 0
                except Exception as exc:
                    failures += 1
                    delay = INGEST_BACKOFF.step(failures)
                    # The traceback once per kind: a bug here would otherwise repeat for ever
                    # as a one-line warning.
                    self._ingest_errors.report(exc)
                    log.warning(
                        "feed: %d event(s) not stored yet (%s); retrying in %.1f s",
                        len(pending),
                        type(exc).__name__,
                        delay,
                    )
                    await self.writer.forget_removed_servers(pending)
                    await asyncio.sleep(delay)
                    continue
                finally:
                    self._processing = False
                    self._tick.set()
                await self.writer.maybe_prune(self.clock(), self.retention)
        finally:
            await self._shutdown(pending)

    async def _shutdown(self, pending: Pending) -> None:
        self.subscriptions.reload_tasks.cancel()
        self._background.cancel()
        self.consoles.close()
        await self.router.stop()
        await self._drain(pending)

    async def _drain(self, pending: Pending) -> None:
        """Store what the inbox still holds (nothing is routed: the next start replays it)."""
        while not self._inbox.empty():
            pending.append(self._inbox.get_nowait())
        events = [e for e in pending if isinstance(e, Event)]
        if events and not await self.writer.store_at_shutdown(events):
            # Back to the front of the inbox, in order: a restart of this task (the
            # supervisor's) stores them; only the end of the process loses them.
            inbox: asyncio.Queue[Event | m.Roster] = asyncio.Queue()
            for item in pending:
                inbox.put_nowait(item)
            while not self._inbox.empty():
                inbox.put_nowait(self._inbox.get_nowait())
            self._inbox = inbox
        pending.clear()

    # -- for tests and tools -------------------------------------------------------------------

    def _idle(self) -> bool:
        return (
            self._inbox.empty()
            and not self._processing
            and not self.consoles.roster_tasks
            and self.router.idle
        )

    async def wait_idle(self) -> None:
        """Until every submitted event is stored, every player list fetched after a login
        applied, and every queued line delivered."""
        await self._started.wait()
        while not self._idle():
            self._tick.clear()
            await self._tick.wait()

    def stats(self) -> dict[str, Any]:
        return {
            "events_stored": self.writer.events_stored,
            "messages_sent": self.outbox.messages_sent,
            "lines_sent": self.outbox.lines_sent,
            "dropped": self.inbox_dropped + self.router.dropped(),
            "inbox_dropped": self.inbox_dropped,
            "channels": len(self.router.senders),
        }

    def queue_depth(self) -> int:
        """Events waiting: not yet stored, plus lines queued for their channels."""
        return self._inbox.qsize() + self.router.queued()
