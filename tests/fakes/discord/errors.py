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


# Discord's JSON error codes used by the fake
# (https://discord.com/developers/docs/topics/opcodes-and-status-codes#json).
UNKNOWN_CHANNEL = 10003
UNKNOWN_GUILD = 10004
UNKNOWN_MEMBER = 10007
UNKNOWN_MESSAGE = 10008
UNKNOWN_USER = 10013
UNKNOWN_ROLE = 10011
UNKNOWN_WEBHOOK = 10015
UNKNOWN_INTERACTION = 10062
OLD_MESSAGE_EDIT_LIMIT = 30046
ALREADY_ACKNOWLEDGED = 40060
MISSING_ACCESS = 50001
CANNOT_EDIT_OTHERS_MESSAGE = 50005
EMPTY_MESSAGE = 50006
INVALID_WEBHOOK_TOKEN = 50027
INVALID_FORM_BODY = 50035
INVALID_JSON = 50109
MISSING_PERMISSIONS = 50013
THREAD_ARCHIVED = 50083

ERROR_MESSAGES: dict[int, tuple[int, str]] = {
    UNKNOWN_CHANNEL: (404, "Unknown Channel"),
    UNKNOWN_GUILD: (404, "Unknown Guild"),
    UNKNOWN_MEMBER: (404, "Unknown Member"),
    UNKNOWN_MESSAGE: (404, "Unknown Message"),
    UNKNOWN_USER: (404, "Unknown User"),
    UNKNOWN_ROLE: (404, "Unknown Role"),
    UNKNOWN_WEBHOOK: (404, "Unknown Webhook"),
    UNKNOWN_INTERACTION: (404, "Unknown interaction"),
    OLD_MESSAGE_EDIT_LIMIT: (
        400,
        "Maximum number of edits to messages older than 1 hour reached. Try again later",
    ),
    ALREADY_ACKNOWLEDGED: (400, "Interaction has already been acknowledged."),
    MISSING_ACCESS: (403, "Missing Access"),
    CANNOT_EDIT_OTHERS_MESSAGE: (403, "Cannot edit a message authored by another user"),
    EMPTY_MESSAGE: (400, "Cannot send an empty message"),
    INVALID_WEBHOOK_TOKEN: (401, "Invalid Webhook Token"),
    INVALID_FORM_BODY: (400, "Invalid Form Body"),
    INVALID_JSON: (400, "The request body contains invalid JSON."),
    MISSING_PERMISSIONS: (403, "Missing Permissions"),
    THREAD_ARCHIVED: (400, "Thread is archived"),
}


def api_error(code: int) -> ApiError:
    """The error Discord answers for ``code`` (status and message as Discord sends them)."""
    status, message = ERROR_MESSAGES.get(code, (400, f"Error {code}"))
    return ApiError(status, code, message)


def invalid_form_body(problems: list[str]) -> ApiError:
    """400 / 50035 with the problems in Discord's ``errors`` shape (discord.py formats them)."""
    errors = {"_errors": [{"code": "FAKE_DISCORD_LIMIT", "message": p} for p in problems]}
    return ApiError(400, INVALID_FORM_BODY, "Invalid Form Body", errors=errors)
