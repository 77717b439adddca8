from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import (
    DEFAULT_POLL_INTERVAL,
    ConfigError,
    MissingTokenError,
    ensure_env_file,
    load_settings,
    read_variable,
)
from bot.crypto import generate_key, validate_key
from tests.bot.environ import TOKEN, env


def test_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / ".env", environ=env())
    assert settings.discord_token == TOKEN
    assert settings.database_path == tmp_path / "data" / "outpost.sqlite3"
    assert settings.dev_guild_id is None
    assert settings.log_level == "INFO"
    assert settings.poll_interval == DEFAULT_POLL_INTERVAL == 60.0
    assert settings.env_file is None


def test_env_file_values_and_environment_precedence(tmp_path: Path) -> None:
    key = generate_key()
    env_file = tmp_path / "conf" / "outpost.env"
    env_file.parent.mkdir()
    env_file.write_text(
        f"DISCORD_TOKEN={TOKEN}\nOUTPOST_SECRET_KEY={key}\nDATABASE_PATH=db/x.sqlite3\n"
        "DEV_GUILD_ID=123456789012345678\nLOG_LEVEL=debug\nPOLL_INTERVAL=15\n"
    )
    settings = load_settings(env_file, environ={"POLL_INTERVAL": "90"})
    assert settings.secret_key == key
    # Relative paths are resolved against the .env file's folder.
    assert settings.database_path == env_file.parent / "db" / "x.sqlite3"
    assert settings.dev_guild_id == 123456789012345678
    assert settings.log_level == "DEBUG"
    assert settings.poll_interval == 90.0  # the process environment wins
    assert settings.env_file == env_file


def test_settings_are_frozen_and_hide_secrets(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / ".env", environ=env())
    with pytest.raises(AttributeError):
        settings.log_level = "DEBUG"  # type: ignore[misc]
    assert TOKEN not in repr(settings)
    assert settings.secret_key not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("POLL_INTERVAL", "14", "POLL_INTERVAL is too small: expected at least 15"),
        ("POLL_INTERVAL", "soon", "POLL_INTERVAL is invalid: expected a number of seconds"),
        ("POLL_INTERVAL", "nan", "POLL_INTERVAL is too small"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL is invalid: expected one of DEBUG"),
        ("DEV_GUILD_ID", "my-guild", "DEV_GUILD_ID is invalid: expected a Discord server id"),
        ("OUTPOST_SECRET_KEY", "short", "OUTPOST_SECRET_KEY is invalid"),
        ("DISCORD_TOKEN", "Bot abc.def", "DISCORD_TOKEN is invalid"),
    ],
)
def test_bad_values_name_the_variable(tmp_path: Path, name: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path / ".env", environ=env(**{name: value}))
    message = str(info.value)
    assert message.startswith(expected)
    assert "\n" not in message
    if name in ("OUTPOST_SECRET_KEY", "DISCORD_TOKEN"):
        assert value not in message  # never echo a credential


def test_missing_values(tmp_path: Path) -> None:
    with pytest.raises(MissingTokenError, match="DISCORD_TOKEN is not set"):
        load_settings(tmp_path / ".env", environ={"OUTPOST_SECRET_KEY": generate_key()})
    with pytest.raises(ConfigError, match="OUTPOST_SECRET_KEY is not set"):
        load_settings(tmp_path / ".env", environ={"DISCORD_TOKEN": TOKEN})
    relaxed = load_settings(
        tmp_path / ".env", environ={"OUTPOST_SECRET_KEY": generate_key()}, require_token=False
    )
    assert relaxed.discord_token == ""


def test_database_path_must_not_be_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DATABASE_PATH is invalid"):
        load_settings(tmp_path / ".env", environ=env(DATABASE_PATH=str(tmp_path)))


def test_ensure_env_file_uses_template_with_fresh_key(tmp_path: Path) -> None:
    (tmp_path / ".env.example").write_text(
        "# doc\nDISCORD_TOKEN=\nOUTPOST_SECRET_KEY=\nLOG_LEVEL=INFO\n"
    )
    env_file = tmp_path / ".env"
    assert ensure_env_file(env_file) is True
    text = env_file.read_text()
    assert text.startswith("# doc\nDISCORD_TOKEN=\n")
    key = read_variable("OUTPOST_SECRET_KEY", env_file, environ={})
    assert key is not None
    validate_key(key)
    assert env_file.stat().st_mode & 0o077 == 0  # the token will live here
    # Never overwritten once it exists.
    assert ensure_env_file(env_file) is False
    assert env_file.read_text() == text


def test_ensure_env_file_keys_differ(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / ".env", tmp_path / "b" / ".env"
    ensure_env_file(first)
    ensure_env_file(second)
    assert read_variable("OUTPOST_SECRET_KEY", first, environ={}) != read_variable(
        "OUTPOST_SECRET_KEY", second, environ={}
    )
