"""One exception hierarchy for the Satisfactory Lightweight Query client.

Callers branch on the class: :class:`SatisfactoryTimeoutError` (no answer: down, wrong port,
firewall, loss; pre-1.0 servers answer on 15777 only), :class:`SatisfactoryRefusedError` (ICMP
port unreachable), :class:`SatisfactoryUnreachableError` (name does not resolve, no route)
and :class:`SatisfactoryMalformedError` (an answer that is not a Server State Response to us).
"""

from __future__ import annotations

from bot.protocols.udp_query import MalformedDatagram


class SatisfactoryError(Exception):
    """Base class of every Satisfactory query error."""


class SatisfactoryTimeoutError(SatisfactoryError, TimeoutError):
    """No valid answer within the timeout (a ``TimeoutError`` too, for generic callers)."""


class SatisfactoryUnreachableError(SatisfactoryError):
    """The address cannot be reached: the name does not resolve, or ICMP says no route."""


class SatisfactoryResolveError(SatisfactoryUnreachableError):
    """The host name does not resolve (no such name, or no DNS answer)."""


class SatisfactoryRefusedError(SatisfactoryUnreachableError):
    """ICMP port unreachable: the host is up but nothing listens on that UDP port."""


class SatisfactoryMalformedError(SatisfactoryError, MalformedDatagram):
    """A datagram that is not a valid Server State Response; ``reason`` says why."""


class SatisfactoryCookieMismatchError(SatisfactoryMalformedError):
    """A valid response echoing a cookie we never sent: stale or spoofed, not ours."""
