"""The optional presence: total players, updated only when its text changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import discord

from bot.delivery.presence import DiscordPresence
from bot.services.status.poller import Poller
from bot.services.status.presence import PresenceUpdater, presence_text
from bot.storage import NewServer, Store
from tests.bot.test_poller import ScriptedSource, info


class RecordingClient:
    def __init__(self) -> None:
        self.activities: list[discord.BaseActivity | None] = []

    async def change_presence(self, *, activity: discord.BaseActivity | None = None) -> None:
        self.activities.append(activity)


async def test_presence_shows_total_players_and_skips_unchanged(tmp_path: Path) -> None:
    store = await Store.open(tmp_path / "db.sqlite3")
    try:
        for guild, port in ((1, 1), (2, 2), (3, 2)):  # port 2 shared by two guilds
            await store.servers.add(
                NewServer(guild, f"s{port}", "other", "127.0.0.1", port, port, None, None, 1)
            )
        source = ScriptedSource()
        source.plan = {1: lambda t: info(4), 2: lambda t: info(7)}
        poller = Poller(store, source, interval=60)
        client = RecordingClient()
        presence = PresenceUpdater(DiscordPresence(cast(Any, client)), poller)
        poller.add_listener(presence.on_round)
        await poller.run_round()
        await poller.run_round()
        assert [a.name for a in client.activities if a] == ["11 players on 2 servers"]
        source.plan = {1: lambda t: info(1), 2: "dead"}
        await poller.run_round()
        await poller.run_round()  # port 2 offline now: its players no longer count
        assert [a.name for a in client.activities if a][-1] == "1 player on 2 servers"
    finally:
        await store.close()


def test_presence_text() -> None:
    assert presence_text(1, 1) == "1 player on 1 server"
    assert presence_text(0, 3) == "0 players on 3 servers"
