"""The mirror queue between the audit log and the guilds' mirror channels.

Mirroring to a channel is a Discord request that can wait for a rate limit; it must never sit
in front of an interaction's answer. Entries are queued here (non-blocking), denied attempts
coalesced per member and window, and one worker posts at most one message per guild and gap
through the sender the audit cog plugs in.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bot.protocols.backoff import BackoffPolicy
from bot.services.supervisor import sleep_until_woken
from bot.services.tasks import TaskSet
from bot.storage.audit import AuditEntry

log = logging.getLogger(__name__)

DEFAULT_MIRROR_WINDOW = 60.0  # seconds a member's denied attempts are folded into one line
DEFAULT_MIRROR_GAP = 1.2  # seconds between two mirror posts of one guild (Discord: 5 per 5 s)
# Seconds between any two mirror posts: at most 20 a second, well inside Discord's global 50
# (which every other request of the bot shares).
DEFAULT_MIRROR_GLOBAL_GAP = 0.05
DEFAULT_MIRROR_LIMIT = 200  # queued items per guild; beyond, the oldest are dropped and counted
DEFAULT_MIRROR_BATCH = 10  # items offered to one post (Discord: 10 embeds per message)
MIRROR_RETRIES = 3  # attempts of one batch on a 429 or 5xx before it is dropped (and counted)
MAX_DENIED_GROUPS = 100  # open denied groups per guild; a raid beyond folds into "others"
DEFAULT_DRAIN_SECONDS = 5.0  # how long shutdown waits for what is still queued


@dataclass(slots=True)
class DeniedGroup:
    """A member's denied attempts within one window: one mirrored line."""

    guild_id: int
    user_id: int
    user_name: str
    first_at: str  # ISO 8601 UTC of the first attempt
    last_at: str
    due: float  # monotonic time the window closes
    count: int = 0
    actions: dict[str, int] = field(default_factory=dict)
    servers: set[str] = field(default_factory=set)

    def add(self, entry: AuditEntry) -> None:
        self.count += 1
        self.last_at = entry.at
        self.actions[entry.action] = self.actions.get(entry.action, 0) + 1
        if entry.server_name and len(self.servers) < 10:
            self.servers.add(entry.server_name)


@dataclass(frozen=True, slots=True)
class Dropped:
    """Entries of a guild that were not mirrored (queue full or Discord kept refusing)."""

    count: int


MirrorItem = AuditEntry | DeniedGroup | Dropped
# Posts a prefix of ``items`` for the guild as one message; returns how many items it took and
# whether a request was made. Raises ``MirrorRetry`` for a 429 or 5xx.
MirrorSender = Callable[[int, Sequence[MirrorItem]], Awaitable[tuple[int, bool]]]


async def discard_mirror(guild_id: int, items: Sequence[MirrorItem]) -> tuple[int, bool]:
    """The sender until one is plugged in: nothing to post to."""
    return len(items), False


class MirrorRetry(Exception):
    """The post may succeed later (Discord answered 429 or 5xx)."""


@dataclass(slots=True)
class _GuildQueue:
    items: deque[MirrorItem] = field(default_factory=deque)
    denied: dict[int, DeniedGroup] = field(default_factory=dict)  # user id -> open group
    dropped: int = 0
    next_post: float = 0.0
    attempts: int = 0
    busy: bool = False
    inflight: int = 0


class AuditMirror:
    """The background queue between the audit log and the mirror channels."""

    def __init__(
        self,
        send: MirrorSender,
        *,
        window: float = DEFAULT_MIRROR_WINDOW,
        gap: float = DEFAULT_MIRROR_GAP,
        global_gap: float = DEFAULT_MIRROR_GLOBAL_GAP,
        limit: int = DEFAULT_MIRROR_LIMIT,
        batch: int = DEFAULT_MIRROR_BATCH,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.send = send
        self.window = window
        self.gap = gap
        self.global_gap = global_gap
        self._next_any = 0.0
        self.limit = limit
        self.batch = batch
        self.clock = clock
        self._guilds: dict[int, _GuildQueue] = {}
        self._wake = asyncio.Event()
        self._tasks: TaskSet[None] = TaskSet()
        self._running = False
        self._flushing = False  # shutting down: open denied windows close at once
        self._progress = asyncio.Event()
        self.posted = 0  # messages sent
        self.dropped = 0  # items never mirrored

    async def on_entry(self, entry: AuditEntry) -> None:
        """Audit listener: queue and return at once."""
        self.offer(entry)

    def offer(self, entry: AuditEntry) -> None:
        queue = self._guilds.setdefault(entry.guild_id, _GuildQueue())
        if entry.outcome == "denied":
            group = queue.denied.get(entry.user_id)
            if group is None:
                # A raid of many members: beyond the cap their attempts share one line.
                user_id = entry.user_id if len(queue.denied) < MAX_DENIED_GROUPS else 0
                group = queue.denied.get(user_id)
                if group is None:
                    group = DeniedGroup(
                        entry.guild_id,
                        user_id,
                        entry.user_name if user_id else "others",
                        entry.at,
                        entry.at,
                        self.clock() + self.window,
                    )
                    queue.denied[user_id] = group
            group.add(entry)
        else:
            self._append(queue, entry)
        self._wake.set()

    def _append(self, queue: _GuildQueue, item: MirrorItem) -> None:
        queue.items.append(item)
        while len(queue.items) > self.limit:
            lost = _weight(queue.items.popleft())
            queue.dropped += lost
            self.dropped += lost

    def pending(self) -> int:
        """Items waiting, open denied groups included (for tests and metrics)."""
        return sum(
            len(q.items) + len(q.denied) + q.inflight + bool(q.dropped)
            for q in self._guilds.values()
        )

    def _close_windows(self, now: float) -> None:
        for queue in self._guilds.values():
            for user_id, group in list(queue.denied.items()):
                if group.due <= now or self._flushing:
                    del queue.denied[user_id]
                    self._append(queue, group)

    def _next_due(self, now: float) -> float | None:
        times: list[float] = []
        for queue in self._guilds.values():
            times.extend(g.due for g in queue.denied.values())
            if (queue.items or queue.dropped) and not queue.busy:
                times.append(max(queue.next_post, self._next_any))
        return max(0.0, min(times) - now) if times else None

    async def run(self) -> None:
        """Worker: posts what is due, at most one request in flight per guild."""
        self._running = True
        try:
            while True:
                now = self.clock()
                self._close_windows(now)
                ready: list[tuple[float, int]] = []
                for guild_id, queue in list(self._guilds.items()):
                    if queue.items or queue.dropped:
                        if not queue.busy and queue.next_post <= now:
                            ready.append((queue.next_post, guild_id))
                    elif not queue.denied and not queue.busy:
                        del self._guilds[guild_id]
                if ready and self._next_any <= now:
                    # One post per global gap, the guild waiting longest first.
                    _, guild_id = min(ready)
                    self._next_any = now + self.global_gap
                    queue = self._guilds[guild_id]
                    queue.busy = True
                    self._tasks.start(self._post(guild_id, queue))
                await sleep_until_woken(self._wake, self._next_due(now))
        finally:
            self._running = False
            self._tasks.cancel()

    async def drain(self, timeout: float = DEFAULT_DRAIN_SECONDS) -> int:
        """At shutdown, before the sender goes: post what is still queued (open denied windows
        closed early), keeping the rate gaps, for at most ``timeout`` seconds. Returns how many
        entries were left unmirrored (logged)."""
        self._flushing = True
        self._wake.set()
        # The background worker posts if it runs; otherwise one of our own, for this drain.
        worker = None if self._running else asyncio.create_task(self.run())
        try:
            async with asyncio.timeout(timeout):
                while self.pending():
                    self._progress.clear()
                    self._wake.set()
                    await self._progress.wait()  # set when a post ends
        except TimeoutError:
            pass
        finally:
            # Counted before our worker goes: cancelling it ends a post in flight.
            left = sum(
                sum(_weight(i) for i in q.items)
                + sum(g.count for g in q.denied.values())
                + q.inflight
                + q.dropped
                for q in self._guilds.values()
            )
            if worker is not None:
                worker.cancel()
                await asyncio.gather(worker, return_exceptions=True)
        if left:
            log.warning("%d audit entries were not mirrored before shutdown", left)
        return left

    async def _post(self, guild_id: int, queue: _GuildQueue) -> None:
        # Taken out of the queue while in flight, so the bound never counts them as dropped.
        items: list[MirrorItem] = []
        if queue.dropped:
            items.append(Dropped(queue.dropped))
            queue.dropped = 0
        while queue.items and len(items) < self.batch:
            items.append(queue.items.popleft())
        queue.inflight = len(items)
        try:
            taken, sent = await self.send(guild_id, items)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            queue.attempts += 1
            if isinstance(exc, MirrorRetry) and queue.attempts < MIRROR_RETRIES:
                self._put_back(queue, items)
            else:
                if not isinstance(exc, MirrorRetry):
                    log.exception("audit mirror post for guild %s failed", guild_id)
                lost = sum(_weight(i) for i in items if not isinstance(i, Dropped))
                self.dropped += lost
                queue.dropped += sum(_weight(i) for i in items)
                queue.attempts = 0
            queue.next_post = self.clock() + self.retry_gap(queue.attempts)
        else:
            self._put_back(queue, items[max(taken, 0) :])
            queue.attempts = 0
            if sent:
                self.posted += 1
                queue.next_post = self.clock() + self.gap
        finally:
            queue.inflight = 0
            queue.busy = False
            self._wake.set()
            self._progress.set()

    def retry_gap(self, attempts: int) -> float:
        """The wait after a failed post, ``attempts`` failures into its batch (0: a batch
        just given up on, the next waits one gap): doubles per attempt from the gap."""
        # The cap is the largest wait the retry limit allows (no wait is cut short).
        top = self.gap * 2 ** (MIRROR_RETRIES - 1)
        return BackoffPolicy(initial=self.gap, maximum=top, jitter=0.0).step(attempts + 1)

    @staticmethod
    def _put_back(queue: _GuildQueue, items: Sequence[MirrorItem]) -> None:
        for item in reversed(items):
            if isinstance(item, Dropped):
                queue.dropped += item.count
            else:
                queue.items.appendleft(item)


def _weight(item: MirrorItem) -> int:
    """How many audit entries an item stands for."""
    return item.count if isinstance(item, DeniedGroup | Dropped) else 1
