"""Server pushes parsed into typed events. Pure functions; every string is clipped.

Sources of the formats (protocol-notes-2.md section 7, and Rust server code where noted):

* chat: a ``Chat`` message whose ``Message`` is itself JSON: ``Channel`` (0 global, 1 team,
  2 server, 3 cards, 4 local, 5 clan), ``Message``, ``UserId`` (a string, a number on old
  builds), ``Username``, ``Color``, ``Time`` (Unix seconds);
* join: ``169.169.169.80:65384/76561198021481871/brunkel joined [windows/76561198021481871]``;
* leave: ``178.118.188.46:52210/76561198035925898/Emiel disconnecting: disconnect``;
* kick and ban: the server's own chat line (``Chat.Broadcast`` with Username ``SERVER``,
  UserId ``0``) written by ``kick``/``ban``/``banid``: ``Kicking <name> (<reason>)`` and
  ``Kickbanning <name>[ for <duration>] (<reason>)`` (``ConVar.Admin``);
* save: ``Saved 20,838 ents, cache(0.01), write(0.01), disk(0.00).`` and the newer
  ``Saved 17,879 ents, serialization (0.00), ...`` (``SaveRestore``);
* restart: ``Restarting in 60 seconds`` (``ServerMgr.ServerRestartWarning``).

Names are chosen by players. The fixed part written after a name anchors it (the join's
`` joined [os/id]``, the leave's `` disconnecting: ``), so a name cannot end a line early. Chat
also reaches the console as ``[CHAT] name[id] : text``; that copy stays a console line, so a
message is never reported twice. A line nothing here knows is a :class:`ConsoleMessage`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from ..event_queue import Connected, Disconnected
from .codec import MessageType, ServerMessage, clip, clip_json_text, loads_json

MAX_NAME = 128
MAX_CHAT = 1024  # Rust cuts chat at 128 characters; plugins may send longer
MAX_REASON = 512
MAX_CONSOLE = 4096
MAX_SHORT = 64  # ids, colours, platforms, durations

# Bounded so a line of colons cannot make the regex try every split of it.
_ADDR = r"(?P<ip>[^\s/]{1,64}):(?P<port>\d{1,5})"
_JOIN = re.compile(
    rf"{_ADDR}/(?P<steam_id>\d{{1,20}})/(?P<name>.*) joined "
    r"\[(?P<platform>[^\]/]*)/(?P<owner_id>\d{1,20})\]",
    re.DOTALL,
)
_LEAVE = re.compile(
    rf"{_ADDR}/(?P<steam_id>\d{{1,20}})/(?P<name>.*) disconnecting: (?P<reason>.*)", re.DOTALL
)
# The reason is written last and may hold brackets, so the name ends at the first " (".
_KICKING = re.compile(r"Kicking (?P<name>.+?) \((?P<reason>.*)\)", re.DOTALL)
_KICKBANNING = re.compile(
    r"Kickbanning (?P<name>.+?)(?: for (?P<duration>\d[^()]*?))? \((?P<reason>.*)\)", re.DOTALL
)
_SAVED = re.compile(r"Saved (?P<entities>\d[\d,.\s]*) ents\b.*", re.DOTALL)
_RESTARTING = re.compile(r"Restarting in (?P<seconds>\d{1,9}) seconds?.*", re.DOTALL)


class ChatChannel(IntEnum):
    GLOBAL = 0
    TEAM = 1
    SERVER = 2
    CARDS = 3
    LOCAL = 4
    CLAN = 5


_CHANNELS_BY_NAME = {c.name.lower(): c.value for c in ChatChannel}
# Console lines come as Generic; "Log" (Unity's name) and unknown types are read the same way.
_CONSOLE_TYPES = frozenset({MessageType.GENERIC, MessageType.LOG, MessageType.UNKNOWN})


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """``channel`` is the number the server sent (see :class:`ChatChannel`; unknown ones kept)."""

    channel: int
    username: str
    user_id: str
    text: str
    color: str = ""
    time: int = 0

    @property
    def channel_name(self) -> str:
        try:
            return ChatChannel(self.channel).name.lower()
        except ValueError:
            return f"channel {self.channel}"


@dataclass(frozen=True, slots=True)
class PlayerJoined:
    steam_id: str
    name: str
    ip: str
    port: int
    platform: str = ""


@dataclass(frozen=True, slots=True)
class PlayerLeft:
    steam_id: str
    name: str
    ip: str
    port: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PlayerKicked:
    """From the server's chat announcement, which names the player but not their SteamID."""

    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class PlayerBanned:
    """``duration`` is the server's wording (``"1 day"``); empty for a permanent ban."""

    name: str
    reason: str
    duration: str = ""


@dataclass(frozen=True, slots=True)
class ServerSaved:
    entities: int | None


@dataclass(frozen=True, slots=True)
class ServerRestarting:
    seconds: int


@dataclass(frozen=True, slots=True)
class ConsoleMessage:
    """A push no parser claimed (console output, warnings, errors, reports, odd chat)."""

    text: str
    type: MessageType = MessageType.GENERIC


PushEvent = (
    ChatMessage
    | PlayerJoined
    | PlayerLeft
    | PlayerKicked
    | PlayerBanned
    | ServerSaved
    | ServerRestarting
    | ConsoleMessage
)
# What the client's queue holds: the pushes and its own connection markers.
ClientEvent = PushEvent | Connected | Disconnected


def _port(text: str) -> int:
    value = int(text)
    return value if value <= 65535 else 0


def _int_or_zero(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else 0
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return 0


def parse_chat(payload: str) -> ChatMessage | None:
    """The JSON inside a Chat message; None when it is not a chat entry."""
    try:
        obj = loads_json(payload)
    except ValueError:
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("Message"), str):
        return None
    channel = obj.get("Channel", 0)
    if isinstance(channel, str):
        channel = _CHANNELS_BY_NAME.get(channel.lower(), -1)
    return ChatMessage(
        channel=_int_or_zero(channel),
        username=clip_json_text(obj.get("Username"), MAX_NAME),
        user_id=clip_json_text(obj.get("UserId"), MAX_SHORT),
        text=clip(obj["Message"], MAX_CHAT),
        color=clip_json_text(obj.get("Color"), MAX_SHORT),
        time=_int_or_zero(obj.get("Time")),
    )


def _server_announcement(chat: ChatMessage) -> PushEvent | None:
    if chat.username != "SERVER" or chat.user_id not in ("0", ""):
        return None
    if match := _KICKBANNING.fullmatch(chat.text):
        return PlayerBanned(
            name=clip(match["name"], MAX_NAME),
            reason=clip(match["reason"], MAX_REASON),
            duration=clip(match["duration"] or "", MAX_SHORT),
        )
    if match := _KICKING.fullmatch(chat.text):
        return PlayerKicked(clip(match["name"], MAX_NAME), clip(match["reason"], MAX_REASON))
    return None


def parse_console_line(text: str, type_: MessageType = MessageType.GENERIC) -> PushEvent:
    """A console line as a typed event, or a :class:`ConsoleMessage`."""
    line = text.strip()
    if type_ in _CONSOLE_TYPES and "\n" not in line and len(line) <= MAX_CONSOLE:
        if match := _JOIN.fullmatch(line):
            return PlayerJoined(
                steam_id=match["steam_id"],
                name=clip(match["name"], MAX_NAME),
                ip=clip(match["ip"], MAX_SHORT),
                port=_port(match["port"]),
                platform=clip(match["platform"], MAX_SHORT),
            )
        if match := _LEAVE.fullmatch(line):
            return PlayerLeft(
                steam_id=match["steam_id"],
                name=clip(match["name"], MAX_NAME),
                ip=clip(match["ip"], MAX_SHORT),
                port=_port(match["port"]),
                reason=clip(match["reason"], MAX_REASON),
            )
        if match := _SAVED.fullmatch(line):
            digits = re.sub(r"\D", "", match["entities"])[:18]
            return ServerSaved(int(digits) if digits else None)
        if match := _RESTARTING.fullmatch(line):
            return ServerRestarting(int(match["seconds"]))
    return ConsoleMessage(clip(text, MAX_CONSOLE), type_)


def parse_push(message: ServerMessage) -> PushEvent:
    """Any pushed message as one typed event; never raises."""
    if message.type is MessageType.CHAT:
        chat = parse_chat(message.message)
        if chat is None:
            return ConsoleMessage(clip(message.message, MAX_CONSOLE), MessageType.CHAT)
        return _server_announcement(chat) or chat
    return parse_console_line(message.message, message.type)
