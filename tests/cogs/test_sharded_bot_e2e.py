"""Two sharded bots in one process (shards 0 and 1 of 2) against the fake Discord: each serves
only its own guilds, in every service, and only shard 0 syncs the commands."""

from __future__ import annotations

from pathlib import Path

from bot.app import OutpostBot, ShardedOutpostBot, create_bot
from bot.services.feed import model as m
from bot.services.rcon.pool import ConnectionState
from bot.storage import NewServer
from tests.cogs.conftest import make_settings
from tests.cogs.status_world import register
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec, PlayerSpec
from tests.fakes.discord import FakeDiscord, run_bot
from tests.fakes.discord.ids import guild_id_on_shard
from tests.fakes.rcon_server import FakeRCONServer


def sharded(fake: FakeDiscord, tmp_path: Path, shard: int) -> OutpostBot:
    settings = make_settings(fake, tmp_path, SHARD_COUNT="2", SHARD_IDS=str(shard))
    bot = create_bot(settings, guild_ready_timeout=0.05, autopoll=False)
    assert isinstance(bot, ShardedOutpostBot)
    return bot


async def test_each_shard_serves_only_its_guilds(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    fake = fake_discord
    guilds = [fake.add_guild(f"g{s}", guild_id=guild_id_on_shard(s, 2)) for s in (0, 1)]
    channels = [g.add_channel("status") for g in guilds]
    zero, one = sharded(fake, tmp_path, 0), sharded(fake, tmp_path, 1)
    a2s = [FakeA2SServer(InfoSpec(player_count=1), [PlayerSpec(f"P{s}")]) for s in (0, 1)]
    rcon = FakeRCONServer(password="hunter22")
    async with a2s[0], a2s[1], rcon, run_bot(fake, zero), run_bot(fake, one):
        await fake.wait_shards(2)
        # Commands: synced once, by shard 0; shard 1 left them alone.
        assert (zero.commands_synced, one.commands_synced) == (True, False)
        assert fake.sync_requests == 1
        assert [g.id for g in zero.guilds] == [guilds[0].id]
        assert [g.id for g in one.guilds] == [guilds[1].id]

        servers = [await register(one, g.id, f"s{i}", a2s[i]) for i, g in enumerate(guilds)]
        for guild, channel, server in zip(guilds, channels, servers, strict=True):
            await one.services.store.alerts.upsert(guild.id, server.id, channel, None, 1, None)
            await one.services.store.feeds.upsert(guild.id, server.id, channel, m.ALL, 1)

        # Poller and alerts: shard 0's round queries and checks only its own guild's server.
        report = await zero.services.poller.run_round()
        assert (report.targets, a2s[0].requests > 0, a2s[1].requests) == (1, True, 0)
        alerts = {a.guild_id: a.last_state for a in await one.services.store.alerts.all()}
        assert alerts[guilds[0].id] is not None and alerts[guilds[1].id] is None
        assert [s.id for s in zero.services.poller.servers_of(guilds[0].id)] == [servers[0].id]
        assert zero.services.poller.servers_of(guilds[1].id) == []
        report = await one.services.poller.run_round()
        assert report.targets == 1 and a2s[1].requests > 0
        assert one.services.poller.servers_of(guilds[0].id) == []
        alerts = {a.guild_id: a.last_state for a in await one.services.store.alerts.all()}
        assert alerts[guilds[1].id] is not None
        # Feeds: each process routes the events of its own servers only.
        await zero.services.feed.reload()
        await one.services.feed.reload()
        assert [len(zero.services.feed.feeds_of(s.id)) for s in servers] == [1, 0]
        assert [len(one.services.feed.feeds_of(s.id)) for s in servers] == [0, 1]
        # Boards: the process of the other shard never touches (nor pauses) a board.
        for guild, channel in zip(guilds, channels, strict=True):
            await one.services.store.boards.upsert(guild.id, channel, [], 1)
        await one.services.boards.update_all()
        assert fake.channel_messages(channels[0]) == []
        assert len(fake.channel_messages(channels[1])) == 1
        await zero.services.boards.update_all()
        assert len(fake.channel_messages(channels[0])) == 1
        assert all(b.paused is None for b in await one.services.store.boards.all())
        # RCON pool: holding a server of another shard's guild opens nothing.
        host, port = rcon.address
        token = one.secret_box.encrypt("hunter22")
        held = [
            await one.services.store.servers.add(
                NewServer(g.id, f"r{i}", "cs2", host, port, port, port, token, 1)
            )
            for i, g in enumerate(guilds)
        ]
        zero.services.rcon_pool.hold(held[1])
        one.services.rcon_pool.hold(held[0])
        assert zero.services.rcon_pool.state(held[1].id) is ConnectionState.IDLE
        assert one.services.rcon_pool.state(held[0].id) is ConnectionState.IDLE
        assert rcon.connections_made == 0
        one.services.rcon_pool.hold(held[1])
        assert one.services.rcon_pool.state(held[1].id) is not ConnectionState.IDLE
