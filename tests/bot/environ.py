"""The environment the settings tests load from: the least the bot starts with (a token and a
secret key), plus whatever a test sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.crypto import generate_key

TOKEN = (
    "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"  # a bot token's shape
)


def env(**values: str) -> dict[str, str]:
    """``TOKEN`` and a fresh secret key, then ``values``."""
    return {"DISCORD_TOKEN": TOKEN, "OUTPOST_SECRET_KEY": generate_key(), **values}


def assert_invalid(tmp_path: Path, name: str, value: str) -> None:
    """Settings with ``name=value`` are refused by a message that starts by naming ``name``."""
    with pytest.raises(ConfigError, match=f"^{name} is invalid"):
        load_settings(tmp_path / ".env", environ=env(**{name: value}))
