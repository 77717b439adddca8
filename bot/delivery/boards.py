"""Status board messages in Discord, for :class:`bot.services.status.boards.BoardUpdater`.

A page is one message's embeds (up to 10 compact server embeds); the board's marker sits in
the last embed's footer. Discord's error codes become the port's outcomes:

- 10008 unknown message (deleted by someone): :attr:`Edit.MISSING`;
- 30046 too many edits of a message older than an hour: :attr:`Edit.TOO_OLD`;
- 50001/50013 missing access or permissions, any 403, a deleted channel or one that cannot
  hold messages: :class:`BoardPaused` with the reason ``/board list`` shows.

Server icons (Minecraft favicons, FiveM icons) are embed thumbnails naming the message's own
attachments (``attachment://icon-<hash>.png``): never a URL a game server gave. Discord shows an
attachment no embed names as a loose file, so a message's attachments are kept equal to the
icons its embeds name: an edit whose icons are the ones the message already holds leaves them
(no re-upload); any other edit replaces them all. Without Attach Files in the channel the board
goes on without thumbnails rather than pausing.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import discord
from discord.utils import MISSING

from bot.delivery.channels import find_channel, preferred_locales
from bot.i18n import resolve, t
from bot.rendering.embeds import (
    DETAILED_PER_MESSAGE,
    MAX_EMBEDS_PER_MESSAGE,
    compact_embed,
    detailed_embed,
    icon_filename,
)
from bot.rendering.links import join_links, link_view
from bot.rendering.views import ServerView
from bot.services.languages import GuildLanguages
from bot.services.status.boards import PAUSE_REASONS, BoardPaused, Edit, marker
from bot.storage.boards import Board

log = logging.getLogger(__name__)

RECENT_MESSAGES = 50  # how far back a lost board message is looked for
# Board messages whose attachments are remembered (a few filenames each); past this the memory
# starts over and each message's next edit uploads its icons once more.
MAX_REMEMBERED_MESSAGES = 50_000
_MARKER = re.compile(r"^Status board #(\d+) · (\d+)$")
UNKNOWN_MESSAGE = 10008
OLD_MESSAGE_EDIT_LIMIT = 30046
MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
_PAUSE_REASONS = {
    MISSING_ACCESS: PAUSE_REASONS["missing_access"],
    MISSING_PERMISSIONS: PAUSE_REASONS["missing_permissions"],
}
_NOT_A_BOARD_CHANNEL = PAUSE_REASONS["not_a_board_channel"]
_PartialChannel = (
    discord.TextChannel
    | discord.Thread
    | discord.VoiceChannel
    | discord.StageChannel
    | discord.DMChannel
)


@dataclass(slots=True)
class BoardPage:
    """One board message: its embeds, the icons their thumbnails name (filename -> PNG) and
    its "Join" link buttons (label, url)."""

    embeds: list[discord.Embed]
    icons: dict[str, bytes] = field(default_factory=dict, repr=False)
    links: list[tuple[str, str]] = field(default_factory=list)

    def without_icons(self) -> list[discord.Embed]:
        """Copies of the embeds without thumbnails (a channel where files are not allowed)."""
        plain = [embed.copy() for embed in self.embeds]
        for embed in plain:
            embed.set_thumbnail(url=None)
        return plain


def files_of(icons: Mapping[str, bytes]) -> list[discord.File]:
    # New File objects for each request: a File is read once by the request that sends it.
    return [discord.File(io.BytesIO(png), filename=name) for name, png in icons.items()]


def digest(embeds: Sequence[discord.Embed], links: Sequence[tuple[str, str]] = ()) -> str:
    shown = {"embeds": [e.to_dict() for e in embeds], "links": [list(link) for link in links]}
    data = json.dumps(shown, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def chunk(items: Sequence[Any], size: int = MAX_EMBEDS_PER_MESSAGE) -> list[list[Any]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def marked(board_id: int, pages: list[BoardPage]) -> list[BoardPage]:
    """The pages with each message's marker in its last embed's footer."""
    for position, page in enumerate(pages):
        page.embeds[-1].set_footer(text=marker(board_id, position))
    return pages


_EMBED_OF = {"compact": compact_embed, "detailed": detailed_embed}
_PER_MESSAGE = {"compact": MAX_EMBEDS_PER_MESSAGE, "detailed": DETAILED_PER_MESSAGE}


def page_of(views: Sequence[ServerView], style: str = "compact", language: str = "en") -> BoardPage:
    """Embeds of ``views`` in the board's style, each with its server's icon as thumbnail
    where it has one, and the servers' join links as buttons."""
    embed_of = _EMBED_OF[style]
    embeds: list[discord.Embed] = []
    icons: dict[str, bytes] = {}
    for view in views:
        png, name = view.icon, None
        if png is not None:
            name = icon_filename(png)
            icons[name] = png  # two servers with one picture share one file
        embeds.append(embed_of(view, thumbnail=name, language=language))
    return BoardPage(embeds, icons, join_links(views, language))


def _pause_or_raise(exc: discord.HTTPException) -> Exception:
    reason = _PAUSE_REASONS.get(exc.code)
    if reason is None and isinstance(exc, discord.Forbidden):
        reason = PAUSE_REASONS["forbidden"]
    return BoardPaused(reason) if reason is not None else exc


class DiscordBoards:
    """Renders boards as embeds in their style and opens their channels."""

    def __init__(self, client: discord.Client, languages: GuildLanguages | None = None) -> None:
        self.client = client
        self.languages = languages
        # message id -> the filenames of its attachments, as Discord last answered
        self.attached: dict[int, frozenset[str]] = {}

    def language(self, guild_id: int) -> str:
        """The guild's shared language (its preferred locale as far as the cache knows it)."""
        if self.languages is None:
            return resolve(preferred_locales(self.client)(guild_id))
        return self.languages.of(guild_id)

    def render(self, board: Board, views: Sequence[ServerView]) -> list[BoardPage]:
        language = self.language(board.guild_id)
        if not views:
            empty = discord.Embed(
                title=t(language, "board.empty_title"),
                description=t(language, "board.empty"),
                colour=discord.Colour.light_grey(),
            )
            return marked(board.id, [BoardPage([empty])])
        groups = chunk(views, _PER_MESSAGE[board.style])
        return marked(board.id, [page_of(group, board.style, language) for group in groups])

    def digest(self, page: BoardPage) -> str:
        # Icons are named by their content (icon_filename), so the embeds tell them apart.
        return digest(page.embeds, page.links)

    async def channel(self, board: Board) -> DiscordBoardChannel:
        # Not in the cache (a guild not delivered yet, a thread): asked from Discord. Only a
        # deleted channel pauses the board; anything transient fails this pass, the next one
        # retries.
        try:
            channel = await find_channel(self.client, board.channel_id)
        except discord.NotFound:
            raise BoardPaused(PAUSE_REASONS["deleted"]) from None
        except discord.HTTPException as exc:
            raise _pause_or_raise(exc) from exc
        if not isinstance(channel, _PartialChannel):
            raise BoardPaused(_NOT_A_BOARD_CHANNEL)
        return DiscordBoardChannel(self.client, board.id, channel, self.attached)


class DiscordBoardChannel:
    """One board's channel: its messages posted, edited, deleted and looked for."""

    def __init__(
        self,
        client: discord.Client,
        board_id: int,
        channel: _PartialChannel,
        attached: dict[int, frozenset[str]],
    ) -> None:
        self.client = client
        self.board_id = board_id
        self.channel = channel
        self.attached = attached  # shared by the publisher's channels: see DiscordBoards

    @property
    def can_attach(self) -> bool:
        """Whether the bot may attach files here, as far as the cache knows (unknown: yes)."""
        channel = self.channel
        if isinstance(channel, discord.DMChannel):
            return True
        me: discord.Member | None = channel.guild.me  # typed as always set; it is not
        return me is None or channel.permissions_for(me).attach_files

    def _shown(self, page: BoardPage) -> tuple[list[discord.Embed], dict[str, bytes]]:
        if page.icons and not self.can_attach:
            return page.without_icons(), {}
        return page.embeds, page.icons

    def _remember(self, message: discord.Message) -> None:
        if len(self.attached) >= MAX_REMEMBERED_MESSAGES:
            self.attached.clear()
        self.attached[message.id] = frozenset(a.filename for a in message.attachments)

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
        embeds, icons = self._shown(page)
        try:
            view = link_view(page.links)
            message = await self.channel.send(
                embeds=embeds, files=files_of(icons), view=view if view is not None else MISSING
            )
        except discord.HTTPException as exc:
            raise _pause_or_raise(exc) from exc
        self._remember(message)
        return message.id

    async def edit(self, message_id: int, page: BoardPage) -> Edit:
        embeds, icons = self._shown(page)
        view = link_view(page.links)  # None also removes buttons a message had
        partial = self.channel.get_partial_message(message_id)
        try:
            if self.attached.get(message_id) == frozenset(icons):
                # The thumbnails name the files the message holds: Discord keeps them.
                message = await partial.edit(embeds=embeds, view=view)
            else:
                # Replaces every attachment: none is left over to show as a loose file.
                message = await partial.edit(embeds=embeds, attachments=files_of(icons), view=view)
        except discord.HTTPException as exc:
            if exc.code == UNKNOWN_MESSAGE:
                self.attached.pop(message_id, None)
                return Edit.MISSING
            if exc.code == OLD_MESSAGE_EDIT_LIMIT:
                return Edit.TOO_OLD
            raise _pause_or_raise(exc) from exc
        self._remember(message)
        return Edit.EDITED

    async def delete(self, message_id: int) -> None:
        self.attached.pop(message_id, None)
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
