"""Two real bot processes (``python -m bot run``), shards 0 and 1 of 2, sharing one database.

Every guild has a fake A2S server that players join, a status board and a live feed. The fake
Discord tags each process's REST requests, so the test sees that every board is edited by one
process only (its guild's shard), that every join is stored once and posted once, and that
only the process running shard 0 synced the commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.crypto import generate_key
from bot.services.feed import model as m
from bot.storage import NewServer, Store
from tests.bot.pgtest import fresh_database
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec, PlayerSpec
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord.ids import guild_id_on_shard

ROOT = Path(__file__).resolve().parents[2]
SHARDS = 2
GUILDS_PER_SHARD = 2


@dataclass
class Place:
    """One guild: its shard, channels, server and the players its A2S server reports."""

    shard: int
    guild_id: int
    board_channel: int
    feed_channel: int
    players: tuple[str, ...]
    server_id: int = 0


def tag(shard: int) -> str:
    return f"shard{shard}"


@contextlib.asynccontextmanager
async def database(kind: str, tmp_path: Path) -> AsyncIterator[dict[str, str]]:
    """The settings both processes share: one SQLite file, or one fresh PostgreSQL database."""
    if kind == "sqlite":
        yield {"DATABASE_PATH": str(tmp_path / "shared.sqlite3")}
        return
    async with fresh_database() as url:
        yield {"DATABASE_URL": url}


async def open_store(db_env: dict[str, str]) -> Store:
    if "DATABASE_URL" in db_env:
        return await Store.open_url(db_env["DATABASE_URL"])
    return await Store.open(Path(db_env["DATABASE_PATH"]))


async def seed(db_env: dict[str, str], places: list[Place], servers: list[FakeA2SServer]) -> None:
    store = await open_store(db_env)
    try:
        for place, a2s in zip(places, servers, strict=True):
            host, port = a2s.address
            server = await store.servers.add(
                NewServer(
                    place.guild_id, f"srv-{place.guild_id}", "cs2", host, port, port, None, None, 1
                )
            )
            place.server_id = server.id
            await store.boards.upsert(place.guild_id, place.board_channel, [], 1)
            await store.feeds.upsert(place.guild_id, server.id, place.feed_channel, m.ALL, 1)
    finally:
        await store.close()


def lines_in(fake: FakeDiscord, channel_id: int) -> list[str]:
    text: list[str] = []
    for message in fake.channel_messages(channel_id):
        text.append(message.get("content") or "")
        text.extend(str(e.get("description") or "") for e in message.get("embeds") or [])
    return text


def writers(fake: FakeDiscord, channel_id: int) -> set[str | None]:
    """Tags of the processes that posted or edited messages in a channel."""
    pattern = re.compile(rf"^/channels/{channel_id}/messages(/\d+)?$")
    return {
        client
        for client, method, path in fake.client_requests
        if method in ("POST", "PATCH") and pattern.match(path)
    }


async def stop(process: asyncio.subprocess.Process) -> str:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    return output.decode(errors="replace")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_two_processes_split_the_guilds(
    fake_discord: FakeDiscord, tmp_path: Path, backend: str
) -> None:
    fake = fake_discord
    places: list[Place] = []
    for shard in range(SHARDS):
        for index in range(GUILDS_PER_SHARD):
            guild = fake.add_guild(
                f"g{shard}{index}", guild_id=guild_id_on_shard(shard, SHARDS, index)
            )
            players = (f"Zulu{shard}{index}a", f"Yankee{shard}{index}b")
            places.append(
                Place(
                    shard, guild.id, guild.add_channel("status"), guild.add_channel("feed"), players
                )
            )
    # Empty at first: the first answer after a start is a baseline (nobody "joins"); the
    # players arrive once both processes have polled.
    servers = [FakeA2SServer(InfoSpec(player_count=0), []) for _ in places]
    async with contextlib.AsyncExitStack() as stack:
        for a2s in servers:
            await stack.enter_async_context(a2s)
        db_env = await stack.enter_async_context(database(backend, tmp_path))
        await seed(db_env, places, servers)
        # Written beforehand: both processes would otherwise race to create it.
        (tmp_path / ".env").write_text(f"OUTPOST_SECRET_KEY={generate_key()}\n")
        processes: list[asyncio.subprocess.Process] = []
        for shard in range(SHARDS):
            env = {
                **os.environ,
                **fake.subprocess_env(client=tag(shard)),
                **db_env,
                "SHARD_COUNT": str(SHARDS),
                "SHARD_IDS": str(shard),
                "FEED_BATCH_SECONDS": "0.05",
                "POLL_INTERVAL": "15",  # the shortest allowed: the joins come in round two
                "LOG_LEVEL": "INFO",
                "PYTHONPATH": str(ROOT),
            }
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "tests.fakes.discord.run_patched",
                    "bot",
                    "run",
                    cwd=tmp_path,
                    env=env,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.STDOUT,
                )
            )
        outputs: list[str] = []
        try:
            await fake.wait_shards(SHARDS, timeout=30)
            # A board is posted after its process's first poll round.
            await fake.wait_until(
                lambda: all(fake.channel_messages(p.board_channel) for p in places), timeout=30
            )
            for place, a2s in zip(places, servers, strict=True):
                a2s.players = [PlayerSpec(name) for name in place.players]
                a2s.info = InfoSpec(player_count=len(place.players))

            def everything_posted() -> bool:
                for place in places:
                    text = "\n".join(lines_in(fake, place.feed_channel))
                    if not all(p in text for p in place.players):
                        return False
                return True

            await fake.wait_until(everything_posted, timeout=40)
        finally:
            for process in processes:
                outputs.append(await stop(process))
        for process, output in zip(processes, outputs, strict=True):
            assert process.returncode == 0, output
        # The shared database: each join stored once (not once per process), no board paused.
        store = await open_store(db_env)
        try:
            for place in places:
                events = await store.events.after(place.server_id, 0, 0.0, (m.JOIN,))
                assert Counter(e.player for e in events) == Counter(place.players), place
            assert all(b.paused is None for b in await store.boards.all())
        finally:
            await store.close()

    # Each shard's process identified its own shard, once.
    assert sorted(fake.gateway.shards) == list(range(SHARDS))
    assert fake.gateway.identifies == SHARDS
    for place in places:
        owner = {tag(place.shard)}
        assert fake.shard_of(place.guild_id) == place.shard
        # Boards: posted (and edited) by the owning process only.
        assert writers(fake, place.board_channel) == owner, place
        assert len(fake.channel_messages(place.board_channel)) == 1
        # Feeds: every join posted exactly once, by the owning process.
        assert writers(fake, place.feed_channel) == owner, place
        text = "\n".join(lines_in(fake, place.feed_channel))
        assert {p: text.count(p) for p in place.players} == dict.fromkeys(place.players, 1)
    # Commands: synced by the process running shard 0 only.
    syncs = {
        c
        for c, method, path in fake.client_requests
        if method == "PUT" and path.endswith("/commands")
    }
    assert syncs == {tag(0)}
