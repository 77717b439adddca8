"""Database URLs: ``postgresql://user:pass@host:port/db`` and ``sqlite:///path``.

A URL may carry a password, so the full text is kept out of ``repr`` and every message uses
:attr:`DatabaseUrl.redacted` (the password replaced by ``***``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from bot.storage.errors import StorageError

POSTGRES_SCHEMES = ("postgresql", "postgres")


class DatabaseUrlError(StorageError):
    """The URL is malformed; the message never contains the password."""


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    kind: Literal["sqlite", "postgresql"]
    redacted: str
    dsn: str = field(repr=False)  # as given: may hold the password
    password: str | None = field(default=None, repr=False)
    sqlite_path: Path | None = None
    # The password as written (percent-encoded) and decoded: both must be redacted in logs.
    secret_forms: tuple[str, ...] = field(default=(), repr=False)

    def __str__(self) -> str:
        return self.redacted


def parse_database_url(raw: str) -> DatabaseUrl:
    """Validate ``raw``; raise :class:`DatabaseUrlError` with a redacted explanation."""
    text = raw.strip()
    scheme, sep, _ = text.partition("://")
    if not sep:
        raise DatabaseUrlError(
            "expected postgresql://user@host:port/database or sqlite:///path/to/file"
        )
    scheme = scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative/or/absolute — everything after the third slash is the path,
        # sqlite:////abs/path keeps its leading slash.
        rest = text[len("sqlite://") :]
        if not rest.startswith("/") or rest == "/":
            raise DatabaseUrlError("a SQLite URL is sqlite:///path/to/file")
        path = Path(unquote(rest[1:]))
        return DatabaseUrl("sqlite", f"sqlite:///{path}", text, None, path)
    if scheme not in POSTGRES_SCHEMES:
        raise DatabaseUrlError(
            f"unsupported scheme {scheme!r}: use postgresql:// (or sqlite:/// for db copy)"
        )
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise DatabaseUrlError(
            "malformed PostgreSQL URL: expected postgresql://user[:password]@host[:port]/database"
        ) from None
    password = None if parts.password is None else unquote(parts.password)
    host = parts.hostname or ""
    database = parts.path.lstrip("/")
    if not host:
        raise DatabaseUrlError("the PostgreSQL URL has no host: postgresql://user@HOST/database")
    if not database or "/" in database:
        raise DatabaseUrlError(
            "the PostgreSQL URL has no database name: postgresql://user@host/DATABASE"
        )
    netloc = host if ":" not in host else f"[{host}]"
    if port is not None:
        netloc = f"{netloc}:{port}"
    if parts.username is not None:
        user = parts.username + (":***" if password is not None else "")
        netloc = f"{user}@{netloc}"
    redacted = urlunsplit(("postgresql", netloc, parts.path, "", ""))
    forms = () if parts.password is None else (parts.password, unquote(parts.password))
    return DatabaseUrl("postgresql", redacted, text, password, None, forms)
