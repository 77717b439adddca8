"""Population pings: one role mention when a server's player count crosses a threshold, never
more. After a ping it stays quiet until the count has moved back past a hysteresis band and
the cooldown (default an hour) is over; a count already past the threshold when the ping is
set up, or when the bot starts, is not a crossing.

Decided after each poll round from the poller's snapshots (no query of its own); the state is
stored before the message goes out, so a crash or a restart never pings twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from bot.i18n import ENGLISH, t
from bot.rendering.text import clip, escape, mask_address
from bot.services.status.notifier import RoundNotifier
from bot.services.status.poller import RoundReport
from bot.snapshots import State
from bot.storage.population import PopulationPing

log = logging.getLogger(__name__)

MAX_PINGS_PER_GUILD = 25


def band(threshold: int) -> int:
    """How far the count must move back before the ping can fire again: a tenth of the
    threshold, at least one player (30 players: back to 27 or below)."""
    return max(1, threshold // 10)


@dataclass(frozen=True, slots=True)
class Decision:
    fire: bool
    armed: bool


def decide(ping: PopulationPing, players: int, now: float) -> Decision:
    """What one round's count means for ``ping``."""
    above = ping.direction == "above"
    past = players >= ping.threshold if above else players <= ping.threshold
    back = (
        players <= ping.threshold - band(ping.threshold)
        if above
        else players >= ping.threshold + band(ping.threshold)
    )
    if ping.armed is None:
        # First sight: a count already past the threshold is not a crossing.
        return Decision(False, not past)
    if ping.armed and past:
        cooled = ping.last_fired is None or now - ping.last_fired >= ping.cooldown
        return Decision(cooled, not cooled)
    if not ping.armed and back:
        return Decision(False, True)
    return Decision(False, ping.armed)


def ping_text(
    ping: PopulationPing,
    server_name: str,
    players: int,
    max_players: int,
    language: str = ENGLISH,
) -> str:
    """The ping, a shared message: in the guild's language."""
    name = clip(escape(server_name), 100)
    key = "population.above" if ping.direction == "above" else "population.below"
    what = t(language, key, name=name, players=f"{players}/{max_players}")
    return f"<@&{ping.role_id}> {what}"


class PingChannels(Protocol):
    async def post(self, ping: PopulationPing, text: str) -> bool:
        """True when Discord took the message (only the ping's role is mentioned)."""
        ...


class PopulationNotifier(RoundNotifier[PingChannels]):
    async def on_round(self, report: RoundReport) -> None:
        """Poll listener: decide in the round (database only), send beside it."""
        now = self.clock()
        pings = self.poller.shards.keep(await self.store.population.all())
        hidden: set[int] | None = None
        for ping in pings:
            server = self.poller.server_by_id(ping.server_id)
            if server is None:
                continue
            snap = self.poller.snapshot(server)
            if snap.state is not State.ONLINE or snap.info is None:
                continue  # an offline server has no count: nothing crosses
            info = snap.info
            decision = decide(ping, info.players, now)
            if decision.armed == ping.armed and not decision.fire:
                continue
            fired = now if decision.fire else ping.last_fired
            try:
                await self.store.population.set_state(ping.id, decision.armed, fired)
            except Exception:
                log.exception("population ping %d: state not saved", ping.id)
                continue  # not sent either: never a ping the next round could repeat
            if decision.fire:
                if hidden is None:
                    hidden = await self.store.display.hidden_connect()
                language = self.language_of(ping.guild_id)
                name = server.name
                if server.id in hidden:
                    name = mask_address(name, server.host, language)
                text = ping_text(ping, name, info.players, info.max_players, language)
                self._tasks.start(self._send(ping, text))

    async def _send(self, ping: PopulationPing, text: str) -> None:
        try:
            if await self.channels.post(ping, text):
                self.sent += 1
        except Exception:
            log.exception("population ping %d could not be sent", ping.id)
