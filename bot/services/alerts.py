"""Up/down alerts: one message when a server goes down, one when it is back (with downtime).

No spam while a server flaps: the state compared is the poller's debounced one (hysteresis), and
each subscription stores the last state it reported, so a message goes out only on a real change
(also across restarts: a restart does not announce every server again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import discord

from bot.rendering.embeds import offline_transition_text, online_transition_text
from bot.rendering.text import mask_address
from bot.services.poller import Poller, RoundReport
from bot.services.snapshots import Snapshot, State
from bot.storage import Store
from bot.storage.alerts import Alert

log = logging.getLogger(__name__)

UP = "up"
DOWN = "down"


def observed(snap: Snapshot) -> str | None:
    if snap.state is State.ONLINE:
        return UP
    if snap.state is State.OFFLINE:
        return DOWN
    return None


class AlertNotifier:
    def __init__(
        self, client: discord.Client, store: Store, poller: Poller,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.client = client
        self.store = store
        self.poller = poller
        self.clock = clock if clock is not None else poller.clock
        self.sent = 0

    async def on_round(self, report: RoundReport) -> None:
        for alert in self.poller.shards.keep(await self.store.alerts.all()):
            try:
                await self._check(alert)
            except Exception:
                log.exception("alert %d could not be checked", alert.id)

    async def _check(self, alert: Alert) -> None:
        server = self.poller.server_by_id(alert.server_id)
        if server is None:
            return
        snap = self.poller.snapshot(server)
        state = observed(snap)
        if state is None or state == alert.last_state:
            return
        if alert.last_state is None:
            # First observation: remember it silently (nothing changed that we saw).
            await self.store.alerts.set_state(alert.id, state, snap.down_since)
            return
        mention = f"<@&{alert.role_id}>" if alert.role_id is not None else None
        name = server.name
        if server.id in await self.store.display.hidden_connect():
            name = mask_address(name, server.host)
        if state == DOWN:
            text = offline_transition_text(name, snap.down_since, mention)
            down_since = snap.down_since
        else:
            since = alert.down_since
            downtime = None if since is None else max(0.0, self.clock() - since)
            text = online_transition_text(name, downtime, mention)
            down_since = None
        if await self._send(alert, text):
            await self.store.alerts.set_state(alert.id, state, down_since)

    async def _channel(self, alert: Alert) -> discord.abc.Messageable | bool:
        """The channel, from the cache or else from Discord; True when it is gone for good,
        False when it cannot be reached now (the state is kept: the next round retries)."""
        channel = self.client.get_channel(alert.channel_id)
        if isinstance(channel, discord.abc.Messageable):
            return channel
        try:
            fetched = await self.client.fetch_channel(alert.channel_id)
        except discord.NotFound:
            log.warning("alert %d: channel %d was deleted", alert.id, alert.channel_id)
            return True
        except (discord.HTTPException, OSError, TimeoutError) as exc:
            log.warning("alert %d: channel %d not reachable now (%s)", alert.id,
                        alert.channel_id, type(exc).__name__)
            return False
        return fetched if isinstance(fetched, discord.abc.Messageable) else True

    async def _send(self, alert: Alert, text: str) -> bool:
        """True when the message went out, or can never go out (so it is not retried)."""
        channel = await self._channel(alert)
        if isinstance(channel, bool):
            return channel
        roles = [discord.Object(alert.role_id)] if alert.role_id is not None else []
        try:
            await channel.send(text, allowed_mentions=discord.AllowedMentions(
                everyone=False, users=False, roles=roles))
        except discord.HTTPException as exc:
            # A 4xx will not get better by retrying every round; a 5xx may.
            log.warning("alert %d: message not sent (HTTP %s, code %s)", alert.id,
                        exc.status, exc.code)
            return exc.status < 500
        self.sent += 1
        return True
