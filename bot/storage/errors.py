"""Storage errors. Messages are one line and safe to show to an operator."""

from __future__ import annotations


class StorageError(Exception):
    """Base class of every storage failure we raise on purpose."""


class MigrationError(StorageError):
    """A migration file is malformed or failed to apply (the database was left unchanged)."""


class SchemaTooNewError(MigrationError):
    """The database was migrated by a newer Outpost than this one."""


class DatabaseUnavailableError(StorageError):
    """The database server could not be reached or refused the connection."""


class DuplicateServerError(StorageError):
    """A server with that name already exists in the guild."""

    def __init__(self, name: str) -> None:
        # The name is not part of the message: it is shown to the member who typed it.
        super().__init__("a server with that name already exists in this Discord server")
        self.name = name
