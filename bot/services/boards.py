"""Status boards: messages in a channel that the bot keeps current after each poll.

A board shows up to 10 server embeds per message (more servers: more messages). After a round
the updater re-renders every board and edits only the messages whose render changed (the hash
of the last render is kept in SQLite with the message id, so a restart edits the same messages
and skips unchanged ones). Requests are paced per guild, one guild's boards after another in
sequence, so a guild with many boards stays well inside Discord's limits; discord.py waits out
any 429 on its own. Discord errors:

- 10008 unknown message (deleted by someone): post a fresh message;
- 30046 too many edits of a message older than an hour: post a fresh one, delete the old one;
- 50001/50013 missing access or permissions: pause the board, ``/board list`` says why.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import discord

from bot.rendering.embeds import MAX_EMBEDS_PER_MESSAGE, ServerView, compact_embed
from bot.services.poller import Poller, RoundReport
from bot.storage import Server, Store
from bot.storage.boards import Board

log = logging.getLogger(__name__)

DEFAULT_GUILD_GAP = 1.0  # seconds between two board requests of one guild
UNKNOWN_MESSAGE = 10008
OLD_MESSAGE_EDIT_LIMIT = 30046
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
_PAUSE_REASONS = {
    MISSING_ACCESS: "I cannot see that channel any more (missing access)",
    MISSING_PERMISSIONS: "I lost the permission to send or edit messages there",
}


def digest(embeds: Sequence[discord.Embed]) -> str:
    data = json.dumps([e.to_dict() for e in embeds], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def chunk(items: Sequence[Any], size: int = MAX_EMBEDS_PER_MESSAGE) -> list[list[Any]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


class BoardPaused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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


class BoardUpdater:
    def __init__(
        self, client: discord.Client, store: Store, poller: Poller,
        *, guild_gap: float = DEFAULT_GUILD_GAP,
    ) -> None:
        self.client = client
        self.store = store
        self.poller = poller
        self.pacer = _Pacer(guild_gap)
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
                await self.update_all()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("a status board pass failed")
            async with self._pass_done:
                self.passes += 1
                self._served = serving
                self._pass_done.notify_all()

    async def wait_idle(self) -> None:
        """Until a pass that started after every wake-up so far has finished."""
        wanted = self._requested
        async with self._pass_done:
            await self._pass_done.wait_for(lambda: self._served >= wanted)

    async def forget_message(self, message_id: int) -> None:
        """A board message was deleted in Discord: post it again at the next pass."""
        if await self.store.boards.forget_message(message_id):
            self._wake()

    # -- rendering ----------------------------------------------------------------------------

    async def views(self, board: Board, hidden: set[int] | None = None) -> list[ServerView]:
        """``hidden``: the servers without a connect line, when the caller has read them."""
        servers = self.poller.servers_of(board.guild_id)
        if board.server_ids:
            by_id = {s.id: s for s in servers}
            chosen: list[Server] = [by_id[i] for i in board.server_ids if i in by_id]
        else:
            chosen = servers
        if hidden is None:
            hidden = await self.store.display.hidden_connect()
        return [ServerView(s, self.poller.snapshot(s), s.id in hidden) for s in chosen]

    async def render(
        self, board: Board, hidden: set[int] | None = None
    ) -> list[list[discord.Embed]]:
        views = await self.views(board, hidden)
        if not views:
            empty = discord.Embed(
                title="Status board",
                description="No servers to show: add some with `/server add`.",
                colour=discord.Colour.light_grey(),
            )
            return [[empty]]
        return [[compact_embed(v) for v in group] for group in chunk(views)]

    # -- updating -----------------------------------------------------------------------------

    async def update_all(self) -> None:
        # Boards of other shards' guilds belong to another process (their channels are not
        # even in this one's cache).
        boards = [
            b for b in await self.store.boards.all()
            if b.paused is None and self.poller.shards.owns(b.guild_id)
        ]
        if not boards:
            return
        by_guild: dict[int, list[Board]] = defaultdict(list)
        for board in boards:
            by_guild[board.guild_id].append(board)
        # Read once per pass, not once per board.
        hidden = await self.store.display.hidden_connect()
        # Guilds in parallel, each guild's boards in sequence (paced per guild).
        await asyncio.gather(*(self._update_guild(g, hidden) for g in by_guild.values()))

    async def _update_guild(self, boards: list[Board], hidden: set[int]) -> None:
        for board in boards:
            try:
                await self.update_board(board, hidden)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("status board %d could not be updated", board.id)

    async def update_board(self, board: Board, hidden: set[int] | None = None) -> None:
        """Bring one board up to date; pauses it on lost permissions."""
        async with self._board_locks[board.id]:
            try:
                await self._update(board, hidden)
            except BoardPaused as paused:
                log.warning("status board %d paused: %s", board.id, paused.reason)
                await self.store.boards.set_paused(board.id, paused.reason)

    async def _channel(self, board: Board) -> discord.abc.Messageable:
        channel = self.client.get_channel(board.channel_id)
        if isinstance(channel, discord.abc.Messageable):
            return channel
        # Not in the cache (a guild not delivered yet, a thread): ask Discord. Only a deleted
        # channel pauses the board; anything transient fails this pass, the next one retries.
        try:
            fetched = await self.client.fetch_channel(board.channel_id)
        except discord.NotFound:
            raise BoardPaused("the channel was deleted") from None
        except discord.HTTPException as exc:
            raise self._pause_or_raise(exc) from exc
        if not isinstance(fetched, discord.abc.Messageable):
            raise BoardPaused("that kind of channel cannot hold a status board")
        return fetched

    async def _update(self, board: Board, hidden: set[int] | None) -> None:
        channel = await self._channel(board)
        groups = await self.render(board, hidden)
        stored = {m.position: m for m in await self.store.boards.messages(board.id)}
        replaced: list[int] = []
        for position, embeds in enumerate(groups):
            new_digest = digest(embeds)
            current = stored.get(position)
            if current is not None and current.digest == new_digest:
                continue
            if current is None:
                message_id = await self._post(board, channel, embeds)
            else:
                message_id, delete_old = await self._edit(
                    board, channel, current.message_id, embeds
                )
                if delete_old:
                    replaced.append(current.message_id)
            await self.store.boards.set_message(board.id, position, message_id, new_digest)
        extra = [m.message_id for p, m in stored.items() if p >= len(groups)]
        if extra:
            await self.store.boards.drop_messages_from(board.id, len(groups))
        # Deleted only once the records point elsewhere: our own MESSAGE_DELETE events then
        # match no board message and trigger no repost.
        for message_id in replaced + extra:
            await self._delete(board, channel, message_id)

    async def _post(
        self, board: Board, channel: discord.abc.Messageable, embeds: list[discord.Embed]
    ) -> int:
        await self.pacer.wait(board.guild_id)
        try:
            message = await channel.send(embeds=embeds)
        except discord.HTTPException as exc:
            raise self._pause_or_raise(exc) from exc
        self.posts += 1
        return message.id

    async def _edit(
        self, board: Board, channel: discord.abc.Messageable, message_id: int,
        embeds: list[discord.Embed],
    ) -> tuple[int, bool]:
        """Edit in place; returns the message id now showing it and whether the old message
        is to be deleted."""
        partial = _partial(channel, message_id)
        await self.pacer.wait(board.guild_id)
        try:
            await partial.edit(embeds=embeds)
        except discord.HTTPException as exc:
            if exc.code == UNKNOWN_MESSAGE:
                log.info("board %d: message %d was deleted, posting a new one",
                         board.id, message_id)
                return await self._post(board, channel, embeds), False
            if exc.code == OLD_MESSAGE_EDIT_LIMIT:
                log.info("board %d: message %d hit the old-message edit limit, replacing it",
                         board.id, message_id)
                # The caller deletes the old one once the new one is recorded.
                return await self._post(board, channel, embeds), True
            raise self._pause_or_raise(exc) from exc
        self.edits += 1
        return message_id, False

    async def _delete(
        self, board: Board, channel: discord.abc.Messageable, message_id: int
    ) -> None:
        await self.pacer.wait(board.guild_id)
        try:
            await _partial(channel, message_id).delete()
        except discord.HTTPException as exc:
            # Already gone or not ours to delete any more: the board goes on without it.
            log.info("board %d: could not delete old message %d (%s)", board.id, message_id,
                     exc.code)

    @staticmethod
    def _pause_or_raise(exc: discord.HTTPException) -> Exception:
        reason = _PAUSE_REASONS.get(exc.code)
        if reason is None and isinstance(exc, discord.Forbidden):
            reason = "Discord refused my messages in that channel (forbidden)"
        return BoardPaused(reason) if reason is not None else exc


def _partial(channel: discord.abc.Messageable, message_id: int) -> discord.PartialMessage:
    if isinstance(channel, discord.TextChannel | discord.Thread | discord.VoiceChannel
                  | discord.StageChannel | discord.DMChannel):
        return channel.get_partial_message(message_id)
    raise BoardPaused("that kind of channel cannot hold a status board")
