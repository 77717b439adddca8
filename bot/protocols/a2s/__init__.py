"""Valve A2S server queries (Source and GoldSrc), with python-a2s's API.

Layers: ``packets``/``fragments``/``session`` are sans-IO (bytes in, values out); ``engine`` is
the asyncio transport (one UDP socket per address family for any number of servers); ``api``
holds the python-a2s compatible functions. Game knowledge lives in ``games``.
"""

from bot.protocols.a2s.api import (
    DEFAULT_ENCODING,
    DEFAULT_TIMEOUT,
    ainfo,
    aplayers,
    arules,
    default_engine,
    info,
    players,
    rules,
)
from bot.protocols.a2s.engine import A2SEngine
from bot.protocols.a2s.errors import (
    A2SError,
    BrokenMessageError,
    BufferExhaustedError,
    EngineClosedError,
    EngineLoopError,
)
from bot.protocols.a2s.games import Arma3Mod, Arma3Rules, DayZKeywords, decode_arma3_rules
from bot.protocols.a2s.models import GoldSrcInfo, Player, PlayerList, RulesDict, SourceInfo
from bot.protocols.a2s.probe import afind_query_port, find_query_port
from bot.protocols.a2s.session import Kind

__all__ = [
    "DEFAULT_ENCODING",
    "DEFAULT_TIMEOUT",
    "A2SEngine",
    "A2SError",
    "Arma3Mod",
    "Arma3Rules",
    "BrokenMessageError",
    "BufferExhaustedError",
    "DayZKeywords",
    "EngineClosedError",
    "EngineLoopError",
    "GoldSrcInfo",
    "Kind",
    "Player",
    "PlayerList",
    "RulesDict",
    "SourceInfo",
    "afind_query_port",
    "ainfo",
    "aplayers",
    "arules",
    "decode_arma3_rules",
    "default_engine",
    "find_query_port",
    "info",
    "players",
    "rules",
]
