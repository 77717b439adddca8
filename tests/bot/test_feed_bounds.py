"""The feed's event inbox is bounded (oldest dropped, counted) and stored BattlEye text is
clipped, whatever a hostile game server sends."""

from __future__ import annotations

from typing import Any, cast

import discord

from bot.delivery.feed import DiscordFeedChannels
from bot.protocols.battleye import Player
from bot.protocols.battleye.events import MAX_NAME
from bot.services.feed import FeedService
from bot.services.status.poller import Poller
from bot.storage import Store
from bot.storage.events import Event
from tests.bot import feed_battleye as be


class _Source:
    async def fetch(self, *args: object) -> Any:
        raise TimeoutError


async def test_inbox_drops_the_oldest_and_counts(store: Store) -> None:
    feed = FeedService(
        DiscordFeedChannels(cast(discord.Client, object())),
        store,
        Poller(store, _Source(), interval=60),
        inbox_limit=3,
    )
    for i in range(5):
        feed.submit(Event(1, float(i), "chat", f"p{i}", text="x"))
    assert feed.queue_depth() == 3
    assert feed.inbox_dropped == 2
    stats = feed.stats()
    assert stats["inbox_dropped"] == 2 and stats["dropped"] == 2
    kept = [feed._inbox.get_nowait() for _ in range(3)]
    assert [e.player for e in kept if isinstance(e, Event)] == ["p2", "p3", "p4"]


def test_stored_battleye_text_is_clipped() -> None:
    huge = Player(1, "N" * 5000, guid="A" * 32)
    chat = be.chat(1, 0.0, huge, "Global" * 1000, "t" * 100_000)
    kick = be.kick(1, 0.0, huge, "r" * 100_000)
    assert len(chat.player) == MAX_NAME and len(kick.player) == MAX_NAME
    assert len(chat.text) == be.MAX_TEXT and len(kick.text) == be.MAX_TEXT
    assert chat.guid == "a" * 32
    assert len(be.admin_message(1, 0.0, 2, "Global", "m" * 100_000).text) == be.MAX_TEXT
