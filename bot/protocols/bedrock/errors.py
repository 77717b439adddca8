"""One exception hierarchy for the Bedrock (RakNet unconnected ping) client.

Callers branch on the class: :class:`BedrockTimeoutError` (no answer: server down, wrong port,
firewall, packet loss), :class:`BedrockRefusedError` (ICMP port unreachable: nothing listens
there), :class:`BedrockUnreachableError` (name does not resolve, no route) and
:class:`BedrockMalformedError` (something answered, but not a Bedrock pong to our ping).
"""

from __future__ import annotations

from bot.protocols.udp_query import MalformedDatagram


class BedrockError(Exception):
    """Base class of every Bedrock query error."""


class BedrockTimeoutError(BedrockError, TimeoutError):
    """No valid pong within the timeout (a ``TimeoutError`` too, for generic callers)."""


class BedrockUnreachableError(BedrockError):
    """The address cannot be reached: the name does not resolve, or ICMP says no route."""


class BedrockResolveError(BedrockUnreachableError):
    """The host name does not resolve (no such name, or no DNS answer)."""


class BedrockRefusedError(BedrockUnreachableError):
    """ICMP port unreachable: the host is up but nothing listens on that UDP port."""


class BedrockMalformedError(BedrockError, MalformedDatagram):
    """A datagram that is not a valid Unconnected Pong (or MOTD); ``reason`` says why."""


class BedrockMismatchError(BedrockMalformedError):
    """A well-formed pong that echoes a time we never sent: stale or spoofed, not ours."""
