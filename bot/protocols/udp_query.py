"""The resend bookkeeping of a sans-IO UDP query: one fresh token per attempt, its send time.

Servers echo the token (a time, a challenge, a cookie), which tells which attempt an answer
belongs to (latency is measured from that send) and refuses stale or spoofed answers. The
caller owns the socket and the clock (``now`` in seconds, any monotonic origin).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

MAX_ATTEMPTS = 8

Token = TypeVar("Token", bound=Hashable)


class MalformedDatagram(Exception):
    """A datagram a query refuses (the base of each UDP package's malformed error);
    ``reason`` is the short, stable why, ``detail`` what was seen."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class TokenQuery(ABC, Generic[Token]):
    """Builds up to ``MAX_ATTEMPTS`` requests, each with a token not used before in the query.

    Subclasses encode a request for a token (``_request``) and decode an answer (``receive``),
    looking its token up in ``_sent`` (token -> send time).
    """

    def __init__(self, token: Callable[[], Token]) -> None:
        self._token = token
        self._sent: dict[Token, float] = {}

    @property
    def attempts(self) -> int:
        return len(self._sent)

    def next_request(self, now: float) -> bytes:
        """The next request datagram, sent at ``now``."""
        if len(self._sent) >= MAX_ATTEMPTS:
            raise ValueError(f"at most {MAX_ATTEMPTS} attempts per query")
        token = self._token()
        while token in self._sent:
            token = self._token()
        datagram = self._request(token)
        self._sent[token] = now
        return datagram

    @abstractmethod
    def _request(self, token: Token) -> bytes:
        """The request datagram carrying ``token``."""
