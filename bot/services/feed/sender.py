"""One delivery loop per channel: wait for a line, let the batching window fill, send.

A burst becomes a few messages (each as long as Discord allows) instead of one per event;
discord.py spaces the requests by the rate-limit headers, and the loop sends the next message
only after the previous one was answered, so a channel never has two requests in flight.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Awaitable, Callable

from bot.protocols.backoff import BackoffPolicy
from bot.services.feed.queue import MAX_BATCH_CHARS, Batch, ChannelQueue, Item

log = logging.getLogger(__name__)

MAX_RETRY_DELAY = 60.0
MIN_RETRY_DELAY = 0.05


class Outcome(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # can never be delivered (channel deleted, no access): drop the batch
    RETRY = "retry"  # transient (Discord 5xx, network): keep the lines and try again


Deliver = Callable[[int, Batch], Awaitable[Outcome]]


class ChannelSender:
    def __init__(
        self,
        channel_id: int,
        deliver: Deliver,
        *,
        window: float,
        limit: int,
        on_idle: Callable[[], None] | None = None,
        max_chars: int = MAX_BATCH_CHARS,
    ) -> None:
        self.channel_id = channel_id
        self.queue = ChannelQueue(limit)
        self.window = window
        self.max_chars = max_chars
        self._deliver = deliver
        self._on_idle = on_idle
        self._wakeup = asyncio.Event()
        self._sending = False
        self._closing = False
        self._not_sending = asyncio.Event()
        self._not_sending.set()
        self._task: asyncio.Task[None] | None = None
        # A batch whose delivery failed or resumes one recorded before a restart: it is sent
        # again as it is (same lines, same nonce) before anything newer.
        self._held: Batch | None = None
        self.messages = 0

    @property
    def idle(self) -> bool:
        return not self.queue.pending and not self._sending and self._held is None

    def resume(self, batch: Batch) -> None:
        """Send ``batch`` first (a send that was in flight when the bot stopped)."""
        self._held = batch
        self._wakeup.set()

    def push(self, item: Item) -> None:
        self.queue.push(item)
        self._wakeup.set()

    def start(self) -> None:
        self._closing = False
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=f"outpost:feed:{self.channel_id}")

    async def stop(self, grace: float = 0.0) -> None:
        """Stop the loop; a message being sent gets ``grace`` seconds to be answered first (so
        its cursor moves and a restart does not send it again)."""
        task, self._task = self._task, None
        self._closing = True
        if task is not None:
            if grace > 0 and self._sending:
                try:
                    async with asyncio.timeout(grace):
                        await self._not_sending.wait()
                except TimeoutError:
                    log.warning("feed channel %d: closing during a send", self.channel_id)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _run(self) -> None:
        failures = 0
        while True:
            if not self.queue.pending and self._held is None:
                self._wakeup.clear()
                if self._on_idle is not None:
                    self._on_idle()
                await self._wakeup.wait()
            # The oldest waiting line opens the window; what arrives meanwhile shares its
            # message. A backlog (oldest line already older than the window) goes at once.
            oldest = self.queue.oldest_queued_at
            if oldest is not None and self._held is None:
                delay = oldest + self.window - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            if self._closing:
                return
            batch, self._held = self._held, None
            if batch is None:
                batch = self.queue.take(self.max_chars)
            if batch is None:
                continue
            self._sending = True
            self._not_sending.clear()
            try:
                outcome = await self._safe_deliver(batch)
            finally:
                self._sending = False
                self._not_sending.set()
            if outcome is Outcome.RETRY:
                # Not put back into the queue: a batch that grew would get another nonce, and
                # a first attempt Discord did accept would then show twice.
                self._held = batch
                failures += 1
                await asyncio.sleep(self.retry_delay(failures))
            else:
                failures = 0
                self.messages += outcome is Outcome.SENT

    def retry_delay(self, failures: int) -> float:
        """The wait after the ``failures``-th failed send of a batch in a row (1: the first
        waits two windows)."""
        # Built per call: ``window`` is a plain attribute. A window above the cap makes
        # every wait the cap, as the plain ``min`` of the formula did.
        initial = min(max(MIN_RETRY_DELAY, self.window), MAX_RETRY_DELAY)
        policy = BackoffPolicy(initial=initial, maximum=MAX_RETRY_DELAY, jitter=0.0)
        return policy.step(failures + 1)

    async def _safe_deliver(self, batch: Batch) -> Outcome:
        try:
            return await self._deliver(self.channel_id, batch)
        except asyncio.CancelledError:
            # Closing mid-send: the cursor did not move, so a restart sends these lines again.
            raise
        except Exception:
            log.exception("feed delivery to channel %d failed", self.channel_id)
            return Outcome.RETRY
