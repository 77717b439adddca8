"""One exception hierarchy for Source RCON.

Messages never contain the password or raw command bodies: they end up in logs and in Discord.
"""

from __future__ import annotations


class RCONError(Exception):
    """Base class of every RCON error."""


class RCONCommunicationError(RCONError):
    """The connection could not be made, or the socket broke while in use."""


class RCONAuthenticationError(RCONError):
    """The server refused the password, or dropped the connection during authentication.

    ``banned`` is true when the server closed the connection instead of answering: SRCDS does
    that to an IP it has banned after repeated failures (Squad does it for a wrong password).
    """

    def __init__(self, banned: bool = False) -> None:
        super().__init__(
            "server closed the connection during authentication (banned IP or wrong password)"
            if banned
            else "wrong RCON password"
        )
        self.banned = banned


class RCONTimeoutError(RCONError):
    """No complete answer within the timeout; the connection stays usable, that answer is lost."""


class RCONMessageError(RCONError):
    """Bytes that do not form a valid RCON packet, or a request that cannot be encoded."""
