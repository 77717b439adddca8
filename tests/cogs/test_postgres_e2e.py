"""The bot on PostgreSQL (``DATABASE_URL``), end to end: ``/server add`` through the password
modal, ``/status`` from a poll round, a live-feed delivery, and a restart that keeps it all."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import OutpostBot
from bot.storage.audit import AuditFilter
from tests.bot.pgtest import fresh_database
from tests.cogs.conftest import make_settings
from tests.cogs.feed_world import lines, player, settle, submit_joins
from tests.cogs.status_world import answered, cs2_fakes, server_add
from tests.fakes.discord import FakeDiscord, run_bot

PASSWORD = "Pg-e2e-RCON-pa55"
MANAGE = 1 << 5  # manage_guild


def feed_lines(fake: FakeDiscord, channel: int) -> list[str]:
    """Player names of the feed lines in ``channel`` (command answers posted there aside)."""
    return [
        player(line) for line in lines(fake.channel_messages(channel)) if line.startswith("<t:")
    ]


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    async with fresh_database() as url:
        yield url


async def test_server_add_status_and_feed_on_postgres(
    fake_discord: FakeDiscord,
    tmp_path: Path,
    database_url: str,
    captured_log: io.StringIO,
) -> None:
    fake = fake_discord
    guild = fake.add_guild("Alpha")
    admin = guild.add_member("alice", roles=[guild.add_role("Admins", permissions=MANAGE)])
    member = guild.add_member("bob")
    feed_channel = guild.add_channel("feed")
    settings = make_settings(fake, tmp_path, DATABASE_URL=database_url, FEED_BATCH_SECONDS="0.1")

    def new_bot() -> OutpostBot:
        return OutpostBot(settings, guild_ready_timeout=0.05, autopoll=False)

    async with cs2_fakes(PASSWORD) as (a2s, rcon):
        host, port = a2s.address
        async with run_bot(fake, new_bot()) as bot:
            assert bot.services.store.dialect == "postgresql"
            submitted = await server_add(
                fake, guild.id, admin, "Main", f"{host}:{port}", "cs2", rcon.address[1], PASSWORD
            )
            added = await submitted.wait_followup()
            assert added["embeds"][0]["title"] == "Server Main added"
            stored = await bot.services.store.servers.get(guild.id, "main")
            assert stored is not None and stored.rcon_password is not None
            assert PASSWORD not in stored.rcon_password
            assert bot.services.registry.password_of(stored) == PASSWORD

            await bot.services.poller.run_round()
            status = await answered(
                await fake.slash(guild.id, member, "status", {"server": "main"})
            )
            embed = status.embeds[0]
            assert embed["title"] == "Main"
            assert "**5/20** players" in embed["description"]
            assert await bot.services.store.history.count() == 1

            await answered(
                await fake.slash(
                    guild.id,
                    admin,
                    "feed set",
                    {"server": "Main", "channel": feed_channel, "events": "joins"},
                )
            )
            submit_joins(bot, stored.id, ["alice", "bob"])
            await settle(bot)
            assert feed_lines(fake, feed_channel) == ["alice", "bob"]

        # A second start on the same database: nothing re-delivered, the audit trail kept.
        async with run_bot(fake, new_bot()) as bot:
            await settle(bot)
            assert feed_lines(fake, feed_channel) == ["alice", "bob"]
            actions = [
                e.action
                for e in await bot.services.store.audit.search(AuditFilter(guild.id), limit=10)
            ]
            assert "server add" in actions and "feed set" in actions
            assert fake.sync_requests == 1
    log_text = captured_log.getvalue()
    assert "migrated to version" in log_text  # the first start migrated the PostgreSQL database
    assert PASSWORD not in log_text
