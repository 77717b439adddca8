"""Why a status query failed, in the few words a snapshot keeps (never the exception text,
which may quote addresses or secrets)."""

from __future__ import annotations

import logging
import socket

from bot.adapters.query import FAILURE_WORDS, QueryError
from bot.services.servers.resolver import AddressRefused
from bot.services.unexpected import UnexpectedErrors

log = logging.getLogger(__name__)

UNEXPECTED = "bad answer"


def known_failure(exc: BaseException) -> str | None:
    """The reason for a failure an adapter or the network is meant to raise; None for any
    other exception (a bug on our side: an adapter's errors are typed)."""
    if isinstance(exc, AddressRefused):
        return "private address refused (ALLOW_PRIVATE_ADDRESSES is off)"
    if isinstance(exc, QueryError):
        return FAILURE_WORDS[exc.failure]
    if isinstance(exc, socket.gaierror):
        return "name does not resolve"
    if isinstance(exc, TimeoutError):
        return "no answer"
    if isinstance(exc, ConnectionRefusedError):
        return "port closed"
    if isinstance(exc, OSError):
        return "network error"
    return None


class FailureReasons:
    """:func:`known_failure`, with any other exception logged as the bug it is, once per kind
    (10,000 servers every minute)."""

    def __init__(self) -> None:
        self._unexpected = UnexpectedErrors(
            log,
            f"a status query raised %s, which no adapter should (the server shows {UNEXPECTED!r};"
            " logged once per kind)",
        )

    def of(self, exc: BaseException) -> str:
        reason = known_failure(exc)
        if reason is None:
            self._unexpected.report(exc)
            return UNEXPECTED
        return reason
