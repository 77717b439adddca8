"""Consoles other than BattlEye into a feed channel through the fake Discord: Squad's pushed
chat and kicks (its joins and leaves stay the A2S-derived ones: its console does not report
them), and a 7 Days to Die telnet console's joins, chat and leaves (reported by the console, so
the poller derives none), with the sessions matching its player list after the login."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.adapters.admin import AdminAdapter
from bot.adapters.palworld_admin import PalworldAdminAdapter
from bot.adapters.registry import AdminAdapters
from bot.adapters.sdtd import SdtdAdapter
from bot.app import OutpostBot
from bot.protocols import sdtd
from bot.services.rcon.pool import ConnectionState
from bot.storage import NewServer, Server
from tests.cogs.feed_world import FeedWorld, make_feed_world, settle
from tests.cogs.feed_world import channel_bodies as bodies
from tests.cogs.stored import add_rcon_server
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec, PlayerSpec
from tests.fakes.discord import FakeDiscord, run_bot
from tests.fakes.minecraft_server import DEFAULT_STATUS, FakeMinecraftServer
from tests.fakes.palworld_server import FakePalworldServer, sample_players
from tests.fakes.rcon_server import FakeRCONServer
from tests.fakes.sdtd_server import FakePlayer, FakeSdtdServer
from tests.fakes.webrcon_server import FakeWebRconServer
from tests.protocols.battleye.helpers import eventually

PASSWORD = "console-feed-secret"
ONLINE = "EOS: 0002a1b2c3d4e5f60718293a4b5c6d7e steam: 76561198000000000"
PLTFM = "Steam_76561198028175941"
EOS = "EOS_0002b5d970954287afdcb5dc35af0424"
NOTCH = "069a79f4-44e9-4726-a5be-fca90e38aaf5"
# Cata enters the world (7 Days to Die's log line, with her platform and cross-play ids).
CATA_SPAWNS = (
    "PlayerSpawnedInWorld (reason: JoinMultiplayer, position: 1, 2, 3): EntityID=171, "
    f"PltfmId='{PLTFM}', CrossId='{EOS}', OwnerID='{PLTFM}', PlayerName='Cata'"
)
FAST_TELNET = sdtd.SessionConfig(first_output_wait=0.3, settle=0.05, banner_wait=0.1)


async def register(
    bot: OutpostBot, guild_id: int, name: str, game: str, query_port: int, rcon_port: int
) -> Server:
    """``name`` queried on localhost ``query_port``, its console on ``rcon_port``."""
    return await add_rcon_server(
        bot,
        guild_id,
        name,
        game,
        rcon_port,
        password=PASSWORD,
        game_port=query_port,
        query_port=query_port,
    )


# Console adapters whose waits are shortened for the fakes (which answer at once): the
# telnet session's in hundredths of seconds, Palworld's player-list poll ten times a second.
FAST_ADAPTERS: dict[str, Callable[[], AdminAdapter]] = {
    "7dtd": lambda: SdtdAdapter(FAST_TELNET),
    "palworld_rest": lambda: PalworldAdminAdapter(poll_interval=0.1),
}


@asynccontextmanager
async def console_fed(
    w: FeedWorld, name: str, game: str, console_port: int
) -> AsyncIterator[tuple[OutpostBot, Server, FakeA2SServer]]:
    """The bot running with ``name``: queried on a fake A2S server (its player list empty so
    far), its console the fake on ``console_port`` (through ``FAST_ADAPTERS`` where listed)."""
    async with FakeA2SServer() as a2s, run_bot(w.fake, w.bot()) as bot:
        if game in FAST_ADAPTERS:
            use_adapter(bot, FAST_ADAPTERS[game]())
        bot.services.poller.query_timeout = 0.2
        server = await register(bot, w.status.guild_id, name, game, a2s.address[1], console_port)
        yield bot, server, a2s


async def connected(bot: OutpostBot, server: Server) -> None:
    pool = bot.services.rcon_pool
    await eventually(lambda: pool.state(server.id) is ConnectionState.CONNECTED, 10.0)


def use_adapter(bot: OutpostBot, adapter: AdminAdapter) -> None:
    """``adapter`` in place of the pool's own for its protocol (one with shorter waits)."""
    pool = bot.services.rcon_pool
    others = [a for a in pool.adapters.values() if a.protocol != adapter.protocol]
    pool.adapters = AdminAdapters([*others, adapter])


async def test_squad_chat_and_kicks_reach_the_feed_and_joins_stay_a2s(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    async with (
        FakeRCONServer(PASSWORD, profile="squad") as game,
        console_fed(w, "Squad", "squad", game.address[1]) as (bot, server, a2s),
    ):
        await bot.services.poller.run_round()  # the A2S baseline: nobody
        await w.feed_set("Squad")
        await connected(bot, server)  # the feed holds the console connection
        game.send_chat(f"[ChatAll] [Online IDs:{ONLINE}] Foo @everyone : hi <@&1> **all**")
        game.send_chat(f"[ChatAdmin] [Online IDs:{ONLINE}] Foo @everyone : mods?")
        game.send_chat(f"[Online Ids:{ONLINE}] Foo has possessed admin camera.")
        await w.fake.wait_until(lambda: len(bodies(w.fake, w.feed_channel)) >= 3)
        a2s.players = [PlayerSpec("Foo @everyone")]
        a2s.info = InfoSpec(player_count=1)
        await bot.services.poller.run_round()
        game.send_chat(f"Kicked player 3. [Online IDs= {ONLINE}] Foo @everyone")
        await w.fake.wait_until(lambda: len(bodies(w.fake, w.feed_channel)) >= 5)
        await settle(bot)
        got = bodies(w.fake, w.feed_channel)
        stored = await bot.services.store.events.recent(server.id, 10)
    assert got == [
        "💬 **Foo @\u200beveryone**: (Global) hi <\u200b@\u200b&1> \\*\\*all\\*\\*",
        "💬 **Foo @\u200beveryone**: (Admin) mods?",
        "🛡️ **Foo** took the admin camera",
        "➡️ **Foo @\u200beveryone** joined ≈",
        "👢 **Foo @\u200beveryone** was kicked",
    ]
    assert {e.source for e in stored} == {"source_rcon", "a2s"}
    assert not w.fake.pinging_messages()


async def test_7dtd_joins_chat_and_leaves_reach_the_feed_once(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    already = FakePlayer(170, "Revlin", steam_id="76561198012345678")
    async with (
        FakeSdtdServer(PASSWORD, players=[already]) as telnet,
        console_fed(w, "Navezgane", "7dtd", telnet.address[1]) as (bot, server, a2s),
    ):
        await w.feed_set("Navezgane")
        await connected(bot, server)
        await settle(bot)  # the player list after the login: Revlin has a session
        revlin = await w.as_admin("player lookup", {"name": "revlin"})
        a2s.players = [PlayerSpec("Revlin")]
        a2s.info = InfoSpec(player_count=1)
        await bot.services.poller.run_round()
        await telnet.emit_log(CATA_SPAWNS)
        await telnet.emit_log(f"Chat (from '{PLTFM}', entity id '171', to 'Global'): 'Cata': hi")
        await telnet.emit_log("GMSG: Player 'Cata' died")
        await w.fake.wait_until(lambda: len(bodies(w.fake, w.feed_channel)) >= 3)
        # The poller sees Cata arrive too: the console reported it, so no "≈" line.
        a2s.players = [PlayerSpec("Revlin"), PlayerSpec("Cata")]
        a2s.info = InfoSpec(player_count=2)
        await bot.services.poller.run_round()
        await telnet.emit_log(
            f"Player disconnected: EntityID=171, PltfmId='{PLTFM}', CrossId='{EOS}', "
            f"OwnerID='{PLTFM}', PlayerName='Cata'"
        )
        await w.fake.wait_until(lambda: len(bodies(w.fake, w.feed_channel)) >= 4)
        await settle(bot)
        got = bodies(w.fake, w.feed_channel)
    assert got == [
        "➡️ **Cata** joined",
        "💬 **Cata**: (Global) hi",
        "💀 **Cata** died",
        "⬅️ **Cata** left",
    ]
    assert "**Revlin** is online now on **Navezgane**" in revlin.embeds[0]["description"]


async def _feed_to_channel(w: Any, name: str) -> None:
    await w.feed_set(name)


async def test_rust_webrcon_joins_chat_and_leaves_reach_the_feed(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    async with (
        FakeWebRconServer(PASSWORD, players=[]) as rust,
        console_fed(w, "Rusty", "rust", rust.address[1]) as (bot, server, _),
    ):
        await _feed_to_channel(w, "Rusty")
        await connected(bot, server)
        await rust.push_join("76561198000000042", "Scrap")
        await rust.push_chat("Scrap", "76561198000000042", "anyone for a raid?", channel=0)
        await rust.push_leave("76561198000000042", "Scrap")
        await w.fake.wait_until(lambda: len(bodies(w.fake, w.feed_channel)) >= 3)
        await settle(bot)
        got = bodies(w.fake, w.feed_channel)
    assert got[0] == "➡️ **Scrap** joined"
    assert "**Scrap**" in got[1] and "anyone for a raid?" in got[1]
    assert got[2] == "⬅️ **Scrap** left"


async def test_minecraft_joins_and_leaves_come_from_the_status_sample(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    status = dict(DEFAULT_STATUS)
    async with FakeMinecraftServer(status=status) as mc, run_bot(w.fake, w.bot()) as bot:
        await bot.services.store.servers.add(
            NewServer(
                w.status.guild_id, "Craft", "minecraft", *mc.address, mc.address[1], None, None, 1
            )
        )
        await bot.services.poller.refresh_roster()
        await _feed_to_channel(w, "Craft")
        await bot.services.poller.run_round()  # the baseline: Alex and Steve
        players = dict(status["players"])
        players["sample"] = [*players["sample"], {"name": "Notch", "id": NOTCH}]
        players["online"] = 3
        mc.status = {**status, "players": players}
        await bot.services.poller.run_round()
        await w.fake.wait_until(lambda: len(bodies(w.fake, w.feed_channel)) >= 1)
        await settle(bot)
        got = bodies(w.fake, w.feed_channel)
    # Derived from the query's list (no console on this server): marked approximate.
    assert len(got) == 1 and "**Notch**" in got[0] and "joined" in got[0]


async def test_palworld_rest_joins_come_from_the_polled_player_list(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    async with (
        FakePalworldServer(password=PASSWORD, players=[]) as pal,
        console_fed(w, "Pals", "palworld_rest", pal.address[1]) as (bot, server, _),
    ):
        await _feed_to_channel(w, "Pals")
        await connected(bot, server)
        await asyncio.sleep(0.3)  # a few polls: the empty baseline
        pal.players = sample_players()[:1]
        await w.fake.wait_until(lambda: len(bodies(w.fake, w.feed_channel)) >= 1)
        pal.players = []
        await w.fake.wait_until(lambda: len(bodies(w.fake, w.feed_channel)) >= 2)
        await settle(bot)
        got = bodies(w.fake, w.feed_channel)
    assert got == ["➡️ **Alice** joined", "⬅️ **Alice** left"]
