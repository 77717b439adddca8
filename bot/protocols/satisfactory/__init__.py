"""Satisfactory (1.0+) server state via the Lightweight Query API (UDP on the game port 7777).

Layers: ``packets`` is pure (poll and response bytes); ``query`` is the sans-IO state machine
of one poll; ``client`` is the asyncio transport. The HTTPS API is not part of this package.
"""

from bot.protocols.satisfactory.client import DEFAULT_ATTEMPTS, DEFAULT_PORT, poll_state
from bot.protocols.satisfactory.errors import (
    SatisfactoryCookieMismatchError,
    SatisfactoryError,
    SatisfactoryMalformedError,
    SatisfactoryRefusedError,
    SatisfactoryResolveError,
    SatisfactoryTimeoutError,
    SatisfactoryUnreachableError,
)
from bot.protocols.satisfactory.packets import (
    PROTOCOL_MAGIC,
    PROTOCOL_VERSION,
    MessageType,
    ServerState,
    StateResponse,
    SubState,
    SubStateId,
    decode_state_response,
    encode_poll,
)
from bot.protocols.satisfactory.query import PollQuery, SatisfactoryState

__all__ = [
    "DEFAULT_ATTEMPTS",
    "DEFAULT_PORT",
    "PROTOCOL_MAGIC",
    "PROTOCOL_VERSION",
    "MessageType",
    "PollQuery",
    "SatisfactoryCookieMismatchError",
    "SatisfactoryError",
    "SatisfactoryMalformedError",
    "SatisfactoryRefusedError",
    "SatisfactoryResolveError",
    "SatisfactoryState",
    "SatisfactoryTimeoutError",
    "SatisfactoryUnreachableError",
    "ServerState",
    "StateResponse",
    "SubState",
    "SubStateId",
    "decode_state_response",
    "encode_poll",
    "poll_state",
]
