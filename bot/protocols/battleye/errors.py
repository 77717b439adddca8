"""Exceptions of the BattlEye RCON client (names follow berconpy's so callers can switch)."""

from __future__ import annotations

import asyncio


class RCONError(Exception):
    """Base class of every BattlEye RCON error."""


class LoginFailure(RCONError):
    """The client could not log in."""


class LoginRefused(LoginFailure):
    """The server answered the login with "failed": the password is wrong. Never retried."""


class LoginTimeout(LoginFailure, asyncio.TimeoutError):
    """The server never answered the login: usually a wrong port or BattlEye RCON disabled."""


class RCONCommandError(RCONError):
    """A command got no answer, or the server refused it ("Disallowed command")."""


class NotConnected(RCONCommandError):
    """Not logged in: the client was never connected, is closed, or is logging in again."""


class ClientRunning(RCONError):
    """``connect()`` on a client that is already connected (one connection per client)."""


class CommandValidationError(RCONError, ValueError):
    """A command or chat text cannot be sent as given (multi-line, control characters, length)."""


class PacketError(RCONError, ValueError):
    """A datagram is not a valid BattlEye packet; ``reason`` says why (used for drop counters).

    Under :class:`RCONError` like every error of the package (one tree to catch); still a
    ``ValueError`` for callers of the packet codecs that catch that."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
