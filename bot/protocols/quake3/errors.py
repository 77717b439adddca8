"""One exception hierarchy for the Quake 3 family query client (getstatus / getinfo).

Callers branch on the class: :class:`Q3TimeoutError` (no answer: down, wrong port, or the
server's rate limit dropped the request silently, so "unknown" rather than "offline"),
:class:`Q3RefusedError` (ICMP port unreachable), :class:`Q3UnreachableError` (name does not
resolve, no route) and :class:`Q3MalformedError` (an answer, but not the one we asked for).
"""

from __future__ import annotations

from bot.protocols.udp_query import MalformedDatagram


class Q3Error(Exception):
    """Base class of every Quake 3 query error."""


class Q3TimeoutError(Q3Error, TimeoutError):
    """No valid answer within the timeout (a ``TimeoutError`` too, for generic callers)."""


class Q3UnreachableError(Q3Error):
    """The address cannot be reached: the name does not resolve, or ICMP says no route."""


class Q3ResolveError(Q3UnreachableError):
    """The host name does not resolve (no such name, or no DNS answer)."""


class Q3RefusedError(Q3UnreachableError):
    """ICMP port unreachable: the host is up but nothing listens on that UDP port."""


class Q3MalformedError(Q3Error, MalformedDatagram):
    """A datagram that is not the expected response; ``reason`` says why."""


class Q3ChallengeMismatchError(Q3MalformedError):
    """A response echoing a challenge we never sent (stale or spoofed), or none when required."""
