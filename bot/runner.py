"""Running the bot until a signal: SIGINT and SIGTERM shut it down cleanly.

``docker stop`` sends SIGTERM, which by default kills Python without cleanup; here both signals
set an event, and the bot is closed (background loops, cogs, HTTP, gateway, then the database)
within ``shutdown_timeout`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import aiohttp
import discord

from bot.app import OutpostBot, create_bot
from bot.config import Settings
from bot.logsetup import secrets
from bot.metrics import MetricsError
from bot.storage import StorageError

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT = 10.0
T = TypeVar("T")


def fail(message: str) -> int:
    """Print one line for the operator and return the exit status for it.

    The line bypasses logging, so it is redacted here: a driver error may quote a secret.
    """
    print(f"outpost: {secrets.redact(message)}", file=sys.stderr)
    return 1


def run_async(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run on uvloop when it is installed (the ``fast`` extra), else on asyncio's loop."""
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    try:
        import uvloop
    except ImportError:
        pass
    else:
        loop_factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        return runner.run(main())


async def serve(
    settings: Settings,
    *,
    bot: OutpostBot | None = None,
    shutdown_timeout: float = SHUTDOWN_TIMEOUT,
) -> int:
    """Log in, run until a signal or a fatal error; return the exit status."""
    bot = bot if bot is not None else create_bot(settings)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    installed: list[signal.Signals] = []
    # Windows loops have no add_signal_handler, and only the main thread may set handlers;
    # there Ctrl+C still raises KeyboardInterrupt as usual.
    if sys.platform != "win32" and threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    try:
        async with bot:
            runner = asyncio.create_task(bot.start(settings.discord_token), name="outpost:bot")
            waiter = asyncio.create_task(stop.wait(), name="outpost:signals")
            await asyncio.wait({runner, waiter}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if runner.done():
                runner.result()  # re-raise a fatal error; a clean return means bot.close()
                return 0
            log.info("shutdown requested, closing")
            try:
                await asyncio.wait_for(bot.close(), shutdown_timeout)
            except TimeoutError:
                log.warning("shutdown took longer than %.0f s, cancelling", shutdown_timeout)
            if not runner.done():
                runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await runner
            log.info("stopped")
            return 0
    except discord.LoginFailure:
        return fail(
            "Discord rejected DISCORD_TOKEN: copy a fresh one (Developer Portal > Bot > Reset "
            "Token) into the .env file"
        )
    except MetricsError as exc:
        return fail(str(exc))
    except StorageError as exc:
        return fail(f"database {settings.database_url or settings.database_path}: {exc}")
    except (aiohttp.ClientConnectionError, discord.GatewayNotFound) as exc:
        return fail(f"cannot reach Discord: {exc.__class__.__name__}; check the network")
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
