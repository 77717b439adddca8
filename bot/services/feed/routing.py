"""Stored events become lines for the channels that want them: one per feed whose categories
take the event and per watch it matches, queued in that channel's sender. At start, what each
subscription has not delivered yet is queued again (the send in flight first, as it was)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Collection, Iterable
from dataclasses import replace

from bot.i18n import ENGLISH
from bot.rendering.text import mask_address
from bot.services.feed import model as m
from bot.services.feed import render
from bot.services.feed.outbox import Outbox
from bot.services.feed.queue import Batch, Item, SubKey
from bot.services.feed.sender import ChannelSender
from bot.services.feed.subscriptions import Subscriptions, key_of
from bot.services.feed.watch import matches
from bot.storage import Store
from bot.storage.events import Event
from bot.storage.feeds import Feed, Watch

log = logging.getLogger(__name__)

REPLAY_PAGE = 5000
SEND_GRACE = 2.0


class Router:
    def __init__(
        self,
        store: Store,
        subscriptions: Subscriptions,
        outbox: Outbox,
        *,
        batch_seconds: float,
        queue_limit: int,
        on_idle: Callable[[], None],
        language_of: Callable[[int], str] = lambda guild_id: ENGLISH,
    ) -> None:
        self.store = store
        # guild id -> the language of its shared messages (feed lines are rendered per feed).
        self.language_of = language_of
        self.subscriptions = subscriptions
        self.outbox = outbox
        self.batch_seconds = batch_seconds
        self.queue_limit = queue_limit
        self._on_idle = on_idle
        self.senders: dict[int, ChannelSender] = {}
        self.dropped_before = 0  # drops of the senders of an earlier run (a restart)

    @property
    def idle(self) -> bool:
        return all(s.idle for s in self.senders.values())

    def queued(self) -> int:
        return sum(len(s.queue) for s in self.senders.values())

    def dropped(self) -> int:
        return self.dropped_before + sum(s.queue.total_dropped for s in self.senders.values())

    def route(self, event: Event) -> None:
        subs = self.subscriptions
        feeds = subs.feeds.get(event.server_id, ())
        watches = subs.watches.get(event.server_id, ())
        for channel_id, item in self._items(event, feeds, watches):
            self._sender(channel_id).push(item)

    def discard(self, keys: set[SubKey]) -> None:
        """The queued lines of subscriptions that went."""
        if keys:
            for sender in self.senders.values():
                sender.queue.discard(keys)

    async def stop(self) -> None:
        """Every sender stopped (a message being sent gets a grace to be answered)."""
        senders = list(self.senders.values())
        await asyncio.gather(*(s.stop(SEND_GRACE) for s in senders), return_exceptions=True)
        # Their lines are stored events: a restart of the feed queues them again from the
        # cursors (keeping the senders would post them twice).
        self.dropped_before += sum(s.queue.total_dropped for s in senders)
        self.senders.clear()

    def _server_name(self, server_id: int, language: str) -> str:
        subs = self.subscriptions
        server = subs.servers.get(server_id)
        if server is None:
            return f"server {server_id}"
        # /status-connect show:False hides the address in feed lines too (names often carry it).
        if server_id not in subs.hidden:
            return server.name
        return mask_address(server.name, server.host, language)

    def _event_text(self, event: Event, language: str) -> Event:
        subs = self.subscriptions
        server = subs.servers.get(event.server_id)
        if server is None or event.server_id not in subs.hidden or not event.text:
            return event
        return replace(event, text=mask_address(event.text, server.host, language))

    def _items(
        self, event: Event, feeds: Iterable[Feed], watches: Iterable[Watch]
    ) -> list[tuple[int, Item]]:
        now = time.monotonic()
        out: list[tuple[int, Item]] = []
        for feed in feeds:
            if event.kind in m.kinds_of(feed.kinds):
                # The server's name only where the channel carries several servers.
                shared = self.subscriptions.servers_in_channel(feed.channel_id) > 1
                language = self.language_of(feed.guild_id)
                name = self._server_name(event.server_id, language) if shared else None
                line = render.line(self._event_text(event, language), name, language)
                approximate = event.source == m.SOURCE_A2S
                out.append(
                    (
                        feed.channel_id,
                        Item(key_of(feed), event.id, line, None, approximate, now, language),
                    )
                )
        for watch in watches:
            if matches(watch, event):
                language = self.language_of(watch.guild_id)
                name = self._server_name(event.server_id, language)
                shown = self._event_text(event, language)
                line = render.watch_line(shown, name, watch.pattern, language)
                out.append(
                    (
                        watch.channel_id,
                        Item(key_of(watch), event.id, line, watch.role_id, False, now, language),
                    )
                )
        return out

    def _sender(self, channel_id: int) -> ChannelSender:
        sender = self.senders.get(channel_id)
        if sender is None:
            sender = ChannelSender(
                channel_id,
                self.outbox.deliver,
                window=self.batch_seconds,
                limit=self.queue_limit,
                on_idle=self._on_idle,
            )
            self.senders[channel_id] = sender
        sender.start()
        return sender

    async def replay(self, since: float) -> None:
        """Queue the stored events (newer than ``since``) each subscription has not delivered
        yet, oldest first; a send that was in flight when the bot stopped goes first, as it was
        (same nonce)."""
        per_channel: defaultdict[int, list[tuple[int, Item]]] = defaultdict(list)
        subscriptions: list[tuple[Feed | Watch, Collection[str]]] = [
            *((f, m.kinds_of(f.kinds)) for fs in self.subscriptions.feeds.values() for f in fs),
            *((w, (m.JOIN, m.GUID)) for ws in self.subscriptions.watches.values() for w in ws),
        ]
        for subscription, kinds in subscriptions:
            feeds = [subscription] if isinstance(subscription, Feed) else []
            watches = [subscription] if isinstance(subscription, Watch) else []
            after = subscription.delivered_through
            async for event in self._pending(subscription.server_id, after, since, kinds):
                for channel_id, item in self._items(event, feeds, watches):
                    per_channel[channel_id].append((event.id, item))
        for channel_id, pairs in per_channel.items():
            pairs.sort(key=lambda pair: pair[0])
            items = [item for _, item in pairs]
            log.info(
                "feed: %d undelivered line(s) queued again for channel %d", len(items), channel_id
            )
            sender = self._sender(channel_id)
            record = await self.outbox.in_flight(channel_id)
            if record is not None:
                nonce, cursors = record
                first = [i for i in items if i.event_id <= cursors.get(i.sub, 0)]
                if first:
                    items = [i for i in items if i.event_id > cursors.get(i.sub, 0)]
                    moved = {k: v for k, v in cursors.items() if k in self.subscriptions.keys}
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
