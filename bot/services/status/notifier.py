"""What the notifiers that follow the poller (alerts, population pings, channel counters) share.

Each one is a poll-round listener that decides from the round's snapshots (the database only)
and talks to Discord beside the round, in tasks of its own, through its channels port: a slow or
rate-limited channel never holds up a round.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from bot.i18n import ENGLISH
from bot.services.languages import GuildLanguages
from bot.services.status.poller import Poller
from bot.services.tasks import TaskSet
from bot.storage import Store

Channels = TypeVar("Channels")


class RoundNotifier(Generic[Channels]):
    def __init__(
        self,
        channels: Channels,
        store: Store,
        poller: Poller,
        clock: Callable[[], float] | None = None,
        languages: GuildLanguages | None = None,
    ) -> None:
        self.channels = channels
        self.store = store
        self.poller = poller
        self.clock = clock if clock is not None else poller.clock
        self.languages = languages
        self.sent = 0  # what Discord took: messages posted, channels renamed
        self._tasks: TaskSet[None] = TaskSet()  # the sends under way

    def language_of(self, guild_id: int) -> str:
        """The guild's language: what the notifiers post are shared messages (English when the
        notifier was built without the guilds' languages)."""
        return self.languages.of(guild_id) if self.languages is not None else ENGLISH

    async def wait_idle(self) -> None:
        """Until what the rounds so far decided went out (tests and tools)."""
        await self._tasks.wait_idle()
