"""Discord's shard formula, SHARD_IDS parsing, the ShardFilter and the shard settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.config import ConfigError, load_settings
from bot.crypto import generate_key
from bot.sharding import ShardFilter, ShardSpecError, parse_shard_ids, shard_of

SNOWFLAKES = st.integers(min_value=1 << 22, max_value=(1 << 63) - 1)


def test_shard_of_is_discords_formula() -> None:
    # The example of Discord's documentation: guild 197038439483310086 on 1000 shards.
    assert shard_of(197038439483310086, 1000) == (197038439483310086 >> 22) % 1000
    assert shard_of(41771983423143937, 2) == 0  # (41771983423143937 >> 22) is even
    assert shard_of(41771983423143937 + (1 << 22), 2) == 1


@pytest.mark.parametrize(
    ("text", "count", "expected"),
    [
        ("0-3", 4, (0, 1, 2, 3)),
        ("0,2", 4, (0, 2)),
        (" 3 , 0-1 ", 4, (0, 1, 3)),
        ("1-1,1", 2, (1,)),
        ("7", 8, (7,)),
    ],
)
def test_parse_shard_ids(text: str, count: int, expected: tuple[int, ...]) -> None:
    assert parse_shard_ids(text, count) == expected


@pytest.mark.parametrize(
    ("text", "count", "message"),
    [
        ("4", 4, "shard 4 does not exist with SHARD_COUNT=4"),
        ("0-4", 4, "does not exist"),
        ("3-1", 4, "not a range"),
        ("-1", 4, "expected shard ids"),
        ("a", 4, "expected shard ids"),
        ("0,,1", 4, "empty item"),
    ],
)
def test_parse_shard_ids_rejects(text: str, count: int, message: str) -> None:
    with pytest.raises(ShardSpecError, match=message):
        parse_shard_ids(text, count)


@given(guild_id=SNOWFLAKES, count=st.integers(min_value=1, max_value=64))
def test_exactly_one_process_owns_each_guild(guild_id: int, count: int) -> None:
    # One process per shard, or the shards split in two ranges: each guild has one owner.
    per_shard = [ShardFilter(count, (s,)) for s in range(count)]
    assert sum(f.owns(guild_id) for f in per_shard) == 1
    half = count // 2
    parts = [tuple(range(half)), tuple(range(half, count))]
    ranges = [ShardFilter(count, ids) for ids in parts if ids]
    assert sum(f.owns(guild_id) for f in ranges) == 1


@given(guild_id=SNOWFLAKES)
def test_unsharded_filter_owns_everything(guild_id: int) -> None:
    assert ShardFilter.everything().owns(guild_id)


def test_filter_keeps_its_guilds_and_syncs_on_shard_zero() -> None:
    class Item:
        def __init__(self, guild_id: int) -> None:
            self.guild_id = guild_id

    items = [Item(n << 22) for n in range(6)]
    mine = ShardFilter(3, (1,))
    assert [i.guild_id >> 22 for i in mine.keep(items)] == [1, 4]
    assert not mine.syncs_commands
    assert ShardFilter(3, (0, 2)).syncs_commands
    assert ShardFilter.everything().syncs_commands
    assert mine.describe() == "shards 1 of 3"
    with pytest.raises(ShardSpecError):
        ShardFilter(2, (2,))
    with pytest.raises(ShardSpecError):
        ShardFilter(0, ())


def settings_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "DISCORD_TOKEN": "abc.def",
        "OUTPOST_SECRET_KEY": generate_key(),
        "DATABASE_PATH": str(tmp_path / "db.sqlite3"),
        **extra,
    }


def test_settings_without_shards_are_one_process(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / ".env", environ=settings_env(tmp_path))
    assert (settings.shard_count, settings.shard_ids) == (None, None)
    assert settings.shards == ShardFilter.everything()
    assert settings.metrics_port is None
    assert settings.metrics_host == "127.0.0.1"


def test_settings_with_shards(tmp_path: Path) -> None:
    env = settings_env(
        tmp_path, SHARD_COUNT="4", SHARD_IDS="2-3", METRICS_PORT="9108", METRICS_HOST="0.0.0.0"
    )
    settings = load_settings(tmp_path / ".env", environ=env)
    assert (settings.shard_count, settings.shard_ids) == (4, (2, 3))
    assert settings.shards == ShardFilter(4, (2, 3))
    assert (settings.metrics_host, settings.metrics_port) == ("0.0.0.0", 9108)
    # SHARD_COUNT alone: this process runs every shard.
    every = load_settings(tmp_path / ".env", environ=settings_env(tmp_path, SHARD_COUNT="3"))
    assert every.shards == ShardFilter(3, (0, 1, 2))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"SHARD_IDS": "0"}, "SHARD_IDS is set but SHARD_COUNT is not"),
        ({"SHARD_COUNT": "0"}, "SHARD_COUNT is invalid"),
        ({"SHARD_COUNT": "two"}, "SHARD_COUNT is invalid"),
        ({"SHARD_COUNT": "2", "SHARD_IDS": "2"}, "SHARD_IDS is invalid: shard 2 does not exist"),
        ({"METRICS_PORT": "70000"}, "METRICS_PORT is invalid"),
        ({"METRICS_PORT": "http"}, "METRICS_PORT is invalid"),
    ],
)
def test_settings_reject_bad_shards(tmp_path: Path, extra: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(tmp_path / ".env", environ=settings_env(tmp_path, **extra))
