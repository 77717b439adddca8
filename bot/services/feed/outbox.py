"""The batches going out: sent through the Discord side's port, recorded before they go (so a
restart resends the same batch with the same nonce), and settled once they went (or never can):
the subscriptions' cursors move past their lines, so nothing is posted twice."""

from __future__ import annotations

import asyncio
import json
import logging

from bot.protocols.backoff import BackoffPolicy
from bot.services.feed.posting import FeedChannels, Refused
from bot.services.feed.queue import Batch, SubKey, nonce_of
from bot.services.feed.sender import Outcome
from bot.storage import Store

log = logging.getLogger(__name__)

_SEND_KEY = "feed:send:{}"  # the batch being sent to a channel: nonce and cursors
# A cursor write that fails is retried after 0.2 s, doubling, at most every 30 s.
SETTLE_BACKOFF = BackoffPolicy(initial=0.2, maximum=30.0, jitter=0.0)


def _encode_send(nonce: str, batch: Batch) -> str:
    cursors = [[kind, sub, event] for (kind, sub), event in sorted(batch.cursors.items())]
    return json.dumps({"nonce": nonce, "cursors": cursors})


def _decode_send(text: str | None) -> tuple[str, dict[SubKey, int]] | None:
    if not text:
        return None
    try:
        data = json.loads(text)
        cursors = {(str(k), int(s)): int(e) for k, s, e in data["cursors"]}
        return str(data["nonce"]), cursors
    except (ValueError, KeyError, TypeError):
        return None


class Outbox:
    def __init__(self, channels: FeedChannels, store: Store) -> None:
        self.channels = channels
        self.store = store
        self._problems: dict[int, str] = {}
        self.messages_sent = 0
        self.lines_sent = 0

    def channel_problem(self, channel_id: int) -> str | None:
        """Why lines for the channel are waiting, if they are (for ``/feed list``)."""
        return self._problems.get(channel_id)

    async def in_flight(self, channel_id: int) -> tuple[str, dict[SubKey, int]] | None:
        """The nonce and cursors of the batch that was being sent when the bot stopped."""
        return _decode_send(await self.store.state.get(_SEND_KEY.format(channel_id)))

    async def deliver(self, channel_id: int, batch: Batch) -> Outcome:
        """One batch to its channel (the :class:`~bot.services.feed.sender.ChannelSender`'s
        delivery)."""
        channel = await self.channels.open(channel_id)
        if isinstance(channel, Refused):
            return await self._refused(channel_id, batch, channel)
        nonce = nonce_of(channel_id, batch)
        # Recorded before sending: a restart resends exactly this batch with this nonce, and
        # Discord answers with the message it may already have created.
        await self.store.state.set(_SEND_KEY.format(channel_id), _encode_send(nonce, batch))
        refused = await channel.send(batch, nonce)
        if refused is not None:
            return await self._refused(channel_id, batch, refused)
        self._problems.pop(channel_id, None)
        self.messages_sent += 1
        self.lines_sent += len(batch.items)
        await self._settle(channel_id, batch)
        return Outcome.SENT

    async def _refused(self, channel_id: int, batch: Batch, refused: Refused) -> Outcome:
        if refused.problem is not None:
            self._problems[channel_id] = refused.problem
        if refused.outcome is Outcome.GONE:
            # Retrying cannot help: the lines are dropped and their cursors move.
            await self._settle(channel_id, batch)
        return refused.outcome

    async def _settle(self, channel_id: int, batch: Batch) -> None:
        """Move the batch's cursors, retrying only that write until it is stored: the
        message went out (or never can), so it must never be sent again."""
        failures = 0
        while True:
            try:
                await self._advance(batch)
                break
            except Exception as exc:
                failures += 1
                delay = SETTLE_BACKOFF.step(failures)
                log.warning(
                    "feed: cursors of channel %d not saved (%s); retrying in %.1f s",
                    channel_id,
                    type(exc).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
        try:
            await self.store.state.delete(_SEND_KEY.format(channel_id))
        except Exception as exc:
            # Harmless: a record whose cursors were stored resumes nothing at the next start.
            log.info("feed: send record of channel %d kept (%s)", channel_id, type(exc).__name__)

    async def _advance(self, batch: Batch) -> None:
        feeds = {i: e for (kind, i), e in batch.cursors.items() if kind == "feed"}
        watches = {i: e for (kind, i), e in batch.cursors.items() if kind == "watch"}
        await self.store.feeds.advance(feeds)
        await self.store.watches.advance(watches)
