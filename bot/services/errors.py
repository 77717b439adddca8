"""Errors the services raise for the user to read. No discord import: services are usable from
the CLI as well."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refused operation; the message is short, safe and shown as is.

    Messages never contain secrets (passwords are never formatted into them).
    """


class ServerNotFoundError(UserError):
    # The typed name is not echoed: errors never repeat what a member typed (it could be
    # anything they pasted, a password included).
    def __init__(self, name: str) -> None:
        super().__init__("No such server here.")
        self.name = name
