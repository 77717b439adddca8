"""Errors of the fake Discord.

``ApiError`` is what a route raises to answer like Discord does (status + JSON error code);
``FakeDiscordError`` is raised to the *test* when it asks the fake for something impossible
(unknown command, unknown option, clicking a button that is not on the message...).
"""

from __future__ import annotations

from typing import Any


class FakeDiscordError(Exception):
    """The test used the fake in a way Discord's client UI would not allow."""


class ApiError(Exception):
    """An error answer with Discord's JSON body: ``{"message": ..., "code": ...}``."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


# Discord's JSON error codes used by the fake, each with the status and message Discord sends
# (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json).
ERROR_MESSAGES: dict[int, tuple[int, str]] = {}


def _code(code: int, status: int, message: str) -> int:
    """``code``, recorded with its HTTP status and message for ``api_error``."""
    ERROR_MESSAGES[code] = (status, message)
    return code


UNKNOWN_CHANNEL = _code(10003, 404, "Unknown Channel")
UNKNOWN_GUILD = _code(10004, 404, "Unknown Guild")
UNKNOWN_MEMBER = _code(10007, 404, "Unknown Member")
UNKNOWN_MESSAGE = _code(10008, 404, "Unknown Message")
UNKNOWN_ROLE = _code(10011, 404, "Unknown Role")
UNKNOWN_USER = _code(10013, 404, "Unknown User")
UNKNOWN_WEBHOOK = _code(10015, 404, "Unknown Webhook")
UNKNOWN_INTERACTION = _code(10062, 404, "Unknown interaction")
OLD_MESSAGE_EDIT_LIMIT = _code(
    30046, 400, "Maximum number of edits to messages older than 1 hour reached. Try again later"
)
ALREADY_ACKNOWLEDGED = _code(40060, 400, "Interaction has already been acknowledged.")
MISSING_ACCESS = _code(50001, 403, "Missing Access")
CANNOT_EDIT_OTHERS_MESSAGE = _code(50005, 403, "Cannot edit a message authored by another user")
EMPTY_MESSAGE = _code(50006, 400, "Cannot send an empty message")
MISSING_PERMISSIONS = _code(50013, 403, "Missing Permissions")
INVALID_WEBHOOK_TOKEN = _code(50027, 401, "Invalid Webhook Token")
INVALID_FORM_BODY = _code(50035, 400, "Invalid Form Body")
THREAD_ARCHIVED = _code(50083, 400, "Thread is archived")
INVALID_JSON = _code(50109, 400, "The request body contains invalid JSON.")


def api_error(code: int) -> ApiError:
    """The error Discord answers for ``code`` (status and message as Discord sends them)."""
    status, message = ERROR_MESSAGES.get(code, (400, f"Error {code}"))
    return ApiError(status, code, message)


def invalid_form_body(problems: list[str]) -> ApiError:
    """400 / 50035 with the problems in Discord's ``errors`` shape (discord.py formats them)."""
    errors = {"_errors": [{"code": "FAKE_DISCORD_LIMIT", "message": p} for p in problems]}
    return ApiError(400, INVALID_FORM_BODY, "Invalid Form Body", errors=errors)
