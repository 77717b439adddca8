"""Palworld's REST API (HTTP Basic ``admin``:AdminPassword, port 8212): status and admin calls.

Layers: ``codec`` is sans-IO (request bodies out; status + bytes in, values or errors out),
``client`` the asyncio transport (aiohttp). Notes: protocol-notes-2.md section 6.
"""

from bot.protocols.palworld.client import DEFAULT_PORT, DEFAULT_TIMEOUT, PalworldClient
from bot.protocols.palworld.codec import (
    decode_info,
    decode_metrics,
    decode_players,
    decode_settings,
    error_for,
)
from bot.protocols.palworld.errors import (
    AuthRefused,
    BodyTooLarge,
    InvalidArgument,
    NotPalworld,
    PalworldError,
    PalworldRequestError,
    PalworldTimeout,
    PalworldUnreachable,
)
from bot.protocols.palworld.models import (
    PalworldInfo,
    PalworldMetrics,
    PalworldPlayer,
    PalworldStatus,
)

__all__ = [
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "AuthRefused",
    "BodyTooLarge",
    "InvalidArgument",
    "NotPalworld",
    "PalworldClient",
    "PalworldError",
    "PalworldInfo",
    "PalworldMetrics",
    "PalworldPlayer",
    "PalworldRequestError",
    "PalworldStatus",
    "PalworldTimeout",
    "PalworldUnreachable",
    "decode_info",
    "decode_metrics",
    "decode_players",
    "decode_settings",
    "error_for",
]
