"""``DATABASE_URL``: parsing, validation in the settings, and the password kept out of sight."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.logsetup import secrets, setup_logging
from bot.storage import DatabaseUnavailableError, Store
from bot.storage.urls import DatabaseUrlError, parse_database_url
from tests.bot.environ import env
from tests.bot.pgtest import HOST, PORT, fresh_database

PASSWORD = "pg-Secret-9f3k"


@pytest.fixture(autouse=True)
def clean_secrets() -> Iterator[None]:
    yield
    secrets.clear()


def test_postgres_url_is_parsed_and_redacted() -> None:
    url = parse_database_url(f"postgresql://outpost:{PASSWORD}@db.example:6432/outpost?x=1")
    assert url.kind == "postgresql"
    assert url.password == PASSWORD
    assert url.redacted == "postgresql://outpost:***@db.example:6432/outpost"
    assert str(url) == url.redacted
    assert PASSWORD not in repr(url)
    assert parse_database_url("postgres://u@h/d").redacted == "postgresql://u@h/d"
    assert parse_database_url("postgresql://h/d").password is None
    encoded = parse_database_url("postgresql://u:p%40ss%2Fword@h/d")
    assert encoded.password == "p@ss/word"
    assert encoded.secret_forms == ("p%40ss%2Fword", "p@ss/word")


def test_sqlite_url_gives_a_path(tmp_path: Path) -> None:
    url = parse_database_url(f"sqlite:///{tmp_path}/o.sqlite3")
    assert url.kind == "sqlite" and url.sqlite_path == tmp_path / "o.sqlite3"
    assert parse_database_url("sqlite:///data/o.sqlite3").sqlite_path == Path("data/o.sqlite3")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("outpost.sqlite3", "expected postgresql://"),
        ("mysql://u@h/d", "unsupported scheme 'mysql'"),
        (f"postgresql://u:{PASSWORD}@/d", "has no host"),
        (f"postgresql://u:{PASSWORD}@h", "has no database name"),
        (f"postgresql://u:{PASSWORD}@h:99999/d", "malformed PostgreSQL URL"),
        ("sqlite://relative", "sqlite:///path"),
    ],
)
def test_bad_urls_are_explained_without_the_password(raw: str, message: str) -> None:
    with pytest.raises(DatabaseUrlError, match=message) as info:
        parse_database_url(raw)
    assert PASSWORD not in str(info.value)


def test_settings_select_postgres_only_with_database_url(tmp_path: Path) -> None:
    assert load_settings(tmp_path / ".env", environ=env()).database_url is None
    assert load_settings(tmp_path / ".env", environ=env(DATABASE_URL="")).database_url is None
    settings = load_settings(
        tmp_path / ".env", environ=env(DATABASE_URL=f"postgresql://o:{PASSWORD}@h/outpost")
    )
    assert settings.database_url is not None and settings.database_url.kind == "postgresql"
    assert PASSWORD not in repr(settings)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (f"postgresql://o:{PASSWORD}@h", "DATABASE_URL is invalid: the PostgreSQL URL has no"),
        ("sqlite:///x.sqlite3", "DATABASE_URL is invalid: .*set DATABASE_PATH"),
        (f"pg://o:{PASSWORD}@h/d", "DATABASE_URL is invalid: unsupported scheme"),
    ],
)
def test_settings_reject_bad_database_url(tmp_path: Path, raw: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(tmp_path / ".env", environ=env(DATABASE_URL=raw))
    assert PASSWORD not in str(info.value)


async def test_opening_registers_the_password_for_redaction(tmp_path: Path) -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    handler = setup_logging(logging.INFO, stream=stream)
    try:
        async with fresh_database() as plain:
            # Trust auth ignores the password, which makes it a safe value to leak-test.
            url = plain.replace(f"postgres@{HOST}:{PORT}", f"postgres:{PASSWORD}@{HOST}:{PORT}")
            settings = load_settings(tmp_path / ".env", environ=env(DATABASE_URL=url))
            store = await Store.open_from_settings(settings)
            try:
                assert store.dialect == "postgresql"
                assert PASSWORD not in str(store.path)
                logging.getLogger("test").error("could not reach %s", url)
            finally:
                await store.close()
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
    assert PASSWORD in secrets
    text = stream.getvalue()
    assert "could not reach" in text and "migrated to version" in text
    assert PASSWORD not in text


async def test_without_database_url_the_sqlite_file_is_used(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / ".env", environ=env(DATABASE_PATH="o.sqlite3"))
    store = await Store.open_from_settings(settings)
    try:
        assert store.dialect == "sqlite" and store.path == tmp_path / "o.sqlite3"
    finally:
        await store.close()
    assert (tmp_path / "o.sqlite3").is_file()


async def test_unreachable_server_is_a_storage_error_without_the_password() -> None:
    with pytest.raises(DatabaseUnavailableError) as info:
        await Store.open_url(f"postgresql://o:{PASSWORD}@127.0.0.1:1/outpost")
    message = str(info.value)
    assert message.startswith("cannot connect to postgresql://o:***@127.0.0.1:1/outpost: ")
    assert PASSWORD not in message
