"""Rust WebRCON: sans-IO codec and request table, push parsers, an aiohttp WebSocket client.

::

    async with WebRconClient(host, 28016, password, timeout=5) as rcon:
        print(await rcon.command("status"))
        for player in await rcon.players():
            ...
        async for event in rcon.events():
            ...

Layers: :mod:`.codec` (JSON envelopes), :mod:`.protocol` (Identifiers and matching),
:mod:`.events` and :mod:`.models` (pushes and JSON answers as typed values), then
:mod:`.transport` and :mod:`.client` (the only modules doing I/O).
"""

from ..event_queue import Connected, Disconnected
from .client import ClientStats, WebRconClient
from .codec import (
    MAX_COMMAND_CHARS,
    MAX_MESSAGE_BYTES,
    MessageType,
    ServerMessage,
    decode_message,
    encode_request,
    validate_command,
)
from .errors import (
    NotWebRcon,
    WebRconAuthError,
    WebRconClosed,
    WebRconError,
    WebRconRefused,
    WebRconRequestError,
    WebRconTimeout,
    WebRconUpgradeClosed,
)
from .events import (
    ChatChannel,
    ChatMessage,
    ClientEvent,
    ConsoleMessage,
    PlayerBanned,
    PlayerJoined,
    PlayerKicked,
    PlayerLeft,
    PushEvent,
    ServerRestarting,
    ServerSaved,
    parse_chat,
    parse_console_line,
    parse_push,
)
from .link import ClientState
from .models import RustPlayer, RustServerInfo, parse_playerlist, parse_serverinfo
from .protocol import ID_FIRST, ProtocolStats, Push, Reply, Unmatched, WebRconProtocol

__all__ = [
    "ID_FIRST",
    "MAX_COMMAND_CHARS",
    "MAX_MESSAGE_BYTES",
    "ChatChannel",
    "ChatMessage",
    "ClientEvent",
    "ClientState",
    "ClientStats",
    "Connected",
    "ConsoleMessage",
    "Disconnected",
    "MessageType",
    "NotWebRcon",
    "PlayerBanned",
    "PlayerJoined",
    "PlayerKicked",
    "PlayerLeft",
    "ProtocolStats",
    "Push",
    "PushEvent",
    "Reply",
    "RustPlayer",
    "RustServerInfo",
    "ServerMessage",
    "ServerRestarting",
    "ServerSaved",
    "Unmatched",
    "WebRconAuthError",
    "WebRconClient",
    "WebRconClosed",
    "WebRconError",
    "WebRconProtocol",
    "WebRconRefused",
    "WebRconRequestError",
    "WebRconTimeout",
    "WebRconUpgradeClosed",
    "decode_message",
    "encode_request",
    "parse_chat",
    "parse_console_line",
    "parse_playerlist",
    "parse_push",
    "parse_serverinfo",
    "validate_command",
]
