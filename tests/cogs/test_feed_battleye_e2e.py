"""BattlEye events through the RCON pool's connection into a channel: batched, in order, once
each, across a game-server restart and a bot restart; a GUID watch pings its role only."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from bot.app import OutpostBot
from bot.protocols.battleye.models import Player
from bot.storage import Server
from tests.cogs.feed_world import channel_bodies as bodies
from tests.cogs.feed_world import make_feed_world, settle
from tests.cogs.stored import add_rcon_server
from tests.fakes.battleye_server import FakeBattlEyeServer
from tests.fakes.discord import FakeDiscord, run_bot
from tests.protocols.battleye.helpers import FAST

PASSWORD = "be-feed-secret"
GUID = "0123456789abcdef0123456789abcdef"
LOGIN_WAIT = 10.0


async def register_dayz(bot: OutpostBot, guild_id: int, port: int) -> Server:
    return await add_rcon_server(
        bot, guild_id, "Day", "dayz", port, password=PASSWORD, game_port=2302, query_port=27016
    )


def logged_in(bot: OutpostBot, server: Server) -> asyncio.Event:
    """Set at the next BattlEye login of ``server`` through the pool."""
    event = asyncio.Event()

    async def on_login() -> None:
        event.set()

    bot.services.rcon_pool.add_battleye_listener(server.id, "login", on_login)
    return event


async def wait(event: asyncio.Event) -> None:
    async with asyncio.timeout(LOGIN_WAIT):
        await event.wait()


async def test_battleye_feed_in_order_once_across_game_and_bot_restarts(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    guild = w.fake.guild(w.status.guild_id)
    mods = guild.add_role("Mods")
    # Every datagram may arrive twice: the client's dedupe must keep each event single.
    async with FakeBattlEyeServer(PASSWORD, duplicate=0.3, seed=7) as game:
        # Loss detection in tenths of seconds, so a game-server restart is seen quickly.
        async with run_bot(w.fake, w.bot(replace(FAST, fetch_players_on_login=True))) as bot:
            server = await register_dayz(bot, w.status.guild_id, game.address[1])
            login = logged_in(bot, server)
            await w.feed_set("Day")
            await w.as_admin(
                "watch add", {"server": "Day", "name_or_guid": GUID.upper(), "role": mods}
            )
            await wait(login)
            alice = Player(0, "Alice @everyone", "1.2.3.4", 2304, guid=GUID)
            await game.push_messages(
                [
                    *game.player_joins(alice),
                    "Player #1 Bob (1.2.3.5:2304) connected",
                    "(Global) Alice @everyone: hi <@&1> **all**",
                    "RCon admin #1 (9.9.9.9:1234) logged in",
                    "RCon admin #1: (Global) restart soon",
                    "Player #1 Bob disconnected",
                    "Player #3 Dave (1.2.3.7:2304) connected",
                    f"Player #0 Alice @everyone ({GUID}) has been kicked by BattlEye: "
                    "Admin Ban (x)",
                ]
            )
            async with asyncio.timeout(LOGIN_WAIT):
                await game.wait_acked()
            await settle(bot)
            first = bodies(w.fake, w.feed_channel)
            assert first == [
                "➡️ **Alice @\u200beveryone** joined",
                "➡️ **Bob** joined",
                "💬 **Alice @\u200beveryone**: (Global) hi <\u200b@\u200b&1> \\*\\*all\\*\\*",
                "🛡️ **admin #1** logged in to the console",
                "📢 **admin #1** (console): (Global) restart soon",
                "⬅️ **Bob** left",
                "➡️ **Dave** joined",
                "🔨 **Alice @\u200beveryone** was banned: Admin Ban (x)",
            ]
            assert len(w.fake.channel_messages(w.feed_channel)) <= 2
            # The GUID watch pinged the role, and nothing else pinged anyone.
            pings = w.fake.pinging_messages()
            assert len(pings) == 1 and pings[0]["pings"].roles == (mods,)
            assert pings[0]["channel_id"] == str(w.status.channel_id)
            stored = await bot.services.store.events.recent(server.id, 20)
            join = next(e for e in stored if e.kind == "join" and e.player.startswith("Alice"))
            assert join.guid == GUID

            # The game server restarts (everyone is gone): the pool's client logs in again,
            # nothing is repeated, and the sessions match the new player list.
            login = logged_in(bot, server)
            game.players = []
            await game.restart()
            await wait(login)
            await game.push_messages(game.player_joins(Player(2, "Carol", "1.2.3.6", 2304)))
            await w.fake.wait_until(lambda: len(bodies(w.fake, w.feed_channel)) >= len(first) + 1)
            await settle(bot)
            assert bodies(w.fake, w.feed_channel)[len(first) :] == ["➡️ **Carol** joined"]
            dave = await w.as_admin("player lookup", {"name": "dave"})
            assert "**Dave** was last seen on **Day**" in dave.embeds[0]["description"]

        # The bot restarts: delivered events are not posted again; new ones flow.
        await game.restart()  # forget the old bot's client (BattlEye would time it out)
        async with run_bot(w.fake, w.bot()) as bot:
            login = logged_in(bot, server)
            await wait(login)
            await settle(bot)
            await game.push_message("Player #2 Carol disconnected")
            await w.fake.wait_until(lambda: len(bodies(w.fake, w.feed_channel)) >= len(first) + 2)
            await settle(bot)
            assert bodies(w.fake, w.feed_channel)[len(first) + 1 :] == ["⬅️ **Carol** left"]
            lookup = await w.as_admin("player lookup", {"name": GUID})
            assert "was last seen on **Day**" in lookup.embeds[0]["description"]
            carol = await w.as_admin("player lookup", {"name": "carol"})
            assert "**Carol** was last seen" in carol.embeds[0]["description"]
            assert "1 session on record" in carol.embeds[0]["description"]
