"""Minecraft: Bedrock Edition status via RakNet's Unconnected Ping (UDP, default port 19132).

Layers: ``packets`` (ping/pong bytes) and ``motd`` (the ``;``-separated string) are pure;
``query`` is the sans-IO state machine of one ping; ``client`` is the asyncio transport.
"""

from bot.protocols.bedrock.client import DEFAULT_ATTEMPTS, DEFAULT_PORT, ping
from bot.protocols.bedrock.errors import (
    BedrockError,
    BedrockMalformedError,
    BedrockMismatchError,
    BedrockRefusedError,
    BedrockResolveError,
    BedrockTimeoutError,
    BedrockUnreachableError,
)
from bot.protocols.bedrock.motd import Edition, Motd, parse_motd, strip_formatting
from bot.protocols.bedrock.packets import MAGIC, Pong, decode_pong, encode_ping
from bot.protocols.bedrock.query import BedrockStatus, PingQuery

__all__ = [
    "DEFAULT_ATTEMPTS",
    "DEFAULT_PORT",
    "MAGIC",
    "BedrockError",
    "BedrockMalformedError",
    "BedrockMismatchError",
    "BedrockRefusedError",
    "BedrockResolveError",
    "BedrockStatus",
    "BedrockTimeoutError",
    "BedrockUnreachableError",
    "Edition",
    "Motd",
    "PingQuery",
    "Pong",
    "decode_pong",
    "encode_ping",
    "parse_motd",
    "ping",
    "strip_formatting",
]
