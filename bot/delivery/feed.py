"""Feed batches in Discord, for :class:`bot.services.feed.FeedService`.

One embed per batch (its lines as the description, a footer when joins and leaves are
approximate), the watch roles mentioned in the content and nobody else. A channel missing
from the cache is fetched, an archived thread reopened; a 403 keeps the lines waiting, and
only a deleted channel or a message Discord can never accept drops them.
"""

from __future__ import annotations

import logging

import discord

from bot.delivery.channels import find_channel
from bot.i18n import t
from bot.services.feed.posting import PROBLEMS, Refused
from bot.services.feed.queue import Batch
from bot.services.feed.sender import Outcome

log = logging.getLogger(__name__)

COLOUR = discord.Colour.dark_teal()
_FORBIDDEN = PROBLEMS["forbidden"]
_NO_ACCESS = PROBLEMS["no_access"]
_LOCKED = PROBLEMS["locked"]
_ARCHIVED = PROBLEMS["archived"]
_RETRY = Refused(Outcome.RETRY)
_GONE = Refused(Outcome.GONE)


class DiscordFeedChannels:
    """Opens feed channels (from the cache, else from Discord)."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def open(self, channel_id: int) -> DiscordFeedChannel | Refused:
        try:
            channel = await find_channel(self.client, channel_id)
        except discord.NotFound:
            log.warning("feed: channel %d was deleted; its lines are dropped", channel_id)
            return _GONE
        except discord.Forbidden:
            log.warning("feed: channel %d cannot be seen; retrying later", channel_id)
            return Refused(Outcome.RETRY, _NO_ACCESS)
        except (discord.HTTPException, OSError, TimeoutError) as exc:
            log.warning(
                "feed: channel %d could not be fetched (%s); retrying",
                channel_id,
                type(exc).__name__,
            )
            return _RETRY
        if isinstance(channel, discord.Thread) and channel.archived:
            reopened = await _reopen(channel)
            if isinstance(reopened, Refused):
                return reopened
            channel = reopened
        if not isinstance(channel, discord.abc.Messageable):
            log.warning("feed: channel %d cannot hold messages; its lines are dropped", channel_id)
            return _GONE
        return DiscordFeedChannel(channel_id, channel)


async def _reopen(thread: discord.Thread) -> discord.Thread | Refused:
    """Unarchive a feed's thread (Send Messages in Threads suffices unless it is locked; a
    locked one needs Manage Threads), or say why not and try again later."""
    try:
        reopened = await thread.edit(archived=False)
    except discord.Forbidden:
        log.warning(
            "feed: thread %d is archived and may not be reopened; retrying later", thread.id
        )
        return Refused(Outcome.RETRY, _LOCKED if thread.locked else _ARCHIVED)
    except (discord.HTTPException, OSError, TimeoutError) as exc:
        log.warning("feed: thread %d not reopened (%s); retrying", thread.id, type(exc).__name__)
        return _RETRY
    log.info("feed: thread %d was archived, reopened", thread.id)
    return reopened


class DiscordFeedChannel:
    def __init__(self, channel_id: int, channel: discord.abc.Messageable) -> None:
        self.channel_id = channel_id
        self.channel = channel

    async def send(self, batch: Batch, nonce: str) -> Refused | None:
        embed = discord.Embed(description="\n".join(batch.lines), colour=COLOUR)
        if batch.approximate:
            # In the guild's language, like the lines above it.
            embed.set_footer(text=t(batch.language, "misc.feed_approximate"))
        roles = batch.roles
        content = " ".join(f"<@&{r}>" for r in roles) or None
        allowed = discord.AllowedMentions(
            everyone=False,
            users=False,
            replied_user=False,
            roles=[discord.Object(r) for r in roles],
        )
        try:
            # discord.py sends ``enforce_nonce`` with every nonce.
            await self.channel.send(
                content=content, embed=embed, allowed_mentions=allowed, nonce=nonce
            )
        except discord.HTTPException as exc:
            if exc.status >= 500 or exc.status == 429:
                log.warning("feed: channel %d: HTTP %s, retrying", self.channel_id, exc.status)
                return _RETRY
            if exc.status == 403:
                # Permissions can be given back: the lines wait (bounded by the queue).
                log.warning(
                    "feed: channel %d refused the message (code %s); retrying later",
                    self.channel_id,
                    exc.code,
                )
                return Refused(Outcome.RETRY, _FORBIDDEN)
            # Deleted channel, or a message Discord can never accept: retrying cannot help.
            log.warning(
                "feed: channel %d refused the message (HTTP %s, code %s)",
                self.channel_id,
                exc.status,
                exc.code,
            )
            return _GONE
        except (OSError, TimeoutError):
            return _RETRY
        return None
