"""One exception hierarchy for the 7 Days to Die telnet console.

Messages never contain the password: they end up in logs and in Discord.
"""

from __future__ import annotations


class SdtdError(Exception):
    """Base class of every 7 Days to Die telnet error."""


class SdtdTimeout(SdtdError, TimeoutError):
    """No TCP connection, no answer to the password, or no whole answer within the timeout."""


class SdtdRefused(SdtdError):
    """The TCP connection could not be made: refused, unreachable, or the name does not resolve."""


class SdtdAuthError(SdtdError):
    """The server refused the password (``Password incorrect``). Never retried on its own."""


class NotSdtd(SdtdError):
    """The peer does not speak the 7DTD console: no password prompt, another protocol's
    greeting, or an answer that breaks the bounds (an endless line, an endless answer)."""


class SdtdClosed(SdtdError):
    """The connection is closed, or was lost (a server restart) before the answer came."""


class SdtdInvalidCommand(SdtdError, ValueError):
    """A command (or password) that cannot be sent as given: a line break, NUL or other control
    character would let one command chain another; empty or over-long text."""


class SdtdInvalidState(SdtdError):
    """The sans-IO session was used out of order (a command before login, two at once)."""
