"""SIGINT/SIGTERM stop the running bot cleanly: loops cancelled, gateway and database closed."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from pathlib import Path

import pytest

from bot.app import OutpostBot
from bot.runner import serve
from tests.cogs.conftest import make_settings
from tests.fakes.discord import FakeDiscord, run_bot


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_signal_shuts_down_cleanly(
    fake_discord: FakeDiscord, tmp_path: Path, sig: signal.Signals
) -> None:
    fake_discord.add_guild("G")
    settings = make_settings(fake_discord, tmp_path)
    bot = OutpostBot(settings, guild_ready_timeout=0.05)
    loop_started = asyncio.Event()
    loop_cancelled = asyncio.Event()

    async def background() -> None:
        loop_started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            loop_cancelled.set()
            raise

    bot.add_background("probe", background)
    task = asyncio.create_task(serve(settings, bot=bot, shutdown_timeout=5.0))
    await asyncio.wait_for(loop_started.wait(), 10)  # started only after ready
    assert bot.is_ready()
    os.kill(os.getpid(), sig)
    assert await asyncio.wait_for(task, 5) == 0
    assert loop_cancelled.is_set()
    assert bot.is_closed()
    assert bot.services.store.closed
    # The handlers were removed again (False: there was nothing left to remove).
    loop = asyncio.get_running_loop()
    assert not loop.remove_signal_handler(signal.SIGTERM)
    assert not loop.remove_signal_handler(signal.SIGINT)


async def test_rejected_token_is_one_line(
    fake_discord: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(fake_discord, tmp_path, DISCORD_TOKEN="not.the.token")
    assert await serve(settings) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Discord rejected DISCORD_TOKEN" in err
    assert "not.the.token" not in err


async def test_newer_database_refuses_to_start(
    fake_discord: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(fake_discord, tmp_path)
    with sqlite3.connect(settings.database_path) as conn:
        conn.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TEXT NOT NULL)"
        )
        conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', 'x')")
    assert await serve(settings) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "schema version 999 but this Outpost only knows up to" in err


async def test_background_added_after_ready_runs_once(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    fake_discord.add_guild("G")
    bot = OutpostBot(make_settings(fake_discord, tmp_path), guild_ready_timeout=0.05)
    runs: list[str] = []
    done = asyncio.Event()

    async def job(name: str) -> None:
        runs.append(name)
        if len(runs) == 2:
            done.set()

    bot.add_background("early", lambda: job("early"))
    async with run_bot(fake_discord, bot):
        bot.add_background("late", lambda: job("late"))
        await asyncio.wait_for(done.wait(), 5)
        await asyncio.sleep(0)  # give a wrongly doubled task the chance to run
    assert sorted(runs) == ["early", "late"]
