"""``/rcon`` end to end against Source RCON servers as they behave in the wild: one that zeroes
every id (Palworld style) and one that drops the connection during login."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import OutpostBot
from bot.services.rcon.pool import ConnectionState
from tests.cogs.conftest import make_settings
from tests.cogs.rcon_world import PASSWORD, followup_text, register, seed_guild, source_answers
from tests.fakes.discord import FakeDiscord, run_bot
from tests.fakes.rcon_server import FakeRCONServer

pytestmark = pytest.mark.usefixtures("no_rcon_cooldown")


def make_bot(fake: FakeDiscord, tmp_path: Path) -> OutpostBot:
    return OutpostBot(
        make_settings(fake, tmp_path),
        guild_ready_timeout=0.05,
        autopoll=False,
        rcon_connect_timeout=1.0,
    )


def palworld_answers(command: str) -> str:
    # Palworld's own player list (the catalogue's "players" command for it); srcds' otherwise.
    if command == "ShowPlayers":
        return "name,playeruid,steamid\nAnn,123456789,76561198000000001\n"
    return source_answers(command)


@pytest.mark.parametrize("game", ["other_source", "palworld"])
async def test_players_from_a_server_that_zeroes_every_id(
    fake_discord: FakeDiscord, tmp_path: Path, game: str
) -> None:
    ids = seed_guild(fake_discord)
    async with (
        FakeRCONServer(password=PASSWORD, handler=palworld_answers, profile="palworld") as source,
        run_bot(fake_discord, make_bot(fake_discord, tmp_path)) as bot,
    ):
        await register(bot, ids["guild_id"], "Pal", game, source.address[1])
        text = await followup_text(
            await fake_discord.slash(
                ids["guild_id"], ids["admin"], "rcon players", {"server": "Pal"}
            )
        )
    assert "Ann" in text
    assert "did not answer" not in text


async def test_a_drop_during_login_is_retried_not_taken_for_a_wrong_password(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    ids = seed_guild(fake_discord)
    async with (
        FakeRCONServer(password=PASSWORD, handler=source_answers) as source,
        run_bot(fake_discord, make_bot(fake_discord, tmp_path)) as bot,
    ):
        server = await register(bot, ids["guild_id"], "Main", "cs2", source.address[1])
        # Slow enough that the unban comes before a third closed login in a row (the cap that
        # stops a wrong Squad password, tested below).
        pool = bot.services.rcon_pool
        pool.options = replace(pool.options, backoff_initial=2.0, backoff_max=4.0)
        source.banned = True  # drops every connection before answering the AUTH packet
        first = await followup_text(
            await fake_discord.slash(
                ids["guild_id"], ids["admin"], "rcon players", {"server": "Main"}
            )
        )
        assert "was refused" not in first
        assert "closed the connection during the RCON login" in first
        source.unban()
        # No edit of the server: RCON comes back by itself.
        async with asyncio.timeout(10):  # the pool exposes no event for its state
            while True:
                if bot.services.rcon_pool.state(server.id) is ConnectionState.CONNECTED:
                    break
                await asyncio.sleep(0.02)
        second = await followup_text(
            await fake_discord.slash(
                ids["guild_id"], ids["admin"], "rcon players", {"server": "Main"}
            )
        )
    assert "Ann" in second
    assert source.failed_auth == 0


async def test_a_wrong_squad_password_is_not_sent_again_and_again(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    # Squad closes the connection on a wrong password instead of refusing it.
    ids = seed_guild(fake_discord)
    async with (
        FakeRCONServer(password="the-real-one", profile="squad", max_failed_auth=1000) as source,
        run_bot(fake_discord, make_bot(fake_discord, tmp_path)) as bot,
    ):
        await register(bot, ids["guild_id"], "Squad", "squad", source.address[1])
        pool = bot.services.rcon_pool
        # Fast retries.
        pool.options = replace(pool.options, backoff_initial=0.05, backoff_max=0.2)
        texts = []
        for _ in range(2):
            texts.append(
                await followup_text(
                    await fake_discord.slash(
                        ids["guild_id"],
                        ids["admin"],
                        "rcon say",
                        {"server": "Squad", "message": "hi"},
                    )
                )
            )
        await asyncio.sleep(0.5)  # several backoff periods
    assert "keeps closing the connection at login" in texts[1]
    assert "Squad closes on a wrong password" in texts[1] and "banned" in texts[1]
    assert PASSWORD not in texts[1]
    assert source.auth_attempts == 3 and source.received == []
