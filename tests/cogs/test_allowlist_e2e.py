"""``ALLOWED_GUILD_IDS`` and the public-bot guard, end to end through the fake Discord."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import discord

from bot.app import OutpostBot
from tests.cogs.conftest import make_settings
from tests.fakes.discord import FakeDiscord, run_bot
from tests.fakes.discord.errors import MISSING_ACCESS

MANAGE = discord.Permissions(manage_guild=True).value
PUBLIC_WARNING = "this bot is public"


async def wait_for(condition: object, *, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.05)):  # bounded
        if callable(condition) and condition():
            return
        await asyncio.sleep(0.05)


async def test_leaves_guilds_outside_the_allowlist_at_start_and_on_join(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    ours = fake.add_guild("Ours")
    stranger = fake.add_guild("Stranger")
    settings = make_settings(fake, tmp_path, ALLOWED_GUILD_IDS=f"{ours.id}")
    async with run_bot(fake, OutpostBot(settings, guild_ready_timeout=0.05)) as bot:
        await wait_for(lambda: stranger.id in fake.left_guilds)
        assert fake.left_guilds == [stranger.id]
        assert [g.id for g in bot.guilds] == [ours.id]
        # Invited into another guild while running: it leaves at once.
        newcomer = fake.add_guild("Newcomer")
        await wait_for(lambda: newcomer.id in fake.left_guilds)
        assert fake.left_guilds == [stranger.id, newcomer.id]
        # Its own guild is served as usual.
        admin = ours.add_member("alice", roles=[ours.add_role("Admins", permissions=MANAGE)])
        listing = await fake.slash(ours.id, admin, "server list")
        await listing.wait_response()
        assert listing.ephemeral and listing.embeds


async def test_answers_nothing_in_a_guild_it_could_not_leave(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake = fake_discord
    ours = fake.add_guild("Ours")
    stranger = fake.add_guild("Stranger")
    member = stranger.add_member("eve", roles=[stranger.add_role("A", permissions=MANAGE)])
    fake.leave_error = MISSING_ACCESS
    settings = make_settings(fake, tmp_path, ALLOWED_GUILD_IDS=f"{ours.id}, {ours.id}")
    async with run_bot(fake, OutpostBot(settings, guild_ready_timeout=0.05)):
        await wait_for(lambda: ("DELETE", f"/users/@me/guilds/{stranger.id}") in fake.requests)
        handle = await fake.slash(stranger.id, member, "server list")
        await asyncio.sleep(0.5)
        assert not handle.responded
    # The unanswered interaction is the point here, not a broken rule.
    fake.pop_violations()


async def test_public_bot_without_allowlist_warns_once_and_refuses_private_addresses(
    fake_discord: FakeDiscord, tmp_path: Path, captured_log: io.StringIO
) -> None:
    fake = fake_discord
    fake.bot_public = True
    guild = fake.add_guild("Ours")
    admin = guild.add_member("alice", roles=[guild.add_role("Admins", permissions=MANAGE)])
    settings = make_settings(fake, tmp_path)
    async with run_bot(fake, OutpostBot(settings, guild_ready_timeout=0.05)) as bot:
        assert bot.allow_private_addresses is False
        add = await fake.slash(
            guild.id,
            admin,
            "server add",
            {"name": "Local", "address": "127.0.0.1:27015", "game": "other"},
        )
        await add.wait_response()
        assert "ALLOW_PRIVATE_ADDRESSES" in (add.content or "")
        assert await bot.services.store.servers.all() == []
    log = captured_log.getvalue()
    assert log.count(PUBLIC_WARNING) == 1
    assert "turn off public bot" in log.lower() and "ALLOWED_GUILD_IDS" in log


async def test_private_bot_or_allowlist_keeps_private_addresses_and_is_quiet(
    fake_discord: FakeDiscord, tmp_path: Path, captured_log: io.StringIO
) -> None:
    fake = fake_discord
    guild = fake.add_guild("Ours")
    async with run_bot(fake, OutpostBot(make_settings(fake, tmp_path))) as bot:
        assert bot.allow_private_addresses is True
    fake.bot_public = True
    settings = make_settings(fake, tmp_path, ALLOWED_GUILD_IDS=str(guild.id))
    async with run_bot(fake, OutpostBot(settings)) as bot:
        assert bot.allow_private_addresses is True
    # Explicitly off, even for a private bot.
    fake.bot_public = False
    settings = make_settings(fake, tmp_path, ALLOW_PRIVATE_ADDRESSES="false")
    async with run_bot(fake, OutpostBot(settings)) as bot:
        assert bot.allow_private_addresses is False
    assert PUBLIC_WARNING not in captured_log.getvalue()
