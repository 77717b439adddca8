"""The feeds and watches this process delivers, by server, as read from the database plus
what commands changed since (so a command's change takes effect before it answers)."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

from bot.services.feed.console_link import uses_console
from bot.services.feed.queue import SubKey
from bot.services.tasks import TaskSet
from bot.sharding import ShardFilter
from bot.storage import Server, Store
from bot.storage.feeds import Feed, Watch

log = logging.getLogger(__name__)

# Called after every change with the subscriptions that went (their queued lines go too).
OnChange = Callable[[set[SubKey]], None]


def key_of(subscription: Feed | Watch) -> SubKey:
    return ("feed" if isinstance(subscription, Feed) else "watch", subscription.id)


_S = TypeVar("_S", Feed, Watch)


def _by_server(subscriptions: Iterable[_S]) -> dict[int, list[_S]]:
    grouped: defaultdict[int, list[_S]] = defaultdict(list)
    for subscription in subscriptions:
        grouped[subscription.server_id].append(subscription)
    return dict(grouped)


class Subscriptions:
    def __init__(self, store: Store, shards: ShardFilter, on_change: OnChange) -> None:
        self.store = store
        self.shards = shards
        self._on_change = on_change
        # The servers of this process's guilds (the poller's roster after each round).
        self.servers: dict[int, Server] = {}
        self.hidden: set[int] = set()  # servers whose address is hidden
        self.feeds: dict[int, list[Feed]] = {}
        self.watches: dict[int, list[Watch]] = {}
        self.keys: set[SubKey] = set()
        # channel id -> how many servers' feeds post there (built when first asked after a
        # change): a channel of one server leaves the server's name out of its lines.
        self._channel_servers: dict[int, int] | None = None
        self._reload_lock = asyncio.Lock()
        # Changes a command made in memory before answering, numbered, so that a reload whose
        # reads began before one of them applies it again on top of what it read.
        self._changes: list[tuple[int, Callable[[], None]]] = []
        self._change_seq = 0
        self._reload_waiting = False  # a deferred reload is queued and has not read yet
        self.reload_tasks: TaskSet[None] = TaskSet()

    def feeds_of(self, server_id: int) -> list[Feed]:
        return list(self.feeds.get(server_id, ()))

    def servers_in_channel(self, channel_id: int) -> int:
        """How many servers have a feed posting to ``channel_id``."""
        if self._channel_servers is None:
            servers: dict[int, set[int]] = {}
            for sid, feeds in self.feeds.items():
                for feed in feeds:
                    servers.setdefault(feed.channel_id, set()).add(sid)
            self._channel_servers = {c: len(ids) for c, ids in servers.items()}
        return self._channel_servers.get(channel_id, 0)

    def console_servers(self) -> dict[int, Server]:
        """The servers with a console (any admin protocol) and a feed or a watch, by id."""
        return {
            sid: server
            for sid, server in self.servers.items()
            if (self.feeds.get(sid) or self.watches.get(sid)) and uses_console(server)
        }

    def subscribe(self, server: Server, subscription: Feed | Watch) -> None:
        """A feed or watch a command just stored (new or changed) is routed from the next
        event on, before the command answers; :meth:`reload_later` then reads everything."""
        self._change(lambda: self._put(server, subscription))

    def unsubscribe(self, removed: Iterable[Feed | Watch]) -> None:
        """Feeds or watches a command just deleted get no further line (their queued lines
        go too)."""
        keys = {key_of(s) for s in removed}
        self._change(lambda: self._drop(keys))

    def reload_later(self) -> None:
        """The full :meth:`reload` after a command answered, in the background; one waiting
        reload covers every change made before it starts reading."""
        if self._reload_waiting:
            return
        self._reload_waiting = True
        self.reload_tasks.start(self._deferred_reload(), name="outpost:feed-reload")

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
        if not self.shards.owns(server.guild_id):
            return  # another process posts this guild's events
        self.servers.setdefault(server.id, server)
        if isinstance(subscription, Feed):
            feeds = [f for f in self.feeds.get(server.id, ()) if f.id != subscription.id]
            self.feeds[server.id] = [*feeds, subscription]
        else:
            watches = [w for w in self.watches.get(server.id, ()) if w.id != subscription.id]
            self.watches[server.id] = [*watches, subscription]
        self.keys.add(key_of(subscription))
        self._channel_servers = None
        self._on_change(set())

    def _drop(self, keys: set[SubKey]) -> None:
        for sid, feeds in list(self.feeds.items()):
            self.feeds[sid] = [f for f in feeds if key_of(f) not in keys]
        for sid, watches in list(self.watches.items()):
            self.watches[sid] = [w for w in watches if key_of(w) not in keys]
        self.keys -= keys
        self._channel_servers = None
        self._on_change(keys)

    async def reload(self) -> None:
        """Read feeds, watches and servers again (after a command changed them)."""
        async with self._reload_lock:
            self._reload_waiting = False  # a change from now on needs a reload of its own
            start = self._change_seq
            # Another process posts the events of its shards' guilds (see bot.sharding).
            servers = self.shards.keep(await self.store.servers.all())
            self.servers = {s.id: s for s in servers}
            self.hidden = await self.store.display.hidden_connect()
            feeds = [f for f in await self.store.feeds.all() if f.server_id in self.servers]
            watches = [w for w in await self.store.watches.all() if w.server_id in self.servers]
            self.feeds, self.watches = _by_server(feeds), _by_server(watches)
            self._channel_servers = None
            before = self.keys
            self.keys = {key_of(f) for f in feeds} | {key_of(w) for w in watches}
            # Changes made while this reload read may be missing from what it read: applied
            # again (each is idempotent); older ones are in what it read.
            later = [(seq, apply) for seq, apply in self._changes if seq > start]
            self._changes = later
            for _, apply in later:
                apply()
            self._on_change(before - self.keys)
