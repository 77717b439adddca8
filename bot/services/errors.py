"""Errors the services raise for the user to read. No discord import: services are usable from
the CLI as well."""

from __future__ import annotations

from bot.user_errors import UserError

__all__ = ["ServerNotFoundError", "UserError"]


class ServerNotFoundError(UserError):
    # The typed name is not echoed: errors never repeat what a member typed (it could be
    # anything they pasted, a password included).
    def __init__(self, name: str) -> None:
        super().__init__(key="errors.no_such_server")
        self.name = name
