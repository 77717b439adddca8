"""The status settings: history retention, offline rule, presence."""

from __future__ import annotations

from pathlib import Path

import pytest
from dotenv import dotenv_values

from bot.config import load_settings
from bot.crypto import generate_key
from tests.bot.environ import assert_invalid, env

ROOT = Path(__file__).resolve().parents[2]


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / ".env", environ=env())
    assert settings.history_retention_days == 30
    assert settings.offline_after_failures == 2
    assert settings.presence is False


def test_values(tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path / ".env",
        environ=env(HISTORY_RETENTION_DAYS="7", OFFLINE_AFTER_FAILURES="3", PRESENCE="on"),
    )
    assert (settings.history_retention_days, settings.offline_after_failures) == (7, 3)
    assert settings.presence is True


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HISTORY_RETENTION_DAYS", "0"),
        ("HISTORY_RETENTION_DAYS", "ten"),
        ("OFFLINE_AFTER_FAILURES", "0"),
        ("OFFLINE_AFTER_FAILURES", "21"),
        ("PRESENCE", "maybe"),
    ],
)
def test_invalid_values_name_the_variable(tmp_path: Path, name: str, value: str) -> None:
    assert_invalid(tmp_path, name, value)


def test_env_example_documents_and_parses_the_new_settings(tmp_path: Path) -> None:
    values = dotenv_values(ROOT / ".env.example")
    for name in ("HISTORY_RETENTION_DAYS", "OFFLINE_AFTER_FAILURES", "PRESENCE"):
        assert values.get(name), name
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    settings = load_settings(
        tmp_path / ".env", environ={"DISCORD_TOKEN": "tok", "OUTPOST_SECRET_KEY": generate_key()}
    )
    assert settings.presence is False and settings.offline_after_failures == 2
