"""Up/down alerts: one message when a server goes down, one when it is back (with downtime).

No spam while a server flaps: the state compared is the poller's debounced one (hysteresis), and
each subscription stores the last state it reported, so a message goes out only on a real change
(also across restarts: a restart does not announce every server again).

Delivery runs from its own queue, never inside the poll round: a round only decides what is to
be said (one pending message per alert, replaced or withdrawn if the state moves on before it
went out), and a worker sends. A 429 or 5xx is retried with backoff a bounded number of times
and never counted as delivered: the stored state moves only once the message went out, so a
delivery given up on is decided again at the next round.

Posting is the Discord side's (:class:`AlertChannels`, implemented in :mod:`bot.delivery.alerts`):
it answers with a plain :class:`Posted` outcome or raises :class:`AlertRetry`.
"""

from __future__ import annotations

import asyncio
import enum
import heapq
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from bot.protocols.backoff import BackoffPolicy
from bot.rendering.text import (
    mask_address,
    offline_transition_text,
    online_transition_text,
    resolved_incident_text,
)
from bot.services.languages import GuildLanguages
from bot.services.status.notifier import RoundNotifier
from bot.services.status.poller import Poller, RoundReport
from bot.services.supervisor import sleep_until_woken
from bot.snapshots import Snapshot, State
from bot.storage import Store
from bot.storage.alerts import Alert

log = logging.getLogger(__name__)

UP = "up"
DOWN = "down"
DEFAULT_BACKOFF_INITIAL = 2.0  # seconds before the first retry; doubles per attempt
MAX_RETRY_DELAY = 120.0
MAX_ATTEMPTS = 5
DEFAULT_CONCURRENCY = 4  # alert messages in flight at once (other channels are not held up)


@dataclass(frozen=True, slots=True)
class Delivery:
    alert: Alert
    state: str
    text: str
    down_since: float | None
    attempts: int = 0
    # Back up after an incident message: that message, edited to ``edit_text``; ``text`` is
    # posted only when the edit cannot be made (the message was deleted).
    edit_message: int | None = None
    edit_text: str = ""


class AlertRetry(Exception):
    """Discord answered 429 or 5xx: the message may go out later (retried with backoff)."""


class Posted(enum.Enum):
    """What became of one alert message."""

    SENT = "sent"  # Discord accepted it
    # It can never go out (channel deleted, a refusal retrying cannot fix): the state moves on.
    DROPPED = "dropped"
    # It cannot go out now (channel unreachable, permissions lost, which are often given
    # back): the state is kept and the next round decides again.
    KEPT = "kept"


@dataclass(frozen=True, slots=True)
class Sent:
    """A message Discord accepted."""

    message_id: int


class AlertChannels(Protocol):
    """Posts an alert's text in its channel, mentioning only its role."""

    async def post(self, alert: Alert, text: str) -> Sent | Posted:
        """:class:`Sent`, or why not (DROPPED, KEPT); raises :class:`AlertRetry` on a 429 or
        5xx."""
        ...

    async def edit(self, alert: Alert, message_id: int, text: str) -> Posted:
        """SENT when edited; DROPPED when that message cannot be edited (deleted): the caller
        posts instead; KEPT when the channel is unreachable now. Raises :class:`AlertRetry`."""
        ...


def observed(snap: Snapshot) -> str | None:
    if snap.state is State.ONLINE:
        return UP
    if snap.state is State.OFFLINE:
        return DOWN
    return None


class AlertNotifier(RoundNotifier[AlertChannels]):
    def __init__(
        self,
        channels: AlertChannels,
        store: Store,
        poller: Poller,
        clock: Callable[[], float] | None = None,
        *,
        backoff_initial: float = DEFAULT_BACKOFF_INITIAL,
        concurrency: int = DEFAULT_CONCURRENCY,
        languages: GuildLanguages | None = None,
    ) -> None:
        super().__init__(channels, store, poller, clock, languages)
        self.backoff_initial = backoff_initial
        self.given_up = 0  # deliveries dropped after MAX_ATTEMPTS (decided again next round)
        # alert id -> the one message waiting for it; the heap orders (due, seq, alert id).
        self._pending: dict[int, Delivery] = {}
        self._due: list[tuple[float, int, int]] = []
        self._seq = itertools.count()
        self._inflight: set[int] = set()
        self._latest: dict[int, str] = {}  # alert id -> the state the last round observed
        self._sem = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._idle = asyncio.Condition()

    # -- deciding (in the poll round: database only, no Discord request) ----------------------

    async def on_round(self, report: RoundReport) -> None:
        alerts = self.poller.shards.keep(await self.store.alerts.all())
        for alert in alerts:
            try:
                await self._check(alert)
            except Exception:
                log.exception("alert %d could not be checked", alert.id)
        # Removed alerts: nothing more to say for them.
        current = {a.id for a in alerts}
        for alert_id in set(self._pending) - current:
            del self._pending[alert_id]
        for alert_id in set(self._latest) - current:
            del self._latest[alert_id]
        self._wake.set()

    async def _check(self, alert: Alert) -> None:
        server = self.poller.server_by_id(alert.server_id)
        if server is None:
            return
        snap = self.poller.snapshot(server)
        state = observed(snap)
        if state is None:
            return
        self._latest[alert.id] = state
        if state == alert.last_state:
            # Back where it was before a pending message went out: nothing to say any more.
            if alert.id not in self._inflight:
                self._pending.pop(alert.id, None)
            return
        if alert.last_state is None:
            # First observation: remember it silently (nothing changed that we saw).
            await self.store.alerts.set_state(alert.id, state, snap.down_since)
            return
        waiting = self._pending.get(alert.id)
        if alert.id in self._inflight or (waiting is not None and waiting.state == state):
            return
        mention = f"<@&{alert.role_id}>" if alert.role_id is not None else None
        language = self.language_of(alert.guild_id)
        name = server.name
        if server.id in await self.store.display.hidden_connect():
            name = mask_address(name, server.host, language)
        if state == DOWN:
            text = offline_transition_text(name, snap.down_since, mention, language)
            down_since = snap.down_since
        else:
            since = alert.down_since
            now = self.clock()
            downtime = None if since is None else max(0.0, now - since)
            text = online_transition_text(name, downtime, mention, language)
            down_since = None
            if alert.incident_message_id is not None and since is not None:
                # One line per incident: the "down" message says how long it lasted.
                edited = resolved_incident_text(name, since, now, mention, language)
                delivery = Delivery(
                    alert,
                    state,
                    text,
                    None,
                    edit_message=alert.incident_message_id,
                    edit_text=edited,
                )
                self._schedule(delivery, 0.0)
                return
        self._schedule(Delivery(alert, state, text, down_since), 0.0)

    def _schedule(self, delivery: Delivery, delay: float) -> None:
        alert_id = delivery.alert.id
        self._pending[alert_id] = delivery
        heapq.heappush(self._due, (time.monotonic() + delay, next(self._seq), alert_id))
        self._wake.set()

    def pending(self) -> int:
        """Messages waiting or being sent."""
        return len(self._pending) + len(self._inflight)

    async def wait_idle(self) -> None:
        """Until nothing is waiting or in flight (tests and tools)."""
        async with self._idle:
            await self._idle.wait_for(lambda: self.pending() == 0)

    # -- delivering (the worker) --------------------------------------------------------------

    async def run(self) -> None:
        try:
            while True:
                now = time.monotonic()
                while self._due and self._due[0][0] <= now:
                    _, _, alert_id = heapq.heappop(self._due)
                    delivery = self._pending.pop(alert_id, None)
                    if delivery is None:
                        continue  # withdrawn, or already sent from an earlier entry
                    if alert_id in self._inflight:
                        # Its previous message is still going out: look again shortly.
                        self._pending[alert_id] = delivery
                        heapq.heappush(self._due, (now + 0.5, next(self._seq), alert_id))
                        continue
                    self._inflight.add(alert_id)
                    self._tasks.start(self._deliver(delivery))
                await self._notify_idle()
                await sleep_until_woken(self._wake, self._due[0][0] - now if self._due else None)
        finally:
            self._tasks.cancel()

    async def _notify_idle(self) -> None:
        async with self._idle:
            self._idle.notify_all()

    async def _deliver(self, delivery: Delivery) -> None:
        alert = delivery.alert
        try:
            async with self._sem:
                delivered, message_id = await self._send(delivery)
            if delivered:
                # A "down" message is the open incident, edited when the server is back.
                incident = message_id if delivery.state == DOWN else None
                await self.store.alerts.set_state(
                    alert.id, delivery.state, delivery.down_since, incident
                )
        except AlertRetry as exc:
            attempts = delivery.attempts + 1
            if attempts >= MAX_ATTEMPTS:
                self.given_up += 1
                log.warning(
                    "alert %d: giving up after %d attempts (%s); the next round decides again",
                    alert.id,
                    attempts,
                    exc,
                )
            elif self._latest.get(alert.id) == delivery.state:
                # Still what the last round saw (not withdrawn or removed meanwhile).
                delay = self.retry_delay(attempts)
                self._inflight.discard(alert.id)
                self._schedule(replace(delivery, attempts=attempts), delay)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("alert %d could not be delivered", alert.id)
        finally:
            self._inflight.discard(alert.id)
            self._wake.set()
            await self._notify_idle()

    def retry_delay(self, attempts: int) -> float:
        """The wait after the ``attempts``-th failed try of one message (1: the first)."""
        # Built per call: ``backoff_initial`` is a plain attribute (tests shorten it). A first
        # delay above the cap is the cap, as the plain ``min`` of the formula made it.
        initial = min(self.backoff_initial, MAX_RETRY_DELAY)
        policy = BackoffPolicy(initial=initial, maximum=MAX_RETRY_DELAY, jitter=0.0)
        return policy.step(attempts)

    async def _send(self, delivery: Delivery) -> tuple[bool, int | None]:
        """(True, the new message's id or None) when the message went out, was edited in, or
        can never go out (the state moves on); (False, None) when it cannot go out now (the
        next round decides again); raises AlertRetry on a 429 or 5xx (retried from the
        queue with backoff)."""
        alert = delivery.alert
        if delivery.edit_message is not None:
            edited = await self.channels.edit(alert, delivery.edit_message, delivery.edit_text)
            if edited is Posted.SENT:
                self.sent += 1
                return True, None
            if edited is Posted.KEPT:
                return False, None
            # The incident message is gone: say it in a message of its own.
        posted = await self.channels.post(alert, delivery.text)
        if isinstance(posted, Sent):
            self.sent += 1
            return True, posted.message_id
        return posted is not Posted.KEPT, None
