"""Deaths, server lifecycle and player ids through the fake Discord: a 7 Days to Die death and
a Rust save reach the feed under their categories (and only there), a watch on a SteamID64
fires when a Rust player with that id joins, and ``/player lookup`` by that id shows it with
its Steam profile link."""

from __future__ import annotations

from pathlib import Path

from tests.cogs.feed_world import channel_bodies as bodies
from tests.cogs.feed_world import lines, make_feed_world, settle
from tests.cogs.test_feed_consoles_e2e import (
    CATA_SPAWNS,
    EOS,
    PASSWORD,
    connected,
    console_fed,
)
from tests.fakes.discord import FakeDiscord
from tests.fakes.sdtd_server import FakeSdtdServer
from tests.fakes.webrcon_server import FakeWebRconServer

STEAM = "76561198000000042"


async def test_a_7dtd_death_reaches_the_deaths_feed(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    async with (
        FakeSdtdServer(PASSWORD, players=[]) as telnet,
        console_fed(w, "Navezgane", "7dtd", telnet.address[1]) as (bot, server, _),
    ):
        await w.feed_set("Navezgane", "deaths")
        await connected(bot, server)
        await settle(bot)
        await telnet.emit_log(CATA_SPAWNS)  # a join: not in this feed's categories
        await telnet.emit_log("GMSG: Player 'Cata' died")
        await w.fake.wait_until(lambda: len(bodies(w.fake, w.feed_channel)) >= 1)
        await settle(bot)
        got = bodies(w.fake, w.feed_channel)
        looked = await w.as_admin("player lookup", {"name": EOS.lower()})
    assert got == ["💀 **Cata** died"]
    # The spawn's ids were kept with the session: found by EOS id, shown with the SteamID.
    (ids_field,) = [f for f in looked.embeds[0]["fields"] if f["name"] == "Identifiers"]
    assert "EOS id: `0002b5d970954287afdcb5dc35af0424`" in ids_field["value"]
    assert "https://steamcommunity.com/profiles/76561198028175941" in ids_field["value"]


async def test_a_rust_save_reaches_the_server_feed_and_a_steam_watch_fires(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    watch_channel = w.fake.guild(w.status.guild_id).add_channel("watch")
    async with (
        FakeWebRconServer(PASSWORD, players=[]) as rust,
        console_fed(w, "Rusty", "rust", rust.address[1]) as (bot, server, _),
    ):
        await w.feed_set("Rusty", "server")
        added = await w.as_admin(
            "watch add", {"server": "Rusty", "name_or_guid": STEAM, "channel": watch_channel}
        )
        await connected(bot, server)
        # A player of another name and id first: the watch stays quiet.
        await rust.push_join("76561198000000043", "Other")
        await rust.push_join(STEAM, "Scrap")
        await rust.push_console("Saved 12,345 ents, cache(0.01), write(0.02), disk(0.00).")
        await rust.push_console("Restarting in 60 seconds")
        await w.fake.wait_until(lambda: len(bodies(w.fake, w.feed_channel)) >= 2)
        await w.fake.wait_until(lambda: len(w.fake.channel_messages(watch_channel)) >= 1)
        await settle(bot)
        got = bodies(w.fake, w.feed_channel)
        pings = lines(w.fake.channel_messages(watch_channel))
        looked = await w.as_admin("player lookup", {"name": STEAM})
    assert f"Watching SteamID **{STEAM}** on **Rusty**" in (added.content or "")
    assert got == ["💾 world saved: 12,345 entities", "🔄 server restart announced: in 60 s"]
    assert len(pings) == 1 and "watched player **Scrap** joined **Rusty**" in pings[0]
    assert looked.embeds[0]["title"] == "Player Scrap"
    (ids_field,) = [f for f in looked.embeds[0]["fields"] if f["name"] == "Identifiers"]
    assert ids_field["value"] == (
        f"SteamID: [{STEAM}](https://steamcommunity.com/profiles/{STEAM})"
    )
