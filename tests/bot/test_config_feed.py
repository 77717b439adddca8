"""The live-feed settings: batching window and per-channel queue limit."""

from __future__ import annotations

from pathlib import Path

import pytest
from dotenv import dotenv_values

from bot.config import load_settings
from tests.bot.environ import assert_invalid, env

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_and_values(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / ".env", environ=env())
    assert (settings.feed_batch_seconds, settings.feed_queue_limit) == (2.0, 500)
    settings = load_settings(
        tmp_path / ".env", environ=env(FEED_BATCH_SECONDS="0.5s", FEED_QUEUE_LIMIT="2000")
    )
    assert (settings.feed_batch_seconds, settings.feed_queue_limit) == (0.5, 2000)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FEED_BATCH_SECONDS", "0"),
        ("FEED_BATCH_SECONDS", "nan"),
        ("FEED_BATCH_SECONDS", "61"),
        ("FEED_BATCH_SECONDS", "soon"),
        ("FEED_QUEUE_LIMIT", "9"),
        ("FEED_QUEUE_LIMIT", "lots"),
    ],
)
def test_invalid_values_name_the_variable(tmp_path: Path, name: str, value: str) -> None:
    assert_invalid(tmp_path, name, value)


def test_env_example_documents_them(tmp_path: Path) -> None:
    values = dotenv_values(ROOT / ".env.example")
    assert values.get("FEED_BATCH_SECONDS") == "2"
    assert values.get("FEED_QUEUE_LIMIT") == "500"
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text())
    settings = load_settings(tmp_path / ".env", environ=env())
    assert (settings.feed_batch_seconds, settings.feed_queue_limit) == (2.0, 500)
