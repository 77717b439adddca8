"""Outpost's persistent state: SQLite (default) or PostgreSQL, migrations, typed repositories.

Cogs talk to repositories (``store.servers``, ``store.state``…), never to SQL, and do not know
which engine runs (see :mod:`bot.storage.database`).
"""

from bot.storage.errors import (
    DatabaseUnavailableError,
    DuplicateServerError,
    MigrationError,
    SchemaTooNewError,
    StorageError,
)
from bot.storage.models import NewServer, Server, ServerChanges
from bot.storage.store import Store
from bot.storage.urls import DatabaseUrl, DatabaseUrlError, parse_database_url

__all__ = [
    "DatabaseUnavailableError",
    "DatabaseUrl",
    "DatabaseUrlError",
    "DuplicateServerError",
    "MigrationError",
    "NewServer",
    "SchemaTooNewError",
    "Server",
    "ServerChanges",
    "StorageError",
    "Store",
    "parse_database_url",
]
