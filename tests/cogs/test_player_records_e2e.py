"""``/player info`` and ``/player note`` end to end: records built from the feed's events (a
BattlEye GUID line after its connect line merges into one player), older sessions carried
over at start, notes audited, guilds isolated."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.services.feed import model as m
from bot.storage import NewServer
from bot.storage.audit import AuditFilter
from bot.storage.events import Event, PlayerIds
from tests.cogs.feed_world import make_feed_world, settle
from tests.cogs.status_world import answered
from tests.fakes.discord import FakeDiscord, InteractionHandle, run_bot

GUID = "0123456789abcdef0123456789abcdef"
STEAM = "76561198000000042"


async def test_records_from_the_feed_info_and_notes(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    guild = w.status.guild_id
    other = w.fake.add_guild("Other")
    outsider = other.add_member("eve", roles=[other.add_role("Boss", permissions=1 << 5)])
    async with run_bot(w.fake, w.bot()) as bot:
        store = bot.services.store

        async def add(guild_id: int, name: str, port: int) -> int:
            server = await store.servers.add(
                NewServer(guild_id, name, "dayz", "127.0.0.1", port, port, None, None, 1)
            )
            return server.id

        day, rust = await add(guild, "Day", 1), await add(guild, "Rusty", 2)
        await add(other.id, "Theirs", 3)
        await bot.services.feed.reload()
        feed = bot.services.feed
        t = time.time() - 4000
        steam = PlayerIds(steam_id=STEAM)
        for event in [
            Event(day, t, m.JOIN, "Survivor"),  # BattlEye: the GUID line follows
            Event(day, t + 0.5, m.GUID, "Survivor", guid=GUID),
            Event(day, t + 300, m.KICK, "Survivor", guid=GUID, text="Client not responding"),
            Event(rust, t + 1000, m.JOIN, "Hans", ids=steam, source="webrcon"),
            Event(rust, t + 1060, m.LEAVE, "Hans", ids=steam, source="webrcon"),
            # Seen together (one line naming both): the same person.
            Event(day, t + 2000, m.CHAT, "Hans", guid=GUID, ids=steam, text="hi"),
        ]:
            feed.submit(event)
        await settle(bot)

        async def slash(
            user: int, command: str, options: dict[str, object], in_guild: int = guild
        ) -> InteractionHandle:
            return await answered(await w.fake.slash(in_guild, user, command, options))

        shown = await slash(w.status.admin, "player info", {"player": STEAM})
        (embed,) = shown.embeds
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert shown.ephemeral and embed["title"] == "Player Hans"
        assert (
            f"SteamID: [{STEAM}](https://steamcommunity.com/profiles/{STEAM})"
            in fields["Identifiers"]
        )
        assert f"BattlEye GUID: `{GUID}`" in fields["Identifiers"]
        assert [line.split(" · ")[0] for line in fields["Names"].split("\n")] == [
            "Hans",
            "Survivor",
        ]
        assert fields["Servers"] == ("**Day** · 5m in 1 session\n**Rusty** · 1m in 1 session")
        assert "👢 kicked on **Day**: Client not responding" in fields["Kicks and bans"]
        by_name = await slash(w.status.admin, "player info", {"player": "survivor"})
        assert by_name.embeds[0]["footer"] == embed["footer"]  # one record

        noted = await slash(
            w.status.admin, "player note", {"player": GUID, "text": "warned: spawn camping"}
        )
        assert "Note added to **Hans**" in (noted.content or "")
        again = await slash(w.status.admin, "player info", {"player": "Hans"})
        notes = {f["name"]: f["value"] for f in again.embeds[0]["fields"]}["Notes"]
        assert f"<@{w.status.admin}>: warned: spawn camping" in notes
        (row, *_) = await store.audit.search(AuditFilter(guild), limit=5)
        assert (row.action, row.outcome) == ("player note", "ok")

        # Another guild sees nothing of these players.
        hidden = await slash(outsider, "player info", {"player": STEAM}, other.id)
        assert "No player" in (hidden.content or "")
        choices = await w.fake.autocomplete(
            guild, w.status.admin, "player info", {"player": "h"}, "player"
        )
        assert [c["value"] for c in choices] == ["Hans"]


async def test_sessions_stored_before_records_are_carried_over_at_start(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    async with run_bot(w.fake, w.bot()) as bot:
        store = bot.services.store
        server = await store.servers.add(
            NewServer(w.status.guild_id, "Day", "dayz", "127.0.0.1", 1, 1, None, None, 1)
        )
        # As a version without records stored them.
        await store.sessions.open(server.id, "Old Timer", GUID, "battleye", 50.0)
        await store.sessions.close(server.id, "Old Timer", 3650.0)
    async with run_bot(w.fake, w.bot()) as bot:
        await settle(bot)
        for _ in range(100):  # bounded: the backfill runs beside the feed's loop
            if await bot.services.store.players.names_like(w.status.guild_id, "old"):
                break
            await asyncio.sleep(0.05)
        shown = await answered(
            await w.fake.slash(w.status.guild_id, w.status.admin, "player info", {"player": GUID})
        )
        (embed,) = shown.embeds
        assert embed["title"] == "Player Old Timer"
        assert "1h 00m played in 1 session on 1 server" in embed["description"]
