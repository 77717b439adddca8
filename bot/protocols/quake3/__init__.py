"""Quake 3 family server queries (ioquake3, Wolfenstein: ET, Urban Terror, OpenArena, Call of
Duty, Jedi Knight): ``getstatus`` and ``getinfo`` out-of-band UDP packets.

Layers: ``text`` (colour codes, info strings) and ``packets`` are pure; ``query`` is the
sans-IO state machine of one query; ``client`` is the asyncio transport.
"""

from bot.protocols.quake3.client import DEFAULT_ATTEMPTS, DEFAULT_PORT, get_info, get_status
from bot.protocols.quake3.errors import (
    Q3ChallengeMismatchError,
    Q3Error,
    Q3MalformedError,
    Q3RefusedError,
    Q3ResolveError,
    Q3TimeoutError,
    Q3UnreachableError,
)
from bot.protocols.quake3.models import Q3Info, Q3Player, Q3Status
from bot.protocols.quake3.packets import (
    OOB,
    decode_info,
    decode_status,
    encode_getinfo,
    encode_getstatus,
    parse_player_line,
)
from bot.protocols.quake3.query import InfoQuery, StatusQuery
from bot.protocols.quake3.text import parse_infostring, strip_colours

__all__ = [
    "DEFAULT_ATTEMPTS",
    "DEFAULT_PORT",
    "OOB",
    "InfoQuery",
    "Q3ChallengeMismatchError",
    "Q3Error",
    "Q3Info",
    "Q3MalformedError",
    "Q3Player",
    "Q3RefusedError",
    "Q3ResolveError",
    "Q3Status",
    "Q3TimeoutError",
    "Q3UnreachableError",
    "StatusQuery",
    "decode_info",
    "decode_status",
    "encode_getinfo",
    "encode_getstatus",
    "get_info",
    "get_status",
    "parse_infostring",
    "parse_player_line",
    "strip_colours",
]
