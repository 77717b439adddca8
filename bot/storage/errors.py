"""Storage errors. Messages are one line and safe to show to an operator."""

from __future__ import annotations

# A leaf module without imports: a refused quota reads (and is audited) like any refused input.
from bot.user_errors import UserError


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


class QuotaExceededError(StorageError, UserError):
    """A guild already has as many rows of a kind as it may (nothing was written)."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(
            f"This Discord server already has {limit} {what}, the most allowed: remove one first."
        )
        self.what = what
        self.limit = limit
