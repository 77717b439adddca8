"""A guild with a feed channel, and helpers for the live-feed tests."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import OutpostBot
from bot.protocols.battleye import ClientConfig
from bot.services.feed import model as m
from bot.storage.events import Event
from tests.cogs.conftest import make_settings
from tests.cogs.status_world import StatusWorld, make_world
from tests.fakes.discord import FakeDiscord, InteractionHandle

SETTLE = 15.0  # upper bound for a feed to deliver in tests (normally well under a second)


@dataclass
class FeedWorld:
    status: StatusWorld
    feed_channel: int
    tmp_path: Path

    @property
    def fake(self) -> FakeDiscord:
        return self.status.fake

    def bot(self, battleye_config: ClientConfig | None = None, **settings: str) -> OutpostBot:
        values = {"FEED_BATCH_SECONDS": "0.1", **settings}
        config = make_settings(self.fake, self.tmp_path, **values)
        return OutpostBot(
            config, guild_ready_timeout=0.05, autopoll=False, battleye_config=battleye_config
        )

    async def as_admin(
        self, command: str, options: dict[str, Any] | None = None
    ) -> InteractionHandle:
        """``/command`` run by the guild's admin, once Discord has the bot's answer."""
        handle = await self.fake.slash(self.status.guild_id, self.status.admin, command, options)
        await handle.wait_response()
        return handle

    async def feed_set(self, server: str, events: str | None = None) -> InteractionHandle:
        """``/feed set`` of ``server`` into the feed channel (the default events unless named)."""
        options: dict[str, Any] = {"server": server, "channel": self.feed_channel}
        if events is not None:
            options["events"] = events
        return await self.as_admin("feed set", options)


def make_feed_world(fake: FakeDiscord, tmp_path: Path) -> FeedWorld:
    status = make_world(fake, tmp_path)
    channel = fake.guild(status.guild_id).add_channel("feed")
    return FeedWorld(status, channel, tmp_path)


async def settle(bot: OutpostBot) -> None:
    async with asyncio.timeout(SETTLE):
        await bot.services.feed.wait_idle()


def joins(server_id: int, names: list[str]) -> list[Event]:
    now = time.time()
    return [Event(server_id, now, m.JOIN, n, source=m.SOURCE_BATTLEYE) for n in names]


def submit_joins(bot: OutpostBot, server_id: int, names: list[str]) -> None:
    """BattlEye joins of ``names`` handed to the feed, as the console listener hands them."""
    for event in joins(server_id, names):
        bot.services.feed.submit(event)


def lines(messages: list[dict[str, Any]]) -> list[str]:
    """Every line of every feed message, in order."""
    out: list[str] = []
    for message in messages:
        for embed in message.get("embeds") or []:
            out += str(embed.get("description", "")).split("\n")
    return out


_PREFIX = re.compile(r"^<t:\d+:T> (?:\*\*.*?\*\* · )?")  # the time, the server if named
_SHORT_ID = re.compile(r" · `…?[0-9a-f-]+`(?= ≈$|$)")


def body(line: str, *, ids: bool = False) -> str:
    """A feed line without its time and server name (and without the player's short id
    unless ``ids``): what happened."""
    text = _PREFIX.sub("", line, count=1)
    return text if ids else _SHORT_ID.sub("", text)


def bodies(messages: list[dict[str, Any]], *, ids: bool = False) -> list[str]:
    return [body(line, ids=ids) for line in lines(messages)]


def channel_bodies(fake: FakeDiscord, channel: int) -> list[str]:
    """``bodies`` of everything the bot posted in ``channel`` so far."""
    return bodies(fake.channel_messages(channel))


def player(line: str) -> str:
    """The player a feed line is about (its first bold text after the server)."""
    return body(line).split("**")[1]
