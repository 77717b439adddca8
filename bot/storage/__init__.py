"""Outpost's persistent state: one SQLite connection, migrations, typed repositories.

Cogs talk to repositories (``store.servers``, ``store.state``…), never to SQL.
"""

from bot.storage.errors import (
    DuplicateServerError,
    MigrationError,
    SchemaTooNewError,
    StorageError,
)
from bot.storage.models import NewServer, Server, ServerChanges
from bot.storage.store import Store

__all__ = [
    "DuplicateServerError",
    "MigrationError",
    "NewServer",
    "SchemaTooNewError",
    "Server",
    "ServerChanges",
    "StorageError",
    "Store",
]
