"""The fake Discord's sharding: IDENTIFY's shard, per-shard READY/GUILD_CREATE, routing,
several sessions at once, GET /gateway/bot and per-process request tags."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import discord
from discord import app_commands
from discord.ext import commands

from tests.fakes.discord import FakeDiscord, run_bot
from tests.fakes.discord.gateway import IDENTIFY
from tests.fakes.discord.ids import guild_id_on_shard
from tests.fakes.discord.pytest_plugin import fake_discord
from tests.fakes.discord.run_patched import start_patched

__all__ = ["fake_discord"]


class ShardBot(commands.AutoShardedBot):
    """A sharded bot answering /where with the shard that received the interaction."""

    def __init__(self, *, shard_count: int | None, shard_ids: list[int] | None, sync: bool) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            shard_count=shard_count,
            shard_ids=shard_ids,
        )
        self.sync = sync
        self.seen_guilds: list[int] = []
        self.changed = asyncio.Event()

    async def until(self, predicate: Callable[[], bool]) -> None:
        """Until ``predicate()`` holds, re-checked after each gateway event handled."""
        async with asyncio.timeout(5):
            while not predicate():
                self.changed.clear()
                await self.changed.wait()

    async def on_socket_event_type(self, event_type: str) -> None:
        self.changed.set()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py waits 5 s between two IDENTIFYs of one process (Discord's limit); the
        # fake has no such limit.
        return None

    async def setup_hook(self) -> None:
        @app_commands.command(name="where", description="Which shard got this")
        async def where(interaction: discord.Interaction) -> None:
            await interaction.response.send_message(
                f"shard={interaction.guild.shard_id}" if interaction.guild else "no guild"
            )

        self.tree.add_command(where)
        if self.sync:
            await self.tree.sync()

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.seen_guilds.append(guild.id)
        self.changed.set()

    async def on_guild_channel_create(self, channel: discord.abc.GuildChannel) -> None:
        self.changed.set()


def identify_shards(fake: FakeDiscord) -> list[list[int] | None]:
    return [f["d"].get("shard") for f in fake.gateway.received if f.get("op") == IDENTIFY]


async def test_two_shard_processes_each_get_their_own_guilds(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    zero = [fake.add_guild(f"zero {i}", guild_id=guild_id_on_shard(0, 2, i)) for i in range(2)]
    one = [fake.add_guild(f"one {i}", guild_id=guild_id_on_shard(1, 2, i)) for i in range(3)]
    first = ShardBot(shard_count=2, shard_ids=[0], sync=True)
    second = ShardBot(shard_count=2, shard_ids=[1], sync=False)
    async with run_bot(fake, first), run_bot(fake, second):
        await fake.wait_shards(2)
        assert sorted(s for s in identify_shards(fake) if s) == [[0, 2], [1, 2]]
        assert {g.id for g in first.guilds} == {g.id for g in zero}
        assert {g.id for g in second.guilds} == {g.id for g in one}
        assert [fake.shard_of(g.id) for g in zero + one] == [0, 0, 1, 1, 1]
        # Interactions go to the websocket of the guild's shard.
        for guild, expected in ((zero[1], "shard=0"), (one[2], "shard=1")):
            handle = await fake.slash(guild.id, guild.owner_id, "where")
            await handle.wait_response()
            assert handle.content == expected
        # A guild joined later reaches only its shard's process.
        late = fake.add_guild("late", guild_id=guild_id_on_shard(1, 2, 7))
        await second.until(lambda: late.id in second.seen_guilds)
        assert late.id not in first.seen_guilds
        # Events inside a guild too (a channel created in a shard-0 guild).
        channel = zero[0].add_channel("news")
        await first.until(lambda: first.get_channel(channel) is not None)
        assert second.get_channel(channel) is None


async def test_gateway_bot_recommends_the_shard_count(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    fake.recommended_shards = 2
    guilds = [fake.add_guild(f"g{s}", guild_id=guild_id_on_shard(s, 2)) for s in (0, 1)]
    bot = ShardBot(shard_count=None, shard_ids=None, sync=True)
    async with run_bot(fake, bot):
        await fake.wait_shards(2)
        assert ("GET", "/gateway/bot") in fake.requests
        assert bot.shard_count == 2
        assert sorted(bot.shards) == [0, 1]
        assert {g.id for g in bot.guilds} == {g.id for g in guilds}
        assert {g.shard_id for g in bot.guilds} == {0, 1}


async def test_unsharded_identify_gets_every_guild(fake_discord: FakeDiscord) -> None:
    fake = fake_discord
    guilds = [fake.add_guild(f"g{s}", guild_id=guild_id_on_shard(s, 4)) for s in range(4)]
    bot = commands.Bot(command_prefix=commands.when_mentioned, intents=discord.Intents.default())
    async with run_bot(fake, bot):
        assert identify_shards(fake) == [None]
        assert {g.id for g in bot.guilds} == {g.id for g in guilds}
        assert all(fake.shard_of(g.id) == 0 for g in guilds)


async def test_child_process_requests_carry_their_tag(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    (tmp_path / "probe_login.py").write_text(
        "import asyncio, os, discord\n"
        "async def main():\n"
        "    client = discord.Client(intents=discord.Intents.none())\n"
        "    await client.login(os.environ['DISCORD_TOKEN'])\n"
        "    await client.close()\n"
        "asyncio.run(main())\n"
    )
    env = {
        **os.environ,
        **fake.subprocess_env(client="alpha"),
        "PYTHONPATH": os.pathsep.join([os.getcwd(), str(tmp_path)]),
    }
    proc = await start_patched("probe_login", env=env)
    output, _ = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, output.decode()
    assert ("GET", "/users/@me") in fake.requests_of("alpha")
    assert fake.requests_of("beta") == []
