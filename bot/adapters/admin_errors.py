"""Errors of the admin (console) adapters and the typed commands, one per thing a user can act on.

They are :class:`UserError` subclasses, so the app-command error path shows their (short, safe)
text: in the reader's language, from their catalogue key (``rcon.*``, ``consoles.*``); a protocol
library's own detail is a value inside a translated sentence. No message ever contains a
password or the raw console command.
"""

from __future__ import annotations

from bot.user_errors import UserError


class RconError(UserError):
    """Base class: an RCON call could not be made or did not succeed."""

    outcome = "error"


class RconNotConfigured(RconError):
    """The server has no RCON (game without RCON, no port or no stored password)."""


class RconAuthError(RconError):
    """The server refused the stored password; nothing is retried until it is edited."""

    def __init__(self, server_name: str) -> None:
        super().__init__(key="rcon.auth_refused", server=repr(server_name))


class RconLoginDropped(RconAuthError):
    """The server closed the connection at several logins in a row, none succeeding: Squad's
    answer to a wrong password, or an IP ban. Stopped like a refusal until the server is edited."""

    def __init__(self, server_name: str) -> None:
        RconError.__init__(self, key="rcon.login_dropped", server=repr(server_name))


class RconUnavailable(RconError):
    """Offline, unreachable, or the connection broke while the command was in flight."""


class RconTimeout(RconError):
    """No complete answer within the time limit."""

    outcome = "timeout"

    @classmethod
    def after(cls, server_name: str, seconds: float) -> RconTimeout:
        """The adapters' usual timeout, in the reader's language."""
        return cls(key="rcon.timed_out", server=repr(server_name), seconds=f"{seconds:g}")


class RconRefused(RconError):
    """The game server refused the command (BattlEye RestrictRCon: "Disallowed command")."""


class RconInvalidInput(RconError):
    """User input that must not reach the console (injection, control characters, length)."""

    outcome = "denied"
