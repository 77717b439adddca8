"""Typed, frozen settings read from the environment and a ``.env`` file.

Where files live: the ``.env`` file is ``./.env`` (the working directory) unless ``--env-file``
names another one. ``.env.example`` is looked for beside that ``.env``, then in the project
checkout. A relative ``DATABASE_PATH`` is resolved against the directory holding the ``.env``
file, so ``make run`` in the checkout keeps its data in ``./data/``.

Variables already set in the process environment win over the ``.env`` file (python-dotenv's
rule), which is what container deployments expect.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from bot.crypto import SecretKeyError, generate_key, validate_key
from bot.sharding import MAX_SHARD_COUNT, ShardFilter, ShardSpecError, parse_shard_ids
from bot.storage.urls import DatabaseUrl, DatabaseUrlError, parse_database_url

DEFAULT_ENV_FILE = Path(".env")
DEFAULT_DATABASE_PATH = "data/outpost.sqlite3"
DEFAULT_POLL_INTERVAL = 60.0
MIN_POLL_INTERVAL = 15.0
DEFAULT_HISTORY_RETENTION_DAYS = 30
MAX_HISTORY_RETENTION_DAYS = 3650
DEFAULT_OFFLINE_AFTER_FAILURES = 2
MAX_OFFLINE_AFTER_FAILURES = 20
DEFAULT_FEED_BATCH_SECONDS = 2.0
MIN_FEED_BATCH_SECONDS = 0.05
MAX_FEED_BATCH_SECONDS = 60.0
DEFAULT_FEED_QUEUE_LIMIT = 500
MIN_FEED_QUEUE_LIMIT = 10
MAX_FEED_QUEUE_LIMIT = 100_000
DEFAULT_METRICS_HOST = "127.0.0.1"
DEFAULT_AUDIT_RETENTION_DAYS = 365
MAX_AUDIT_RETENTION_DAYS = 36500
# Per-guild quotas (one tenant must not fill the database or the poll rounds for everyone).
DEFAULT_QUOTAS = {
    "servers": 50,
    "boards": 10,
    "alerts": 100,
    "feeds": 50,
    "watches": 200,
    "schedules": 25,
}
MAX_QUOTA = 100_000
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

# The value shipped in .env.example; a user who copied it verbatim has not set a token yet.
TOKEN_PLACEHOLDER = "paste-your-bot-token-here"
_PROJECT_ROOT = Path(__file__).resolve().parents[1]
_SNOWFLAKE = re.compile(r"^[0-9]{15,21}$")


class ConfigError(Exception):
    """A setting is missing or invalid. The message is one line, safe to print as is."""


class MissingTokenError(ConfigError):
    """``DISCORD_TOKEN`` is not set (the normal state right after the first ``make run``)."""


@dataclass(frozen=True, slots=True)
class Quotas:
    """How many of each a guild may have (``MAX_<KIND>_PER_GUILD``), checked when saving."""

    servers: int = DEFAULT_QUOTAS["servers"]
    boards: int = DEFAULT_QUOTAS["boards"]
    alerts: int = DEFAULT_QUOTAS["alerts"]
    feeds: int = DEFAULT_QUOTAS["feeds"]
    watches: int = DEFAULT_QUOTAS["watches"]
    schedules: int = DEFAULT_QUOTAS["schedules"]


def _parse_quotas(get: Callable[[str], str | None]) -> Quotas:
    values = {
        kind: _parse_int(
            get(f"MAX_{kind.upper()}_PER_GUILD"),
            f"MAX_{kind.upper()}_PER_GUILD",
            default,
            1,
            MAX_QUOTA,
        )
        for kind, default in DEFAULT_QUOTAS.items()
    }
    return Quotas(**values)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot reads from its configuration, validated."""

    discord_token: str = field(repr=False)
    secret_key: str = field(repr=False)
    database_path: Path
    # Set: PostgreSQL (DATABASE_URL) instead of the SQLite file; its repr hides the password.
    database_url: DatabaseUrl | None = None
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    poll_interval: float = DEFAULT_POLL_INTERVAL
    history_retention_days: int = DEFAULT_HISTORY_RETENTION_DAYS
    offline_after_failures: int = DEFAULT_OFFLINE_AFTER_FAILURES
    presence: bool = False
    feed_batch_seconds: float = DEFAULT_FEED_BATCH_SECONDS
    feed_queue_limit: int = DEFAULT_FEED_QUEUE_LIMIT
    env_file: Path | None = None
    # None: one process, discord.py picks the shard count (GET /gateway/bot).
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None
    # None: no Prometheus endpoint (prometheus-client is then never imported).
    metrics_port: int | None = None
    metrics_host: str = DEFAULT_METRICS_HOST
    audit_retention_days: int = DEFAULT_AUDIT_RETENTION_DAYS
    quotas: Quotas = field(default_factory=Quotas)
    # None: every guild may use the bot; else it leaves (and ignores) the others.
    allowed_guild_ids: frozenset[int] | None = None
    # None: decided at start (off when the bot is public without an allowlist).
    allow_private_addresses: bool | None = None

    def guild_allowed(self, guild_id: int | None) -> bool:
        return self.allowed_guild_ids is None or (
            guild_id is not None and guild_id in self.allowed_guild_ids
        )

    @property
    def shards(self) -> ShardFilter:
        """The guilds this process serves (every guild when ``SHARD_COUNT`` is unset)."""
        if self.shard_count is None:
            return ShardFilter.everything()
        ids = self.shard_ids if self.shard_ids is not None else tuple(range(self.shard_count))
        return ShardFilter(self.shard_count, ids)

    @property
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _parse_token(raw: str | None, env_file: Path, *, required: bool) -> str:
    if raw is None or raw == TOKEN_PLACEHOLDER:
        if required:
            raise MissingTokenError(
                f"DISCORD_TOKEN is not set: put your bot token in {env_file} "
                "(Discord Developer Portal > your application > Bot > Reset Token)"
            )
        return ""
    if any(ch.isspace() for ch in raw) or raw.lower().startswith("bot "):
        # Never echo the value: it is a credential even when malformed.
        raise ConfigError(
            "DISCORD_TOKEN is invalid: expected the bare bot token (no spaces, no 'Bot ' prefix)"
        )
    return raw


def _parse_secret_key(raw: str | None) -> str:
    if raw is None:
        raise ConfigError(
            "OUTPOST_SECRET_KEY is not set: expected a Fernet key "
            "(generate one with: python -m bot check --generate-key)"
        )
    try:
        validate_key(raw)
    except SecretKeyError as exc:
        raise ConfigError(f"OUTPOST_SECRET_KEY is invalid: {exc}") from None
    return raw


def _parse_guild_id(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not _SNOWFLAKE.match(raw):
        raise ConfigError(
            "DEV_GUILD_ID is invalid: expected a Discord server id (15-21 digits; "
            "right-click the server with Developer Mode on > Copy Server ID) or nothing"
        )
    return int(raw)


def _parse_log_level(raw: str | None) -> str:
    if raw is None:
        return "INFO"
    level = raw.upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL is invalid: expected one of {', '.join(LOG_LEVELS)}")
    return level


def _parse_poll_interval(raw: str | None) -> float:
    if raw is None:
        return DEFAULT_POLL_INTERVAL
    try:
        value = float(raw.removesuffix("s"))
    except ValueError:
        raise ConfigError(
            f"POLL_INTERVAL is invalid: expected a number of seconds, at least "
            f"{MIN_POLL_INTERVAL:g}"
        ) from None
    if not value >= MIN_POLL_INTERVAL or value == float("inf"):
        raise ConfigError(
            f"POLL_INTERVAL is too small: expected at least {MIN_POLL_INTERVAL:g} seconds "
            "(Discord rate limits edits of status messages)"
        )
    return value


def _parse_seconds(raw: str | None, name: str, default: float, low: float, high: float) -> float:
    if raw is None:
        return default
    try:
        value = float(raw.removesuffix("s"))
    except ValueError:
        value = float("nan")
    if not low <= value <= high:
        raise ConfigError(f"{name} is invalid: expected seconds from {low:g} to {high:g}")
    return value


def _parse_int(raw: str | None, name: str, default: int, low: int, high: int) -> int:
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ConfigError(f"{name} is invalid: expected a whole number from {low} to {high}")
    return value


def _parse_bool(raw: str | None, name: str) -> bool:
    if raw is None:
        return False
    if raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    raise ConfigError(f"{name} is invalid: expected on or off")


def _parse_shards(
    count_raw: str | None, ids_raw: str | None
) -> tuple[int | None, tuple[int, ...] | None]:
    if count_raw is None:
        if ids_raw is not None:
            raise ConfigError("SHARD_IDS is set but SHARD_COUNT is not: set both, or neither")
        return None, None
    count = _parse_int(count_raw, "SHARD_COUNT", 1, 1, MAX_SHARD_COUNT)
    if ids_raw is None:
        return count, None
    try:
        return count, parse_shard_ids(ids_raw, count)
    except ShardSpecError as exc:
        raise ConfigError(f"SHARD_IDS is invalid: {exc}") from None


def _parse_guild_ids(raw: str | None) -> frozenset[int] | None:
    """``ALLOWED_GUILD_IDS``: Discord server ids separated by commas (or spaces)."""
    if raw is None:
        return None
    parts = [p for p in re.split(r"[,\s]+", raw) if p]
    if not parts or not all(_SNOWFLAKE.match(p) for p in parts):
        raise ConfigError(
            "ALLOWED_GUILD_IDS is invalid: expected Discord server ids (15-21 digits) "
            "separated by commas, or nothing"
        )
    return frozenset(int(p) for p in parts)


def _parse_optional_bool(raw: str | None, name: str) -> bool | None:
    return None if raw is None else _parse_bool(raw, name)


def _parse_metrics_port(raw: str | None) -> int | None:
    if raw is None:
        return None
    return _parse_int(raw, "METRICS_PORT", 0, 1, 65535)


def _parse_database_url(raw: str | None) -> DatabaseUrl | None:
    """``DATABASE_URL``: unset means SQLite at ``DATABASE_PATH``. Errors never echo the value
    (it may hold a password)."""
    if raw is None:
        return None
    try:
        url = parse_database_url(raw)
    except DatabaseUrlError as exc:
        raise ConfigError(f"DATABASE_URL is invalid: {exc}") from None
    if url.kind != "postgresql":
        raise ConfigError(
            "DATABASE_URL is invalid: it selects PostgreSQL (postgresql://user@host/db); "
            "for SQLite leave it empty and set DATABASE_PATH"
        )
    return url


def _parse_database_path(raw: str | None, base_dir: Path) -> Path:
    path = Path(raw if raw is not None else DEFAULT_DATABASE_PATH).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    if path.exists() and path.is_dir():
        raise ConfigError(f"DATABASE_PATH is invalid: {path} is a directory, expected a file path")
    return path


def _raw_values(env_path: Path, environ: Mapping[str, str] | None) -> dict[str, str | None]:
    values: dict[str, str | None] = {}
    if env_path.is_file():
        values.update(dotenv_values(env_path))
    values.update(environ if environ is not None else os.environ)
    return values


def read_variable(
    name: str, env_file: Path | None = None, *, environ: Mapping[str, str] | None = None
) -> str | None:
    """One raw variable (environment first, then ``.env``), without validating the rest."""
    env_path = (env_file if env_file is not None else DEFAULT_ENV_FILE).absolute()
    return _clean(_raw_values(env_path, environ).get(name))


def load_settings(
    env_file: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    require_token: bool = True,
) -> Settings:
    """Read and validate the settings; raise :class:`ConfigError` naming the bad variable.

    ``environ`` defaults to ``os.environ``; tests pass their own mapping.
    """
    env_path = (env_file if env_file is not None else DEFAULT_ENV_FILE).absolute()
    values = _raw_values(env_path, environ)

    def get(name: str) -> str | None:
        return _clean(values.get(name))

    shard_count, shard_ids = _parse_shards(get("SHARD_COUNT"), get("SHARD_IDS"))
    return Settings(
        discord_token=_parse_token(get("DISCORD_TOKEN"), env_path, required=require_token),
        secret_key=_parse_secret_key(get("OUTPOST_SECRET_KEY")),
        database_path=_parse_database_path(get("DATABASE_PATH"), env_path.parent),
        database_url=_parse_database_url(get("DATABASE_URL")),
        dev_guild_id=_parse_guild_id(get("DEV_GUILD_ID")),
        log_level=_parse_log_level(get("LOG_LEVEL")),
        poll_interval=_parse_poll_interval(get("POLL_INTERVAL")),
        history_retention_days=_parse_int(
            get("HISTORY_RETENTION_DAYS"),
            "HISTORY_RETENTION_DAYS",
            DEFAULT_HISTORY_RETENTION_DAYS,
            1,
            MAX_HISTORY_RETENTION_DAYS,
        ),
        offline_after_failures=_parse_int(
            get("OFFLINE_AFTER_FAILURES"),
            "OFFLINE_AFTER_FAILURES",
            DEFAULT_OFFLINE_AFTER_FAILURES,
            1,
            MAX_OFFLINE_AFTER_FAILURES,
        ),
        presence=_parse_bool(get("PRESENCE"), "PRESENCE"),
        feed_batch_seconds=_parse_seconds(
            get("FEED_BATCH_SECONDS"),
            "FEED_BATCH_SECONDS",
            DEFAULT_FEED_BATCH_SECONDS,
            MIN_FEED_BATCH_SECONDS,
            MAX_FEED_BATCH_SECONDS,
        ),
        feed_queue_limit=_parse_int(
            get("FEED_QUEUE_LIMIT"),
            "FEED_QUEUE_LIMIT",
            DEFAULT_FEED_QUEUE_LIMIT,
            MIN_FEED_QUEUE_LIMIT,
            MAX_FEED_QUEUE_LIMIT,
        ),
        env_file=env_path if env_path.is_file() else None,
        shard_count=shard_count,
        shard_ids=shard_ids,
        metrics_port=_parse_metrics_port(get("METRICS_PORT")),
        metrics_host=get("METRICS_HOST") or DEFAULT_METRICS_HOST,
        audit_retention_days=_parse_int(
            get("AUDIT_RETENTION_DAYS"),
            "AUDIT_RETENTION_DAYS",
            DEFAULT_AUDIT_RETENTION_DAYS,
            1,
            MAX_AUDIT_RETENTION_DAYS,
        ),
        quotas=_parse_quotas(get),
        allowed_guild_ids=_parse_guild_ids(get("ALLOWED_GUILD_IDS")),
        allow_private_addresses=_parse_optional_bool(
            get("ALLOW_PRIVATE_ADDRESSES"), "ALLOW_PRIVATE_ADDRESSES"
        ),
    )


# Used when no .env.example is found (e.g. an installed package run outside the checkout).
_FALLBACK_TEMPLATE = f"""\
# Outpost configuration. See .env.example in the project for every variable.
DISCORD_TOKEN=
OUTPOST_SECRET_KEY=
DATABASE_PATH={DEFAULT_DATABASE_PATH}
DATABASE_URL=
DEV_GUILD_ID=
LOG_LEVEL=INFO
POLL_INTERVAL={DEFAULT_POLL_INTERVAL:g}
HISTORY_RETENTION_DAYS={DEFAULT_HISTORY_RETENTION_DAYS}
OFFLINE_AFTER_FAILURES={DEFAULT_OFFLINE_AFTER_FAILURES}
PRESENCE=off
FEED_BATCH_SECONDS={DEFAULT_FEED_BATCH_SECONDS:g}
FEED_QUEUE_LIMIT={DEFAULT_FEED_QUEUE_LIMIT}
SHARD_COUNT=
SHARD_IDS=
METRICS_PORT=
METRICS_HOST={DEFAULT_METRICS_HOST}
AUDIT_RETENTION_DAYS={DEFAULT_AUDIT_RETENTION_DAYS}
MAX_SERVERS_PER_GUILD={DEFAULT_QUOTAS["servers"]}
MAX_BOARDS_PER_GUILD={DEFAULT_QUOTAS["boards"]}
MAX_ALERTS_PER_GUILD={DEFAULT_QUOTAS["alerts"]}
MAX_FEEDS_PER_GUILD={DEFAULT_QUOTAS["feeds"]}
MAX_WATCHES_PER_GUILD={DEFAULT_QUOTAS["watches"]}
MAX_SCHEDULES_PER_GUILD={DEFAULT_QUOTAS["schedules"]}
"""

_KEY_LINE = re.compile(r"^(\s*OUTPOST_SECRET_KEY\s*=).*$", re.MULTILINE)


def find_env_template(env_file: Path) -> Path | None:
    """``.env.example`` beside the ``.env`` file, else the one in the project checkout."""
    for candidate in (env_file.parent / ".env.example", _PROJECT_ROOT / ".env.example"):
        if candidate.is_file():
            return candidate
    return None


def ensure_env_file(env_file: Path | None = None) -> bool:
    """Create the ``.env`` file from the template with a fresh secret key if it is missing.

    Returns True when the file was created. The file is written owner-readable only because it
    will hold the bot token.
    """
    env_path = (env_file if env_file is not None else DEFAULT_ENV_FILE).absolute()
    if env_path.exists():
        return False
    template_path = find_env_template(env_path)
    text = template_path.read_text() if template_path is not None else _FALLBACK_TEMPLATE
    key = generate_key()
    if _KEY_LINE.search(text):
        text = _KEY_LINE.sub(lambda m: m.group(1) + key, text, count=1)
    else:
        text = text.rstrip("\n") + f"\nOUTPOST_SECRET_KEY={key}\n"
    env_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(env_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    return True
