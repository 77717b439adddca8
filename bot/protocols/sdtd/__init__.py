"""7 Days to Die telnet console: sans-IO line splitter and session, parsers, asyncio client.

::

    async with SdtdTelnetClient(host, 8081, password, timeout=10.0) as client:
        text = await client.command("version")
        players = await client.players()
        async for event in client.events():
            ...

See :mod:`.session` for how the end of an answer is found.
"""

from ..event_queue import Connected, Disconnected
from .client import DEFAULT_PORT, DEFAULT_TIMEOUT, SdtdTelnetClient
from .commands import ban_add, ban_remove, encode_command, kick, quote, say
from .errors import (
    NotSdtd,
    SdtdAuthError,
    SdtdClosed,
    SdtdError,
    SdtdInvalidCommand,
    SdtdInvalidState,
    SdtdRefused,
    SdtdTimeout,
)
from .events import (
    ChatDeduplicator,
    ChatMessage,
    CommandExecuted,
    EntityKilled,
    Event,
    GameEvent,
    LogMessage,
    PlayerConnected,
    PlayerDied,
    PlayerDisconnected,
    PlayerJoined,
    PlayerLeft,
    PlayerSpawned,
    ServerShutdown,
    parse_event,
)
from .lines import LineSplitter, LogLine, clip, parse_log_line, strip_colours
from .models import Ban, Player, parse_bans, parse_player_row, parse_players, parse_total
from .session import Answer, Session, SessionConfig, SessionEvent, SessionState

__all__ = [
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "Answer",
    "Ban",
    "ChatDeduplicator",
    "ChatMessage",
    "CommandExecuted",
    "Connected",
    "Disconnected",
    "EntityKilled",
    "Event",
    "GameEvent",
    "LineSplitter",
    "LogLine",
    "LogMessage",
    "NotSdtd",
    "Player",
    "PlayerConnected",
    "PlayerDied",
    "PlayerDisconnected",
    "PlayerJoined",
    "PlayerLeft",
    "PlayerSpawned",
    "SdtdAuthError",
    "SdtdClosed",
    "SdtdError",
    "SdtdInvalidCommand",
    "SdtdInvalidState",
    "SdtdRefused",
    "SdtdTelnetClient",
    "SdtdTimeout",
    "ServerShutdown",
    "Session",
    "SessionConfig",
    "SessionEvent",
    "SessionState",
    "ban_add",
    "ban_remove",
    "clip",
    "encode_command",
    "kick",
    "parse_bans",
    "parse_event",
    "parse_log_line",
    "parse_player_row",
    "parse_players",
    "parse_total",
    "quote",
    "say",
    "strip_colours",
]
