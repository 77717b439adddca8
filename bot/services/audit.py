"""The audit service: every RCON attempt and every settings change, written before it runs and
completed after, then offered to listeners (the mirror channel).

``begin(...)`` returns a ticket; ``complete(ticket, outcome, excerpt)`` records the outcome and
the latency. ``record(...)`` does both for a change that has already been made.

Arguments are stored as typed: the rows are read by the guild's own admins, and passing them
through the global secret registry would show "[redacted]" for another guild's password, an
oracle. Only the value of a password-like setting in a raw console command is masked, and an
excerpt (the server's answer) has that server's own password masked.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime
import io
import logging
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bot.metrics import NO_METRICS, Metrics
from bot.services.errors import UserError
from bot.services.supervisor import sleep_until_woken
from bot.storage import Store
from bot.storage.audit import AuditEntry, AuditFilter, NewAuditEntry

log = logging.getLogger(__name__)

MAX_EXCERPT = 300
MAX_ARGUMENTS = 500
EXPORT_LIMIT = 50_000
CSV_COLUMNS = (
    "id",
    "at",
    "guild_id",
    "user_id",
    "user_name",
    "allowed_by",
    "server_id",
    "server_name",
    "action",
    "arguments",
    "outcome",
    "excerpt",
    "latency_ms",
)

AuditListener = Callable[[AuditEntry], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, in which guild (no discord types: the feed and the CLI use this too)."""

    guild_id: int
    user_id: int
    user_name: str


@dataclass(frozen=True, slots=True)
class AuditTicket:
    entry_id: int
    started: float  # monotonic seconds


MASK = "[hidden]"
EXEC_ACTION = "rcon exec"
# A setting whose name holds password/token/secret, and its value: `rcon_password abc`,
# `sv_password "a b"`, `"rcon_password" = "abc"` (srcds echoing a cvar). The value stops at a
# quote, a space or `;`, so a second command after it stays visible.
_SECRET_SETTING = re.compile(
    r"(?P<name>[\w.#-]*(?:password|passwd|token|secret)[\w.-]*|sv_setsteamaccount|#login)"
    r'(?P<sep>"?(?:\s*=\s*|\s+))'
    r'(?P<value>"[^"]*"?|[^\s;"]+)',
    re.IGNORECASE,
)


def mask_secret_settings(text: str) -> str:
    """``text`` with the value of every password-like setting replaced by ``[hidden]``."""
    return _SECRET_SETTING.sub(lambda m: f"{m['name']}{m['sep']}{MASK}", text)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clean(text: str, limit: int) -> str:
    # Deliberately no redaction through the global secret registry (see the module doc).
    return _clip(text, limit)


# Characters kept past the excerpt's end for the settings scan, so a setting whose value the
# clip cuts is still recognised (and masked) rather than left half visible.
_SETTING_SPAN = 200


def _clean_excerpt(text: str, secret: str | None) -> str:
    """A server's answer: its own password and password-like settings masked, then clipped.

    Clipped before the scans (an answer can be megabytes), keeping room for one password and
    one setting more. A password cut in two by that first clip sits in the window's last
    ``len(secret)`` characters whatever the replacements before it did, so those go before
    the final clip."""
    margin = len(secret) if secret else 0
    span = MAX_EXCERPT + margin + _SETTING_SPAN
    clipped = len(text) > span
    window = text[:span] if clipped else text
    if secret:
        window = window.replace(secret, MASK)
    window = mask_secret_settings(window)
    if clipped:
        window = (window[: len(window) - margin] if margin else window) + "…"
    return _clip(window, MAX_EXCERPT)


class AuditLog:
    def __init__(
        self,
        store: Store,
        clock: Callable[[], float] = time.monotonic,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self.store = store
        self.clock = clock
        self.metrics = metrics
        self._listeners: list[AuditListener] = []

    def add_listener(self, listener: AuditListener) -> None:
        """Called with each completed entry (mirroring to a channel)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: AuditListener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    async def begin(
        self,
        actor: Actor,
        action: str,
        arguments: str = "",
        *,
        server_id: int | None = None,
        server_name: str = "",
        allowed_by: str = "",
    ) -> AuditTicket:
        entry = await self.store.audit.begin(
            NewAuditEntry(
                guild_id=actor.guild_id,
                user_id=actor.user_id,
                user_name=_clean(actor.user_name, 100),
                action=action,
                arguments=_clean(
                    mask_secret_settings(arguments) if action == EXEC_ACTION else arguments,
                    MAX_ARGUMENTS,
                ),
                server_id=server_id,
                server_name=server_name,
                allowed_by=allowed_by,
            )
        )
        self.metrics.audit_row()
        return AuditTicket(entry.id, self.clock())

    async def complete(
        self,
        ticket: AuditTicket,
        outcome: str,
        excerpt: str = "",
        *,
        allowed_by: str | None = None,
        secret: str | None = None,
    ) -> AuditEntry | None:
        """``secret``: the password of the server that answered, masked in the excerpt."""
        latency_ms = (self.clock() - ticket.started) * 1000.0
        entry = await self.store.audit.complete(
            ticket.entry_id, outcome, _clean_excerpt(excerpt, secret), latency_ms, allowed_by
        )
        if entry is not None:
            await self._notify(entry)
        return entry

    async def record(
        self,
        actor: Actor,
        action: str,
        arguments: str = "",
        *,
        outcome: str = "ok",
        excerpt: str = "",
        server_id: int | None = None,
        server_name: str = "",
        allowed_by: str = "",
    ) -> AuditEntry | None:
        ticket = await self.begin(
            actor,
            action,
            arguments,
            server_id=server_id,
            server_name=server_name,
            allowed_by=allowed_by,
        )
        return await self.complete(ticket, outcome, excerpt)

    @contextlib.asynccontextmanager
    async def track(
        self,
        actor: Actor,
        action: str,
        arguments: str = "",
        *,
        server_id: int | None = None,
        server_name: str = "",
    ) -> AsyncIterator[AuditTicket]:
        """Audit a change around the block: ``ok`` when it ends normally, ``denied`` for a
        refused input (UserError), ``error`` otherwise; the exception propagates."""
        ticket = await self.begin(
            actor, action, arguments, server_id=server_id, server_name=server_name
        )
        try:
            yield ticket
        except UserError as exc:
            await self.complete(ticket, "denied", str(exc))
            raise
        except BaseException as exc:
            await asyncio.shield(self.complete(ticket, "error", type(exc).__name__))
            raise
        await self.complete(ticket, "ok")

    async def _notify(self, entry: AuditEntry) -> None:
        for listener in self._listeners:
            try:
                await listener(entry)
            except Exception:
                # The row is stored; a mirror failing must not fail the command.
                log.exception("audit listener %r failed", listener)

    # -- reading -------------------------------------------------------------------------------

    async def page(self, f: AuditFilter, page: int, per_page: int) -> tuple[list[AuditEntry], int]:
        """Entries of page ``page`` (0-based, newest first) and the total count."""
        total = await self.store.audit.count(f)
        entries = await self.store.audit.search(f, limit=per_page, offset=page * per_page)
        return entries, total

    async def export_csv(self, f: AuditFilter, limit: int = EXPORT_LIMIT) -> bytes:
        entries = await self.store.audit.search(f, limit=limit)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for e in entries:
            writer.writerow([_cell(getattr(e, column)) for column in CSV_COLUMNS])
        return out.getvalue().encode("utf-8")


# -- the mirror queue ------------------------------------------------------------------------
# Mirroring to a channel is a Discord request that can wait for a rate limit; it must never sit
# in front of an interaction's answer. Entries are queued here (non-blocking), denied attempts
# coalesced per member and window, and one worker posts at most one message per guild and gap.

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
        self._tasks: set[asyncio.Task[None]] = set()
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
                    task = asyncio.create_task(self._post(guild_id, queue))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                await sleep_until_woken(self._wake, self._next_due(now))
        finally:
            self._running = False
            for task in list(self._tasks):
                task.cancel()

    async def drain(self, limit: float = DEFAULT_DRAIN_SECONDS) -> int:
        """At shutdown, before the sender goes: post what is still queued (open denied windows
        closed early), keeping the rate gaps, for at most ``limit`` seconds. Returns how many
        entries were left unmirrored (logged)."""
        self._flushing = True
        self._wake.set()
        # The background worker posts if it runs; otherwise one of our own, for this drain.
        worker = None if self._running else asyncio.create_task(self.run())
        try:
            async with asyncio.timeout(limit):
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
            # Backoff doubles per attempt, from the gap.
            queue.next_post = self.clock() + self.gap * (2**queue.attempts)
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


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheets run cells starting with these as formulas (CSV injection).
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_SINCE = re.compile(r"(\d{1,6})\s*([mhdw])")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_since(text: str, now: datetime.datetime) -> str:
    """``30m``, ``24h``, ``7d``, ``2w`` back from ``now``, or a date ``YYYY-MM-DD`` (UTC); the
    ISO form the audit rows use."""
    value = text.strip().lower()
    m = _SINCE.fullmatch(value)
    if m is not None:
        start = now - datetime.timedelta(seconds=int(m[1]) * _UNITS[m[2]])
    else:
        try:
            start = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise UserError(
                "`since` takes a duration like 30m, 24h, 7d, 2w, or a date like 2026-11-01."
            ) from None
        if start.tzinfo is not None:
            start = start.astimezone(datetime.UTC).replace(tzinfo=None)
    return start.strftime("%Y-%m-%dT%H:%M:%S")
