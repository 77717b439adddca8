"""Optional bot presence: "Watching N players on M servers" across every guild's servers."""

from __future__ import annotations

import logging

import discord

from bot.services.poller import Poller, RoundReport

log = logging.getLogger(__name__)


def presence_text(players: int, servers: int) -> str:
    return (
        f"{players} player{'s' if players != 1 else ''} on {servers} "
        f"server{'s' if servers != 1 else ''}"
    )


class PresenceUpdater:
    """Sets the activity after a round, only when its text changed (presence updates are
    rate limited by the gateway)."""

    def __init__(self, client: discord.Client, poller: Poller) -> None:
        self.client = client
        self.poller = poller
        self.current: str | None = None

    async def on_round(self, report: RoundReport) -> None:
        text = presence_text(self.poller.total_players(), report.targets)
        if text == self.current:
            return
        await self.client.change_presence(
            activity=discord.Activity(type=discord.ActivityType.watching, name=text)
        )
        self.current = text
