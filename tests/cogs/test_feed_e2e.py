"""The live feed end to end through the fake Discord: A2S-derived events, batching under rate
limits, overflow, mention safety, bot restarts, watch-list pings and /player lookup."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.services.feed.render import ZWSP, dropped_line
from bot.storage.audit import AuditFilter
from bot.storage.feeds import Feed, Watch
from tests.cogs.feed_world import (
    bodies,
    lines,
    make_feed_world,
    player,
    settle,
    submit_joins,
)
from tests.cogs.status_world import answered, register
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec, PlayerSpec
from tests.fakes.discord import FakeDiscord, run_bot
from tests.fakes.waiting import eventually


async def test_a2s_joins_leaves_map_changes_and_status(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    a2s = FakeA2SServer(info=InfoSpec(player_count=1), players=[PlayerSpec("alice")])
    async with a2s as server, run_bot(w.fake, w.bot()) as bot:
        bot.services.poller.query_timeout = 0.2
        await register(bot, w.status.guild_id, "Main", server)
        await bot.services.poller.run_round()
        handle = await w.feed_set("Main", "joins, leaves, status")
        assert "go to" in (handle.content or "") and "approximate" in (handle.content or "")
        # Two players with one name are two players; an empty name is nobody.
        server.players = [
            PlayerSpec("alice"),
            PlayerSpec("Player"),
            PlayerSpec("Player"),
            PlayerSpec(""),
        ]
        await bot.services.poller.run_round()
        server.players = [PlayerSpec("Player")]
        server.info = InfoSpec(player_count=1, map_name="de_inferno")
        await bot.services.poller.run_round()
        await settle(bot)
        server.silent = True
        await bot.services.poller.run_round()
        await bot.services.poller.run_round()  # down after the second failure
        server.silent = False
        await bot.services.poller.run_round()
        await bot.services.poller.run_round()  # up after the second answer
        await settle(bot)
        # Who is there when it comes back was not seen arriving: a baseline, no "joined".
        server.players = [PlayerSpec("Player"), PlayerSpec("bob")]
        await bot.services.poller.run_round()
        await settle(bot)
        messages = w.fake.channel_messages(w.feed_channel)
        got = bodies(messages)
        assert got == [
            "➡️ **Player** joined ≈",
            "➡️ **Player** joined ≈",
            "🗺️ map changed: de\\_dust2 → de\\_inferno",
            "⬅️ **Player** left ≈",
            "⬅️ **alice** left ≈",
            "🔴 server is down",
            "🟢 server is up",
            "➡️ **bob** joined ≈",
        ]
        assert messages[0]["embeds"][0]["footer"]["text"].startswith("≈ joins and leaves")
        # One server in the channel: its name is left out of the lines.
        assert all(line.startswith("<t:") and "**Main**" not in line for line in lines(messages))
        assert not w.fake.pinging_messages()


async def test_a_burst_of_1000_events_is_a_few_messages_without_a_429(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    # Tighter than Discord's 5 per 5 s per channel, so discord.py must wait between posts.
    w.fake.bucket("POST", r"^/channels/[0-9]+/messages", 2, 0.5)
    async with (
        FakeA2SServer() as server,
        run_bot(w.fake, w.bot(FEED_BATCH_SECONDS="0.2", FEED_QUEUE_LIMIT="5000")) as bot,
    ):
        main = await register(bot, w.status.guild_id, "Main", server)
        await w.feed_set("Main")
        names = [f"player{n:04d}" for n in range(1000)]
        submit_joins(bot, main.id, names)
        await settle(bot)
        messages = w.fake.channel_messages(w.feed_channel)
        assert 5 <= len(messages) <= 25, len(messages)
        got = [player(line) for line in lines(messages)]
        assert got == names  # every event once, in order
        assert w.fake.ratelimits.limited == []
        assert bot.services.feed.stats()["dropped"] == 0


async def test_overflow_drops_the_oldest_and_says_so(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    async with (
        FakeA2SServer() as server,
        run_bot(w.fake, w.bot(FEED_BATCH_SECONDS="0.3", FEED_QUEUE_LIMIT="10")) as bot,
    ):
        main = await register(bot, w.status.guild_id, "Main", server)
        await w.feed_set("Main", "joins")
        submit_joins(bot, main.id, [f"p{n}" for n in range(25)])
        await settle(bot)
        (message,) = w.fake.channel_messages(w.feed_channel)
        got = lines([message])
        assert got[0] == dropped_line(15)
        assert [player(line) for line in got[1:]] == [f"p{n}" for n in range(15, 25)]


async def test_hostile_player_names_ping_nobody(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    role = w.status.admin_role
    hostile = ["@everyone", "@here", f"<@&{role}>", f"<@{w.status.admin}>", "**big** `x`"]
    async with FakeA2SServer() as server, run_bot(w.fake, w.bot()) as bot:
        bot.services.poller.query_timeout = 0.2
        await register(bot, w.status.guild_id, "Main", server)
        await bot.services.poller.run_round()
        await w.feed_set("Main")
        server.players = [PlayerSpec(n) for n in hostile]
        server.info = InfoSpec(player_count=len(hostile))
        await bot.services.poller.run_round()
        await settle(bot)
        (message,) = w.fake.channel_messages(w.feed_channel)
        text = "\n".join(lines([message]))
        assert w.fake.pinging_messages() == []
        assert message["allowed_mentions"]["parse"] == []
        assert "@everyone" not in text and "@here" not in text and "<@" not in text
        assert f"@{ZWSP}everyone" in text and "\\*\\*big\\*\\* \\`x\\`" in text


async def test_bot_restart_delivers_pending_events_once_and_never_reposts(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    async with FakeA2SServer() as server:
        # A long window: the bot stops with the events stored but not posted yet.
        async with run_bot(w.fake, w.bot(FEED_BATCH_SECONDS="30")) as bot:
            main = await register(bot, w.status.guild_id, "Main", server)
            await w.feed_set("Main")
            submit_joins(bot, main.id, ["a", "b", "c"])
            feed = bot.services.feed
            await eventually(lambda: feed.writer.events_stored >= 3, 10)
        assert w.fake.channel_messages(w.feed_channel) == []
        async with run_bot(w.fake, w.bot()) as bot:
            await settle(bot)
            submit_joins(bot, main.id, ["d"])
            await settle(bot)
        async with run_bot(w.fake, w.bot()) as bot:
            await settle(bot)
        got = [player(line) for line in lines(w.fake.channel_messages(w.feed_channel))]
        assert got == ["a", "b", "c", "d"]


async def test_watch_list_pings_only_the_chosen_role(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    guild = w.fake.guild(w.status.guild_id)
    mods = guild.add_role("Mods")
    watch_channel = guild.add_channel("watch")
    async with FakeA2SServer() as server, run_bot(w.fake, w.bot()) as bot:
        bot.services.poller.query_timeout = 0.2
        await register(bot, w.status.guild_id, "Main", server)
        await bot.services.poller.run_round()
        await w.feed_set("Main", "joins")
        added = await w.as_admin(
            "watch add",
            {"server": "Main", "name_or_guid": "TrOlL", "role": mods, "channel": watch_channel},
        )
        assert "Watching player **TrOlL** on **Main**" in (added.content or "")
        server.players = [PlayerSpec("troll"), PlayerSpec("@everyone")]
        server.info = InfoSpec(player_count=2)
        await bot.services.poller.run_round()
        await settle(bot)
        (ping,) = w.fake.channel_messages(watch_channel)
        assert ping["content"] == f"<@&{mods}>"
        assert ping["pings"].roles == (mods,) and not ping["pings"].everyone
        assert "watched player **troll** joined **Main**" in lines([ping])[0]
        assert [m["id"] for m in w.fake.pinging_messages()] == [ping["id"]]
        listing = await w.as_admin("watch list")
        assert (
            f"**TrOlL** on **Main** → <#{watch_channel}> · <@&{mods}>"
            in (listing.embeds[0]["description"])
        )
        removed = await w.as_admin("watch remove", {"server": "Main", "name_or_guid": "troll"})
        assert removed.content == "Stopped watching **TrOlL** on **Main**."
        server.players = []
        await bot.services.poller.run_round()
        server.players = [PlayerSpec("troll")]
        await bot.services.poller.run_round()
        await settle(bot)
        assert len(w.fake.channel_messages(watch_channel)) == 1


async def test_player_lookup_across_servers(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    async with FakeA2SServer() as one, FakeA2SServer() as two, run_bot(w.fake, w.bot()) as bot:
        bot.services.poller.query_timeout = 0.2
        await register(bot, w.status.guild_id, "One", one)
        await register(bot, w.status.guild_id, "Two", two)
        await bot.services.poller.run_round()
        one.players = [PlayerSpec("Alice"), PlayerSpec("bob")]
        await bot.services.poller.run_round()
        one.players = [PlayerSpec("bob")]
        two.players = [PlayerSpec("alice")]
        await bot.services.poller.run_round()
        two.players = []
        await bot.services.poller.run_round()
        await settle(bot)
        alice = await w.as_admin("player lookup", {"name": "ALICE"})
        text = alice.embeds[0]["description"]
        assert text.startswith("**alice** was last seen on **Two** <t:")
        assert "2 sessions on record" in text
        value = alice.embeds[0]["fields"][0]["value"]
        assert value.index("**Two**") < value.index("**One**")  # newest first
        assert alice.embeds[0]["footer"]["text"].startswith("≈")
        bob = await w.as_admin("player lookup", {"name": "bob"})
        assert "is online now on **One**" in bob.embeds[0]["description"]
        choices = await w.fake.autocomplete(
            w.status.guild_id, w.status.admin, "player lookup", {"name": "AL"}, "name"
        )
        assert [c["value"] for c in choices] == ["alice"]
        nobody = await w.as_admin("player lookup", {"name": "carol"})
        assert nobody.ephemeral and "No player by that name" in (nobody.content or "")


async def test_feed_commands_list_remove_and_refusals(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    async with FakeA2SServer() as server, run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.status.guild_id, "Main", server)
        await register(bot, w.status.guild_id, "Second", ("127.0.0.1", 9))
        bad = await w.feed_set("Main", "joins, jions")
        assert "Unknown event type:" in (bad.content or "")
        choices = await w.fake.autocomplete(
            w.status.guild_id,
            w.status.admin,
            "feed set",
            {"server": "Main", "channel": w.feed_channel, "events": "joins, l"},
            "events",
        )
        assert [c["value"] for c in choices] == ["joins, leaves"]
        await w.feed_set("Main", "chat")
        await w.as_admin("feed set", {"server": "Main", "channel": w.status.channel_id})
        # Several servers in one channel, and one server in several channels.
        await w.feed_set("Second", "status")
        listing = await w.as_admin("feed list")
        assert listing.embeds[0]["description"] == (
            f"**Main** → <#{w.feed_channel}> · chat\n"
            f"**Main** → <#{w.status.channel_id}> · all events\n"
            f"**Second** → <#{w.feed_channel}> · status"
        )
        removed = await w.as_admin("feed remove", {"server": "Main"})
        assert removed.content == "Removed 2 feeds of **Main**."
        again = await w.as_admin("feed remove", {"server": "Main"})
        assert again.content == "**Main** has no feed there."
        refused = await answered(
            await w.fake.slash(
                w.status.guild_id, w.status.member, "feed list", bypass_default_permissions=True
            )
        )
        assert "Manage Server" in (refused.content or "")
        assert bot.services.feed.feeds_of(1) == []
        # Every change went through the audit log (the refused one as denied).
        entries, _ = await bot.services.audit.page(
            AuditFilter(w.status.guild_id, action="feed"), 0, 10
        )
        assert [(e.action, e.outcome) for e in reversed(entries)] == [
            ("feed set", "ok"),
            ("feed set", "ok"),
            ("feed set", "ok"),
            ("feed remove", "ok"),
            ("feed remove", "denied"),
        ]
        assert entries[-1].server_name == "Main" and entries[-1].user_id == w.status.admin


async def test_feed_and_watch_commands_answer_before_the_full_reload(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    # The full reload reads every guild's feeds, watches and servers: held here until the end,
    # the commands still answer, and events right after each answer already follow the change.
    w = make_feed_world(fake_discord, tmp_path)
    watch_channel = w.fake.guild(w.status.guild_id).add_channel("watch")
    async with FakeA2SServer() as server, run_bot(w.fake, w.bot(FEED_BATCH_SECONDS="0.2")) as bot:
        main = await register(bot, w.status.guild_id, "Main", server)
        await settle(bot)
        gate = asyncio.Event()
        feeds_all, watches_all = bot.services.store.feeds.all, bot.services.store.watches.all
        held: list[str] = []

        async def slow_feeds() -> list[Feed]:
            held.append("feeds")
            await gate.wait()
            return await feeds_all()

        async def slow_watches() -> list[Watch]:
            await gate.wait()
            return await watches_all()

        bot.services.store.feeds.all = slow_feeds  # type: ignore[method-assign]
        bot.services.store.watches.all = slow_watches  # type: ignore[method-assign]
        admin, guild = w.status.admin, w.status.guild_id
        try:
            done = await answered(
                await w.fake.slash(
                    guild,
                    admin,
                    "feed set",
                    {"server": "Main", "channel": w.feed_channel, "events": "joins"},
                )
            )
            assert "go to" in (done.content or "")
            watched = await answered(
                await w.fake.slash(
                    guild,
                    admin,
                    "watch add",
                    {"server": "Main", "name_or_guid": "Vip", "channel": watch_channel},
                )
            )
            assert "Watching player **Vip**" in (watched.content or "")
            assert held and not gate.is_set()  # a reload is waiting: the answers came first
            submit_joins(bot, main.id, ["early", "vip"])
            await w.fake.wait_until(
                lambda: (
                    len(lines(w.fake.channel_messages(w.feed_channel))) >= 2
                    and len(w.fake.channel_messages(watch_channel)) >= 1
                )
            )
            gone = await answered(
                await w.fake.slash(guild, admin, "feed remove", {"server": "Main"})
            )
            assert "Removed 1 feed" in (gone.content or "")
            unwatched = await answered(
                await w.fake.slash(
                    guild, admin, "watch remove", {"server": "Main", "name_or_guid": "vip"}
                )
            )
            assert "Stopped watching" in (unwatched.content or "")
            submit_joins(bot, main.id, ["late", "vip"])
            feed = bot.services.feed
            await eventually(lambda: feed.writer.events_stored >= 4, 10)
        finally:
            gate.set()
        await settle(bot)
        for _ in range(100):  # bounded: the deferred reloads end once released
            if not bot.services.feed.subscriptions.reload_tasks:
                break
            await asyncio.sleep(0.02)
        await settle(bot)
        got = [player(line) for line in lines(w.fake.channel_messages(w.feed_channel))]
        assert got == ["early", "vip"]  # each once; nothing after the removal
        assert len(w.fake.channel_messages(watch_channel)) == 1
        assert bot.services.feed.feeds_of(main.id) == []


async def test_server_names_only_where_a_channel_carries_several_and_short_ids(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    from bot.services.feed import model as m
    from bot.storage.events import Event, PlayerIds

    w = make_feed_world(fake_discord, tmp_path)
    async with run_bot(w.fake, w.bot()) as bot:
        main = await register(bot, w.status.guild_id, "Main", ("127.0.0.1", 1))
        second = await register(bot, w.status.guild_id, "Second", ("127.0.0.1", 2))

        async def feed(server: str) -> None:
            await w.feed_set(server, "joins")

        steam = PlayerIds(steam_id="76561198000123456")
        await feed("Main")
        bot.services.feed.submit(Event(main.id, 1.0, m.JOIN, "alice", ids=steam, source="rcon"))
        await settle(bot)
        await feed("Second")
        bot.services.feed.submit(Event(main.id, 2.0, m.JOIN, "bob", source="rcon"))
        guid = "0123456789abcdef0123456789abcdef"
        bot.services.feed.submit(Event(second.id, 3.0, m.JOIN, "carl", guid=guid))
        await settle(bot)
        assert lines(w.fake.channel_messages(w.feed_channel)) == [
            "<t:1:T> ➡️ **alice** joined · `…00123456`",
            "<t:2:T> **Main** · ➡️ **bob** joined",
            "<t:3:T> **Second** · ➡️ **carl** joined · `…89abcdef`",
        ]
