"""Status boards: messages in a channel that the bot keeps current after each poll.

A board shows up to 10 server embeds per message (more servers: more messages). After a round
the updater re-renders every board and edits only the messages whose render changed (the hash
of the last render is kept in SQLite with the message id, so a restart edits the same messages
and skips unchanged ones). Requests are paced per guild, one guild's boards after another in
sequence, so a guild with many boards stays well inside Discord's limits; discord.py waits out
any 429 on its own.

Fair share: a pass gives each guild a budget of requests; a guild with more work than that
resumes after its last board at the next pass, which starts at once. So one guild with hundreds
of boards takes many short passes, and every other guild's boards are updated in each of them.

Each board message carries a marker (``Status board #<id> · <n>``, in the last embed's footer).
A message whose id could not be saved (a database error after Discord accepted it, or a crash)
is found again by that marker among the channel's recent messages and edited, not posted again.

What Discord answers comes back through the :class:`BoardPublisher` port (the Discord side is
:mod:`bot.delivery.boards`) as plain outcomes:

- an edited message that was deleted by someone (:attr:`Edit.MISSING`): post a fresh message;
- too many edits of a message older than an hour (:attr:`Edit.TOO_OLD`): post a fresh one,
  delete the old one;
- lost access or permissions (:class:`BoardPaused`): pause the board, ``/board list`` says why,
  and try it again every ``paused_retry`` seconds (permissions come back; a pause is never for
  good unless the board is removed or set again).
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from bot.i18n import stored_text
from bot.rendering.views import ServerView
from bot.services.status.poller import Poller, RoundReport, target_of
from bot.services.status.uptime_cache import UptimeCache
from bot.storage import Server, Store
from bot.storage.boards import Board
from bot.storage.display import Display

log = logging.getLogger(__name__)

DEFAULT_GUILD_GAP = 1.0  # seconds between two board requests of one guild
DEFAULT_GUILD_BUDGET = 10  # board requests of one guild per pass (its fair share)
DEFAULT_PAUSED_RETRY = 600.0  # seconds between two tries of a board paused on lost permissions


class BoardPaused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# Why a board is paused, as stored (English: rows written by older bots hold the same texts,
# and logs show them). /board says them in the reader's language (misc.pause.<code>).
PAUSE_REASONS = {
    "missing_access": "I cannot see that channel any more (missing access)",
    "missing_permissions": "I lost the permission to send or edit messages there",
    "forbidden": "Discord refused my messages in that channel (forbidden)",
    "deleted": "the channel was deleted",
    "not_a_board_channel": "that kind of channel cannot hold a status board",
}


def pause_reason_text(stored: str, language: str) -> str:
    """A stored pause reason in ``language``; one this bot does not know, as stored."""
    return stored_text(stored, PAUSE_REASONS, language, "misc.pause")


def marker(board_id: int, position: int) -> str:
    """The text that tells a board's message apart: board id and 1-based position."""
    return f"Status board #{board_id} · {position + 1}"


# What one message of a board shows, as the Discord side renders it (embeds there).
PageT = TypeVar("PageT")
_PageIn = TypeVar("_PageIn", contravariant=True)  # BoardChannel only takes pages


class Edit(enum.Enum):
    """What became of an edit."""

    EDITED = "edited"
    MISSING = "missing"  # the message was deleted: post a fresh one
    TOO_OLD = "too old"  # an old message's edit limit: post a fresh one, delete the old one


class BoardChannel(Protocol[_PageIn]):
    """One channel holding a board. Every method raises :class:`BoardPaused` when access or
    permissions are lost, anything else on a transient failure (the next pass retries)."""

    async def find_marked(self, known: set[int]) -> dict[int, int]:
        """Position -> id of the board's messages (by their marker) among the channel's recent
        ones, leaving out ``known`` ids; empty when the history cannot be read."""
        ...

    async def post(self, page: _PageIn) -> int:
        """The new message's id."""
        ...

    async def edit(self, message_id: int, page: _PageIn) -> Edit: ...

    async def delete(self, message_id: int) -> None:
        """Never fails: a message already gone is fine."""
        ...


class BoardPublisher(Protocol[PageT]):
    """The Discord side of the boards: rendering, and the channels the messages go to."""

    def render(self, board: Board, views: Sequence[ServerView]) -> list[PageT]:
        """One page per message in the board's style, each marked with :func:`marker`."""
        ...

    def digest(self, page: PageT) -> str:
        """Equal for equal renders: an unchanged message is not edited."""
        ...

    async def channel(self, board: Board) -> BoardChannel[PageT]:
        """The board's channel (raises :class:`BoardPaused` when it is gone or unreachable)."""
        ...


@dataclass(slots=True)
class Budget:
    """Requests a guild may still make in this pass (None: no limit, e.g. /board set)."""

    left: int | None = None

    def spend(self) -> None:
        if self.left is not None:
            self.left -= 1

    @property
    def exhausted(self) -> bool:
        return self.left is not None and self.left <= 0


class _Pacer:
    """At least ``gap`` seconds between two requests of one guild."""

    def __init__(self, gap: float) -> None:
        self.gap = gap
        self._next: dict[int, float] = defaultdict(float)
        self._locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def wait(self, guild_id: int) -> None:
        async with self._locks[guild_id]:
            delay = self._next[guild_id] - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self._next[guild_id] = time.monotonic() + self.gap


class BoardUpdater(Generic[PageT]):
    def __init__(
        self,
        publisher: BoardPublisher[PageT],
        store: Store,
        poller: Poller,
        *,
        guild_gap: float = DEFAULT_GUILD_GAP,
        guild_budget: int = DEFAULT_GUILD_BUDGET,
        paused_retry: float = DEFAULT_PAUSED_RETRY,
    ) -> None:
        self.publisher = publisher
        self.store = store
        self.poller = poller
        self.pacer = _Pacer(guild_gap)
        # Boards show each server's 7-day uptime, read hourly (not every pass).
        self.uptimes = UptimeCache(store.history, poller.clock)
        self.guild_budget = guild_budget
        self.paused_retry = paused_retry
        # board id -> when a paused board is tried again (monotonic); absent: at the next pass
        self._retry_paused_at: dict[int, float] = {}
        # guild id -> the board id its last pass stopped after (round-robin within a guild)
        self._resume_after: dict[int, int] = {}
        self._backlog = False  # a guild ran out of budget in the last pass
        # (board id, position) -> a posted message whose id could not be stored yet
        self._unsaved: dict[tuple[int, int], int] = {}
        self._dirty = asyncio.Event()
        self._board_locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.passes = 0  # completed update passes
        # Wake-ups asked for and the last one a finished pass started after (wait_idle).
        self._requested = 0
        self._served = 0
        self._pass_done = asyncio.Condition()
        self.edits = 0
        self.posts = 0

    # -- wiring -------------------------------------------------------------------------------

    async def on_round(self, report: RoundReport) -> None:
        """Poll listener: wake the worker (never blocks the poller)."""
        self._wake()

    def _wake(self) -> None:
        self._requested += 1
        self._dirty.set()

    async def run(self) -> None:
        """Worker: one update pass per wake-up; a failing pass is logged and the loop goes on."""
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            serving = self._requested
            try:
                self._backlog = await self.update_all()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("a status board pass failed")
                self._backlog = False
            if self._backlog:
                self._wake()  # the rest of a busy guild's boards, in the next pass
            async with self._pass_done:
                self.passes += 1
                self._served = serving
                self._pass_done.notify_all()

    async def wait_idle(self) -> None:
        """Until a pass that started after every wake-up so far has finished, and no guild has
        boards left over for a following pass."""
        wanted = self._requested
        async with self._pass_done:
            await self._pass_done.wait_for(lambda: self._served >= wanted and not self._backlog)

    async def forget_message(self, message_id: int) -> None:
        """A board message was deleted in Discord: post it again at the next pass."""
        if await self.store.boards.forget_message(message_id):
            self._wake()

    # -- rendering ----------------------------------------------------------------------------

    async def views(
        self, board: Board, display: Mapping[int, Display] | None = None
    ) -> list[ServerView]:
        """``display``: the servers' display options, when the caller has read them."""
        servers = self.poller.servers_of(board.guild_id)
        if board.server_ids:
            by_id = {s.id: s for s in servers}
            chosen: list[Server] = [by_id[i] for i in board.server_ids if i in by_id]
        else:
            chosen = servers
        if display is None:
            display = await self.store.display.all()
        uptimes = await self.uptimes.counts([target_of(s).key for s in chosen])
        return [
            ServerView.of(
                s, self.poller.snapshot(s), display.get(s.id), uptimes.get(target_of(s).key)
            )
            for s in chosen
        ]

    async def render(
        self, board: Board, display: Mapping[int, Display] | None = None
    ) -> list[PageT]:
        return self.publisher.render(board, await self.views(board, display))

    # -- updating -----------------------------------------------------------------------------

    async def update_all(self) -> bool:
        """One pass; True when a guild ran out of its budget (boards left for the next)."""
        # Boards of other shards' guilds belong to another process (their channels are not
        # even in this one's cache).
        now = time.monotonic()
        boards = [
            b
            for b in await self.store.boards.all()
            if self.poller.shards.owns(b.guild_id) and self._due(b, now)
        ]
        if not boards:
            return False
        by_guild: dict[int, list[Board]] = defaultdict(list)
        for board in boards:
            by_guild[board.guild_id].append(board)
        # Read once per pass, not once per board.
        display = await self.store.display.all()
        # Guilds in parallel, each guild's boards in sequence (paced per guild).
        left = await asyncio.gather(
            *(self._update_guild(g, b, display) for g, b in by_guild.items())
        )
        return any(left)

    def _due(self, board: Board, now: float) -> bool:
        """A running board always; a paused one once per ``paused_retry`` (lost permissions are
        often given back, and the board then resumes by itself)."""
        if board.paused is None:
            self._retry_paused_at.pop(board.id, None)
            return True
        if now < self._retry_paused_at.get(board.id, 0.0):
            return False
        self._retry_paused_at[board.id] = now + self.paused_retry
        return True

    async def _update_guild(
        self, guild_id: int, boards: list[Board], display: Mapping[int, Display]
    ) -> bool:
        """Up to the guild's budget, from after the board its last pass stopped at; True when
        boards are left for the next pass."""
        boards.sort(key=lambda b: b.id)
        after = self._resume_after.get(guild_id, 0)
        start = next((i for i, b in enumerate(boards) if b.id > after), 0)
        budget = Budget(self.guild_budget)
        for done, board in enumerate(boards[start:] + boards[:start]):
            if budget.exhausted:
                return done < len(boards)
            self._resume_after[guild_id] = board.id
            try:
                await self.update_board(board, display, budget)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("status board %d could not be updated", board.id)
        return False

    async def update_board(
        self,
        board: Board,
        display: Mapping[int, Display] | None = None,
        budget: Budget | None = None,
    ) -> None:
        """Bring one board up to date; pauses it on lost permissions."""
        async with self._board_locks[board.id]:
            try:
                await self._update(board, display, budget if budget is not None else Budget())
            except BoardPaused as paused:
                self._retry_paused_at[board.id] = time.monotonic() + self.paused_retry
                if paused.reason != board.paused:  # logged once, not at every retry
                    log.warning("status board %d paused: %s", board.id, paused.reason)
                    await self.store.boards.set_paused(board.id, paused.reason)
                return
            if board.paused is not None:
                log.info("status board %d resumed", board.id)
                await self.store.boards.set_paused(board.id, None)

    async def _update(
        self, board: Board, display: Mapping[int, Display] | None, budget: Budget
    ) -> None:
        channel = await self.publisher.channel(board)
        groups = await self.render(board, display)
        stored = {m.position: m for m in await self.store.boards.messages(board.id)}
        replaced: list[int] = []
        found: dict[int, int] | None = None
        for position, page in enumerate(groups):
            new_digest = self.publisher.digest(page)
            current = stored.get(position)
            if current is not None and current.digest == new_digest:
                continue
            if current is None:
                lost = self._unsaved.get((board.id, position))
                if lost is None:
                    if found is None:  # read the channel once per board update
                        found = await self._find_posted(board, channel, budget)
                    lost = found.get(position)
                if lost is not None:
                    message_id, delete_old = await self._edit(board, channel, lost, page, budget)
                    if delete_old:
                        replaced.append(lost)
                else:
                    message_id = await self._post(board, channel, page, budget)
            else:
                message_id, delete_old = await self._edit(
                    board, channel, current.message_id, page, budget
                )
                if delete_old:
                    replaced.append(current.message_id)
            # Remembered until stored: if the write fails, the next pass edits this message
            # instead of posting another one.
            self._unsaved[(board.id, position)] = message_id
            await self.store.boards.set_message(board.id, position, message_id, new_digest)
            del self._unsaved[(board.id, position)]
        extra = [m.message_id for p, m in stored.items() if p >= len(groups)]
        if extra:
            await self.store.boards.drop_messages_from(board.id, len(groups))
        # Deleted only once the records point elsewhere: our own MESSAGE_DELETE events then
        # match no board message and trigger no repost.
        for message_id in replaced + extra:
            await self._delete(board, channel, message_id, budget)

    async def _request(self, board: Board, budget: Budget) -> None:
        """Before every Discord request of a board: the guild's pace and budget."""
        await self.pacer.wait(board.guild_id)
        budget.spend()

    async def _find_posted(
        self, board: Board, channel: BoardChannel[PageT], budget: Budget
    ) -> dict[int, int]:
        """Position -> id of this board's messages among the channel's recent ones (by their
        marker), for messages posted before whose ids were never stored."""
        known = {m.message_id for m in await self.store.boards.messages(board.id)}
        await self._request(board, budget)
        return await channel.find_marked(known)

    async def _post(
        self, board: Board, channel: BoardChannel[PageT], page: PageT, budget: Budget
    ) -> int:
        await self._request(board, budget)
        message_id = await channel.post(page)
        self.posts += 1
        return message_id

    async def _edit(
        self,
        board: Board,
        channel: BoardChannel[PageT],
        message_id: int,
        page: PageT,
        budget: Budget,
    ) -> tuple[int, bool]:
        """Edit in place; returns the message id now showing it and whether the old message
        is to be deleted."""
        await self._request(board, budget)
        edit = await channel.edit(message_id, page)
        if edit is Edit.MISSING:
            log.info("board %d: message %d was deleted, posting a new one", board.id, message_id)
            return await self._post(board, channel, page, budget), False
        if edit is Edit.TOO_OLD:
            log.info(
                "board %d: message %d hit the old-message edit limit, replacing it",
                board.id,
                message_id,
            )
            # The caller deletes the old one once the new one is recorded.
            return await self._post(board, channel, page, budget), True
        self.edits += 1
        return message_id, False

    async def _delete(
        self, board: Board, channel: BoardChannel[PageT], message_id: int, budget: Budget
    ) -> None:
        await self._request(board, budget)
        await channel.delete(message_id)
