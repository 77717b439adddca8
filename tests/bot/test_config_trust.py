"""ALLOWED_GUILD_IDS and ALLOW_PRIVATE_ADDRESSES."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import load_settings
from tests.bot.environ import assert_invalid, env

A, B = 111111111111111111, 222222222222222222


def test_defaults_allow_every_guild_and_decide_private_addresses_at_start(
    tmp_path: Path,
) -> None:
    settings = load_settings(tmp_path / ".env", environ=env())
    assert settings.allowed_guild_ids is None and settings.guild_allowed(A)
    assert settings.allow_private_addresses is None


def test_allowlist_and_private_addresses(tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path / ".env",
        environ=env(ALLOWED_GUILD_IDS=f" {A}, {B} ", ALLOW_PRIVATE_ADDRESSES="off"),
    )
    assert settings.allowed_guild_ids == frozenset({A, B})
    assert settings.guild_allowed(B) and not settings.guild_allowed(333333333333333333)
    assert not settings.guild_allowed(None)  # DMs: not a listed guild
    assert settings.allow_private_addresses is False


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ALLOWED_GUILD_IDS", "12,abc"),
        ("ALLOWED_GUILD_IDS", ","),
        ("ALLOW_PRIVATE_ADDRESSES", "maybe"),
    ],
)
def test_bad_values_name_the_variable(tmp_path: Path, name: str, value: str) -> None:
    assert_invalid(tmp_path, name, value)
