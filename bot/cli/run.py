"""`python -m bot run` (also plain `python -m bot`): start the bot.

On a first start there is no ``.env``: it is created from ``.env.example`` with a fresh
``OUTPOST_SECRET_KEY``, and the bot stops with one line asking for ``DISCORD_TOKEN``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.config import (
    DEFAULT_ENV_FILE,
    ConfigError,
    MissingTokenError,
    Settings,
    ensure_env_file,
    load_settings,
)
from bot.logsetup import setup_logging
from bot.runner import fail, run_async, serve
from bot.storage import StorageError, Store


def add_env_file_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env-file",
        type=Path,
        default=None,
        metavar="PATH",
        help=f"settings file (default: {DEFAULT_ENV_FILE} in the working directory); a relative "
        "DATABASE_PATH is resolved against its folder",
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run", help="start the bot (the default command)", description=__doc__
    )
    add_env_file_option(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    env_file: Path | None = args.env_file
    env_path = (env_file if env_file is not None else DEFAULT_ENV_FILE).absolute()
    try:
        created = ensure_env_file(env_path)
    except OSError as exc:
        return fail(f"cannot create {env_path}: {exc.strerror}")
    try:
        settings = load_settings(env_path, require_token=False)
    except ConfigError as exc:
        return fail(str(exc))
    if not settings.discord_token:
        # Migrate now, so the database is ready (and a database problem shows) before the token
        # is even set; with a token, setup_hook migrates as part of the start.
        try:
            run_async(lambda: _migrate(settings))
        except StorageError as exc:
            return fail(f"database {settings.database_url or settings.database_path}: {exc}")
        try:
            load_settings(env_path)
        except MissingTokenError as exc:
            if created:
                return fail(
                    f"created {env_path} with a new OUTPOST_SECRET_KEY; now set DISCORD_TOKEN "
                    "in it (Discord Developer Portal > your application > Bot > Reset Token)"
                )
            return fail(str(exc))
    setup_logging(settings.log_level_number, extra_secrets=[settings.discord_token])
    return run_async(lambda: serve(settings))


async def _migrate(settings: Settings) -> None:
    store = await Store.open_from_settings(settings)
    await store.close()
