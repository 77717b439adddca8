"""FiveM / RedM (FXServer) status over HTTP: ``info.json``, ``dynamic.json``, ``players.json``.

Layers: ``decode`` and ``oob`` are sans-IO (bytes in, values out), ``text`` makes server-chosen
text safe to show, ``client`` is the asyncio transport (aiohttp for HTTP, one UDP datagram for
the optional ``getinfo``).
"""

from bot.protocols.fivem.client import DEFAULT_PORT, DEFAULT_TIMEOUT, fetch_getinfo, fetch_status
from bot.protocols.fivem.decode import decode_dynamic, decode_info, decode_players
from bot.protocols.fivem.errors import (
    BodyTooLarge,
    FiveMError,
    FiveMHTTPError,
    FiveMRateLimited,
    FiveMTimeout,
    FiveMUnreachable,
    NotFiveM,
)
from bot.protocols.fivem.models import FiveMDynamic, FiveMInfo, FiveMPlayer, FiveMStatus
from bot.protocols.fivem.oob import decode_getinfo, encode_getinfo
from bot.protocols.fivem.text import strip_colours

__all__ = [
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "BodyTooLarge",
    "FiveMDynamic",
    "FiveMError",
    "FiveMHTTPError",
    "FiveMInfo",
    "FiveMPlayer",
    "FiveMRateLimited",
    "FiveMStatus",
    "FiveMTimeout",
    "FiveMUnreachable",
    "NotFiveM",
    "decode_dynamic",
    "decode_getinfo",
    "decode_info",
    "decode_players",
    "encode_getinfo",
    "fetch_getinfo",
    "fetch_status",
    "strip_colours",
]
