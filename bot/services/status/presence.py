"""Optional bot presence: "Watching N players on M servers" across every guild's servers."""

from __future__ import annotations

from typing import Protocol

from bot.services.status.poller import Poller, RoundReport


def presence_text(players: int, servers: int) -> str:
    # English on purpose: the presence is one text for the whole bot, shown alike in every
    # guild (Discord has no per-locale activity), and Discord's own "Watching" before it is
    # in each reader's language already.
    return (
        f"{players} player{'s' if players != 1 else ''} on {servers} "
        f"server{'s' if servers != 1 else ''}"
    )


class PresenceSink(Protocol):
    """Where the text goes (the Discord side: the bot's "Watching …" activity)."""

    async def show(self, text: str) -> None: ...


class PresenceUpdater:
    """Sets the activity after a round, only when its text changed (presence updates are
    rate limited by the gateway)."""

    def __init__(self, sink: PresenceSink, poller: Poller) -> None:
        self.sink = sink
        self.poller = poller
        self.current: str | None = None

    async def on_round(self, report: RoundReport) -> None:
        text = presence_text(self.poller.total_players(), report.targets)
        if text == self.current:
            return
        await self.sink.show(text)
        self.current = text
