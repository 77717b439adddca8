"""Status board messages in Discord, for :class:`bot.services.boards.BoardUpdater`.

A page is one message's embeds (up to 10 compact server embeds); the board's marker sits in
the last embed's footer. Discord's error codes become the port's outcomes:

- 10008 unknown message (deleted by someone): :attr:`Edit.MISSING`;
- 30046 too many edits of a message older than an hour: :attr:`Edit.TOO_OLD`;
- 50001/50013 missing access or permissions, any 403, a deleted channel or one that cannot
  hold messages: :class:`BoardPaused` with the reason ``/board list`` shows.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Sequence
from typing import Any

import discord

from bot.delivery.channels import find_channel
from bot.rendering.embeds import MAX_EMBEDS_PER_MESSAGE, compact_embed
from bot.rendering.views import ServerView
from bot.services.boards import BoardPaused, Edit, marker
from bot.storage.boards import Board

log = logging.getLogger(__name__)

BoardPage = list[discord.Embed]

RECENT_MESSAGES = 50  # how far back a lost board message is looked for
_MARKER = re.compile(r"^Status board #(\d+) · (\d+)$")
UNKNOWN_MESSAGE = 10008
OLD_MESSAGE_EDIT_LIMIT = 30046
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
_PAUSE_REASONS = {
    MISSING_ACCESS: "I cannot see that channel any more (missing access)",
    MISSING_PERMISSIONS: "I lost the permission to send or edit messages there",
}
_NOT_A_BOARD_CHANNEL = "that kind of channel cannot hold a status board"
_PartialChannel = (
    discord.TextChannel
    | discord.Thread
    | discord.VoiceChannel
    | discord.StageChannel
    | discord.DMChannel
)


def digest(embeds: Sequence[discord.Embed]) -> str:
    data = json.dumps([e.to_dict() for e in embeds], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def chunk(items: Sequence[Any], size: int = MAX_EMBEDS_PER_MESSAGE) -> list[list[Any]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def marked(board_id: int, groups: list[BoardPage]) -> list[BoardPage]:
    """The groups with each message's marker in its last embed's footer."""
    for position, embeds in enumerate(groups):
        embeds[-1].set_footer(text=marker(board_id, position))
    return groups


def _pause_or_raise(exc: discord.HTTPException) -> Exception:
    reason = _PAUSE_REASONS.get(exc.code)
    if reason is None and isinstance(exc, discord.Forbidden):
        reason = "Discord refused my messages in that channel (forbidden)"
    return BoardPaused(reason) if reason is not None else exc


class DiscordBoards:
    """Renders boards as compact embeds and opens their channels."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    def render(self, board_id: int, views: Sequence[ServerView]) -> list[BoardPage]:
        if not views:
            empty = discord.Embed(
                title="Status board",
                description="No servers to show: add some with `/server add`.",
                colour=discord.Colour.light_grey(),
            )
            return marked(board_id, [[empty]])
        return marked(board_id, [[compact_embed(v) for v in group] for group in chunk(views)])

    def digest(self, page: BoardPage) -> str:
        return digest(page)

    async def channel(self, board: Board) -> DiscordBoardChannel:
        # Not in the cache (a guild not delivered yet, a thread): asked from Discord. Only a
        # deleted channel pauses the board; anything transient fails this pass, the next one
        # retries.
        try:
            channel = await find_channel(self.client, board.channel_id)
        except discord.NotFound:
            raise BoardPaused("the channel was deleted") from None
        except discord.HTTPException as exc:
            raise _pause_or_raise(exc) from exc
        if not isinstance(channel, _PartialChannel):
            raise BoardPaused(_NOT_A_BOARD_CHANNEL)
        return DiscordBoardChannel(self.client, board.id, channel)


class DiscordBoardChannel:
    """One board's channel: its messages posted, edited, deleted and looked for."""

    def __init__(self, client: discord.Client, board_id: int, channel: _PartialChannel) -> None:
        self.client = client
        self.board_id = board_id
        self.channel = channel

    async def find_marked(self, known: set[int]) -> dict[int, int]:
        board_id = self.board_id
        me = self.client.user
        found: dict[int, int] = {}
        try:
            async for message in self.channel.history(limit=RECENT_MESSAGES):
                if me is None or message.author.id != me.id or message.id in known:
                    continue
                for embed in message.embeds:
                    match = _MARKER.match(embed.footer.text or "")
                    if match is not None and int(match[1]) == board_id:
                        # Newest first: keep the newest message of each position.
                        found.setdefault(int(match[2]) - 1, message.id)
        except discord.HTTPException as exc:
            # No history access: post as before (a duplicate is better than no board).
            log.info("board %d: could not read recent messages (%s)", board_id, exc.code)
        return found

    async def post(self, page: BoardPage) -> int:
        try:
            message = await self.channel.send(embeds=page)
        except discord.HTTPException as exc:
            raise _pause_or_raise(exc) from exc
        return message.id

    async def edit(self, message_id: int, page: BoardPage) -> Edit:
        try:
            await self.channel.get_partial_message(message_id).edit(embeds=page)
        except discord.HTTPException as exc:
            if exc.code == UNKNOWN_MESSAGE:
                return Edit.MISSING
            if exc.code == OLD_MESSAGE_EDIT_LIMIT:
                return Edit.TOO_OLD
            raise _pause_or_raise(exc) from exc
        return Edit.EDITED

    async def delete(self, message_id: int) -> None:
        try:
            await self.channel.get_partial_message(message_id).delete()
        except discord.HTTPException as exc:
            # Already gone or not ours to delete any more: the board goes on without it.
            log.info(
                "board %d: could not delete old message %d (%s)",
                self.board_id,
                message_id,
                exc.code,
            )
