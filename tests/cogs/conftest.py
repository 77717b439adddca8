"""Fixtures for the end-to-end tests: the fake Discord, a captured log, the app's settings."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

import cogs._rcon_ui
from bot.config import Settings, load_settings
from bot.crypto import generate_key
from bot.logsetup import secrets, setup_logging
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord.pytest_plugin import fake_discord

__all__ = ["captured_log", "fake_discord", "make_settings", "no_rcon_cooldown"]


def make_settings(fake: FakeDiscord, tmp_path: Path, **extra: str) -> Settings:
    """Real settings, read the way the bot reads them, with the database in ``tmp_path``."""
    key_file = tmp_path / "secret.key"
    if not key_file.exists():
        key_file.write_text(generate_key())
    environ = {
        "DISCORD_TOKEN": fake.token,
        "OUTPOST_SECRET_KEY": key_file.read_text(),
        "DATABASE_PATH": "outpost.sqlite3",
        "LOG_LEVEL": "DEBUG",
    }
    environ.update(extra)
    return load_settings(tmp_path / ".env", environ=environ)


@pytest.fixture
def captured_log() -> Iterator[io.StringIO]:
    """The application's own logging configuration, writing into a buffer."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    saved_levels = {n: logging.getLogger(n).level for n in ("discord.http", "discord.gateway")}
    handler = setup_logging(logging.DEBUG, stream=stream)
    yield stream
    root.removeHandler(handler)
    root.setLevel(saved[0])
    for name, level in saved_levels.items():
        logging.getLogger(name).setLevel(level)
    secrets.clear()


@pytest.fixture
def no_rcon_cooldown(monkeypatch: pytest.MonkeyPatch) -> None:
    """RCON commands back to back, without the per-user cooldown (it has its own test)."""
    monkeypatch.setattr(cogs._rcon_ui, "COOLDOWN_SECONDS", 0.0)
