"""One exception hierarchy for the Minecraft Java Edition queries (status, legacy ping, Query).

Every decoder raises :class:`NotMinecraft` (or a subclass) for bytes it cannot accept, and the
asyncio functions translate socket failures into the classes below, so a caller needs only
``except MinecraftError``. Messages name what was wrong, never a whole answer.
"""

from __future__ import annotations


class MinecraftError(Exception):
    """Base class of every Minecraft error."""


class MinecraftTimeout(MinecraftError, TimeoutError):
    """No complete answer within the call's one timeout (DNS, connect and every round trip).

    Also a builtin ``TimeoutError``, as the A2S client raises, so generic timeout handling works.
    """


class MinecraftRefused(MinecraftError):
    """Nothing to talk to: the TCP connection was refused (the port is closed) or, for the
    subclasses, the host cannot be reached or its name has no address."""


class MinecraftUnreachable(MinecraftRefused):
    """A network error before any answer: no route to the host, network down."""


class MinecraftUnresolved(MinecraftRefused):
    """The host name has no address (after SRV, the name or SRV target did not resolve)."""


class NotMinecraft(MinecraftError):
    """Something answered, but not a valid Minecraft answer: malformed bytes, another protocol,
    or a connection closed or reset before the answer was complete."""


class AnswerTooLarge(NotMinecraft):
    """An answer announced or carried more than the package's bound (see the ``MAX_*`` constants).

    Refused before it is read, so a hostile server cannot make the bot buffer it.
    """


class QueryDisabled(MinecraftError):
    """The UDP Query port gave no answer (silence, or ICMP port unreachable when ``refused``).

    Query has no error packet, so ``enable-query=false``, a wrong ``query.port`` and a firewall
    look the same. When :func:`~bot.protocols.minecraft.status` works for the same server, Query
    is most likely disabled; the caller decides what to tell the user.
    """

    def __init__(self, message: str, *, refused: bool = False) -> None:
        super().__init__(message)
        self.refused = refused


class MinecraftEncodeError(MinecraftError, ValueError):
    """A request value cannot be encoded (out of range, or a string over the protocol's limit).

    The caller's mistake, never the server's; also a ``ValueError``.
    """


class InvalidStateError(MinecraftError):
    """A sans-IO state machine was asked for a step its current state does not allow."""
