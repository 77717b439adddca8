"""One exception hierarchy for Source RCON.

Messages never contain the password or raw command bodies: they end up in logs and in Discord.
"""

from __future__ import annotations


class RCONError(Exception):
    """Base class of every RCON error."""


class RCONCommunicationError(RCONError):
    """The connection could not be made, or the socket broke while in use."""


class RCONAuthenticationError(RCONError):
    """The server refused the password (an AUTH_RESPONSE with id -1)."""

    def __init__(self) -> None:
        super().__init__("wrong RCON password")


class RCONAuthDroppedError(RCONCommunicationError):
    """The connection closed before the server answered the AUTH packet.

    Not a refusal: a server restarting, a network drop, SRCDS dropping an IP it banned after
    failed logins, or Squad's answer to a wrong password all look the same. A connection
    error, retried with backoff, never a reason to give up on the password for good.
    """

    def __init__(self) -> None:
        super().__init__("connection closed during authentication")


class RCONBudgetExceededError(RCONError):
    """An answer grew beyond the per-request byte budget; the connection was closed.

    A hostile or broken server could otherwise stream without end into the bot's memory.
    """

    def __init__(self, budget: int, request_id: int | None = None) -> None:
        super().__init__(f"answer exceeded the {budget}-byte budget; connection closed")
        self.budget = budget
        self.request_id = request_id


class RCONTimeoutError(RCONError):
    """No complete answer within the timeout; the connection stays usable, that answer is lost."""


class RCONMessageError(RCONError):
    """Bytes that do not form a valid RCON packet, or a request that cannot be encoded."""
