"""Run a real discord.py client or bot against a ``FakeDiscord`` and stop it cleanly."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator
from typing import TypeVar

import discord
from discord.gateway import KeepAliveHandler

from .fake import FakeDiscord

ClientT = TypeVar("ClientT", bound=discord.Client)

# discord.py waits this long after the last GUILD_CREATE before on_ready (2 s by default).
GUILD_READY_TIMEOUT = 0.05


@contextlib.asynccontextmanager
async def run_bot(
    fake: FakeDiscord,
    bot: ClientT,
    *,
    timeout: float = 10.0,  # bounds start-up and shutdown separately
) -> AsyncIterator[ClientT]:
    """Start ``bot.start(fake.token)`` as a task, yield once it is ready, close it at exit.

    Patches discord.py's URLs for the duration (harmless if ``fake_discord`` already did) and
    shortens ``guild_ready_timeout``. If the bot fails to start (``LoginFailure``, an
    exception in ``setup_hook`` such as ``CommandSyncFailure``...) that exception is raised
    here instead of a timeout; an exception the bot's task ends with is raised at exit.
    """
    state = bot._connection
    state.guild_ready_timeout = min(state.guild_ready_timeout, GUILD_READY_TIMEOUT)
    threads_before = set(threading.enumerate())
    with fake.patched():
        task = asyncio.create_task(bot.start(fake.token), name="fake-discord-bot")
        ready = asyncio.create_task(bot.wait_until_ready(), name="fake-discord-bot-ready")
        started = False
        try:
            done, _ = await asyncio.wait(
                {task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if task in done:
                task.result()  # the start-up error
                raise RuntimeError("the bot stopped before it became ready")
            if ready not in done:
                raise TimeoutError(
                    f"the bot was not ready within {timeout} s "
                    f"(last requests: {fake.requests[-5:]})"
                )
            started = True
            yield bot
        finally:
            ready.cancel()
            await asyncio.gather(ready, return_exceptions=True)
            await bot.close()
            finished, _ = await asyncio.wait({task}, timeout=timeout)
            if not finished:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                raise TimeoutError(f"the bot did not stop within {timeout} s of close()")
            await _join_heartbeat_threads(set(threading.enumerate()) - threads_before, timeout)
        error = None if task.cancelled() else task.exception()
        if started and error is not None:
            raise error


async def _join_heartbeat_threads(threads: set[threading.Thread], seconds: float) -> None:
    """Wait for discord.py's heartbeat threads, which exit on their own soon after close().

    They are plain threads with no awaitable end, so this checks them every few milliseconds
    (bounded by ``seconds``) instead of blocking the event loop in ``join``.
    """
    deadline = time.monotonic() + seconds
    for thread in threads:
        if not isinstance(thread, KeepAliveHandler):
            continue
        while thread.is_alive():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{thread.name} still running {seconds} s after close()")
            await asyncio.sleep(0.005)
