"""Minecraft: Java Edition server queries: Server List Ping (1.7+), the legacy pings, and Query.

Layers: ``codec`` (VarInt, VarLong, String), ``slp`` (framing and the status exchange),
``status_json``/``chat`` (JSON and chat components to values), ``legacy`` (pre-1.7 ping) and
``gs4`` (Query, GameSpy4 over UDP) are sans-IO; ``srv`` resolves ``_minecraft._tcp`` with dnspython;
``client`` is the asyncio transport, ``sync`` its blocking wrappers.
"""

from bot.protocols.minecraft.chat import flatten, strip_codes
from bot.protocols.minecraft.client import DEFAULT_TIMEOUT, legacy_status, query, status
from bot.protocols.minecraft.errors import (
    AnswerTooLarge,
    InvalidStateError,
    MinecraftEncodeError,
    MinecraftError,
    MinecraftRefused,
    MinecraftTimeout,
    MinecraftUnreachable,
    MinecraftUnresolved,
    NotMinecraft,
    QueryDisabled,
)
from bot.protocols.minecraft.models import (
    JavaPlayers,
    JavaStatus,
    JavaVersion,
    PlayerSample,
    QueryStat,
)
from bot.protocols.minecraft.srv import DEFAULT_PORT, SrvRecord, SrvResolver, resolve_address
from bot.protocols.minecraft.status_json import decode_favicon, parse_status
from bot.protocols.minecraft.sync import query_sync, status_sync

__all__ = [
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "AnswerTooLarge",
    "InvalidStateError",
    "JavaPlayers",
    "JavaStatus",
    "JavaVersion",
    "MinecraftEncodeError",
    "MinecraftError",
    "MinecraftRefused",
    "MinecraftTimeout",
    "MinecraftUnreachable",
    "MinecraftUnresolved",
    "NotMinecraft",
    "PlayerSample",
    "QueryDisabled",
    "QueryStat",
    "SrvRecord",
    "SrvResolver",
    "decode_favicon",
    "flatten",
    "legacy_status",
    "parse_status",
    "query",
    "query_sync",
    "resolve_address",
    "status",
    "status_sync",
    "strip_codes",
]
