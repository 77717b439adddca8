"""Typed game events from server log lines (sans-IO), and the client's own session events.

Forms recognised, from the real lines quoted in protocol notes II, section 8 (A16 to 1.x)::

    Chat (from '7656…', entity id '171', to 'Global'): 'Corran': test message
    Chat handled by mod 'CSMM Patrons': Chat (from 'Steam_…', entity id '549', to 'Global'): text
    Chat (from '-non-player-', entity id '-1', to 'Global'): 'Cata': a
    Chat: 'Name': text                                       (older, unverified)
    [NET] PlayerConnected EntityID=-1, PlayerID='', OwnerID='', PlayerName=''          (A16)
    Player connected, entityid=171, name=Halp, steamid=7656…, steamOwner=7656…, ip=1.2.3.4 (A17)
    PlayerSpawnedInWorld (reason: JoinMultiplayer, position: 1873, 66, 347): EntityID=171,
        PltfmId='Steam_…', CrossId='EOS_…', OwnerID='Steam_…', PlayerName='Catalysm'
    Player disconnected: EntityID=171, PltfmId='Steam_…', CrossId='EOS_…', OwnerID=…, PlayerName=…
    GMSG: Player 'Halp' joined the game / died / left the game     ("left": inferred)
    Entity zombieNurse 613814 killed by Catalysm 54854
    Executing command 'shutdown' by Telnet from 127.0.0.1:50802     (-> ServerShutdown)

The notes quote no log line for a shutdown itself; a ``shutdown`` command's echo announces one,
and the client reports the connection's end as :class:`Disconnected`. Every quantifier is
bounded (a hostile line cannot make a regex slow) and every string is clipped. The ``'Name': ``
part of chat is optional (absent in 1.x player chat), so a text that itself starts with
``'x': `` reads as a name: the format cannot tell them apart.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass

from ..event_queue import Connected, Disconnected
from .lines import LogLine, clip, strip_colours
from .models import MAX_ID_CHARS, MAX_NAME_CHARS, MAX_TEXT_CHARS, Vector

NON_PLAYER = "-non-player-"
CHAT_DEDUPE_WINDOW = 1.0
_DEDUPE_KEYS = 256

_CHAT = re.compile(
    r"(?:Chat handled by mod '(?P<mod>[^']{0,100})': )?"
    r"Chat \(from '(?P<sender>[^']{0,100})', entity id '(?P<entity>-?\d{1,10})', "
    r"to '(?P<channel>[^']{0,40})'\): (?P<body>.*)",
    re.DOTALL,
)
_OLD_CHAT = re.compile(r"Chat: (?P<body>'.*)", re.DOTALL)
_NAMED_BODY = re.compile(r"'(?P<name>.{0,128}?)': (?P<text>.*)", re.DOTALL)
_A17_CONNECTED = re.compile(
    r"Player connected, entityid=(?P<entity>-?\d{1,10}), name=(?P<name>.{0,128}), "
    r"steamid=(?P<steam>[^,]{0,100}), steamOwner=(?P<owner>[^,]{0,100}), ip=(?P<ip>.{0,100})",
    re.DOTALL,
)
_SPAWNED = re.compile(
    r"PlayerSpawnedInWorld \(reason: (?P<reason>[^,]{0,40}), position: "
    r"(?P<x>-?\d{1,9}), (?P<y>-?\d{1,9}), (?P<z>-?\d{1,9})\): (?P<fields>.*)",
    re.DOTALL,
)
# ``Key='value'`` or ``Key=value`` before PlayerName; the name is read from the end of the line
# because it may hold quotes and commas.
_FIELD = re.compile(r"(?P<key>\w{1,32})=(?:'(?P<quoted>[^']{0,128})'|(?P<bare>[^,']{0,128}))")
_PLAYER_NAME = re.compile(
    r"(?P<head>.{0,1024}?)PlayerName='(?P<name>.{0,128}?)'"
    r"(?:, ClientNumber='(?P<client>\d{1,6})')?",
    re.DOTALL,
)
_GMSG = re.compile(
    r"GMSG: Player '(?P<name>.{0,128})' (?P<what>joined the game|left the game|died)", re.DOTALL
)
_KILLED = re.compile(
    r"Entity (?P<victim>\S{1,64}) (?P<victim_id>\d{1,10}) killed by "
    r"(?P<killer>.{1,128}) (?P<killer_id>\d{1,10})",
    re.DOTALL,
)
_ECHO = re.compile(r"Executing command '(?P<command>.{0,1024})' by (?P<source>.{0,200})", re.DOTALL)


def _name(text: str) -> str:
    return clip(strip_colours(text), MAX_NAME_CHARS)


def _id(text: str | None) -> str:
    return clip(text or "", MAX_ID_CHARS)


# --- game events -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """``sender_id`` is the platform id (``7656…``, ``Steam_…``) or ``-non-player-``; ``name``
    is ``None`` when the line carries none (1.x player chat); ``mod`` names the mod that
    re-emitted the line. Colour markup is stripped from ``name`` and ``text``."""

    sender_id: str
    entity_id: int
    channel: str
    name: str | None
    text: str
    mod: str | None = None

    @property
    def from_player(self) -> bool:
        return self.sender_id != NON_PLAYER and self.entity_id >= 0


@dataclass(frozen=True, slots=True)
class PlayerConnected:
    """A client connected (before spawning). A16 prints it with empty fields."""

    entity_id: int
    name: str
    platform_id: str = ""
    owner_id: str = ""
    ip: str = ""


@dataclass(frozen=True, slots=True)
class PlayerSpawned:
    """``reason``: ``JoinMultiplayer`` (first join), ``EnterMultiplayer`` (reconnect),
    ``Teleport``, ``Died``..."""

    entity_id: int
    name: str
    reason: str
    position: Vector
    platform_id: str = ""
    cross_id: str = ""
    owner_id: str = ""

    @property
    def first_join(self) -> bool:
        return self.reason == "JoinMultiplayer"


@dataclass(frozen=True, slots=True)
class PlayerDisconnected:
    entity_id: int
    name: str
    platform_id: str = ""
    cross_id: str = ""
    owner_id: str = ""


@dataclass(frozen=True, slots=True)
class PlayerJoined:
    """``GMSG: Player '<name>' joined the game``: the in-game announcement."""

    name: str


@dataclass(frozen=True, slots=True)
class PlayerLeft:
    name: str


@dataclass(frozen=True, slots=True)
class PlayerDied:
    name: str


@dataclass(frozen=True, slots=True)
class EntityKilled:
    """``Entity <victim> <id> killed by <killer> <id>`` (a zombie or animal killed by a player)."""

    victim: str
    victim_entity_id: int
    killer: str
    killer_entity_id: int


@dataclass(frozen=True, slots=True)
class CommandExecuted:
    """The echo of a console command run by anyone (``source``: ``Telnet from ip:port``...)."""

    command: str
    source: str


@dataclass(frozen=True, slots=True)
class ServerShutdown:
    """Someone ran ``shutdown``: the server is going down (the connection will end)."""

    source: str


@dataclass(frozen=True, slots=True)
class LogMessage:
    """Any other log line (only delivered when the client is asked for raw lines)."""

    line: LogLine


GameEvent = (
    ChatMessage
    | PlayerConnected
    | PlayerSpawned
    | PlayerDisconnected
    | PlayerJoined
    | PlayerLeft
    | PlayerDied
    | EntityKilled
    | CommandExecuted
    | ServerShutdown
)
# Connected and Disconnected are made by the client, not parsed.
Event = GameEvent | LogMessage | Connected | Disconnected


def _fields(text: str) -> tuple[dict[str, str], str, str | None]:
    """Keys before ``PlayerName`` (lower-cased), the name, and ``ClientNumber``."""
    m = _PLAYER_NAME.fullmatch(text)
    if m is None:
        return {}, "", None
    found: dict[str, str] = {}
    for field in _FIELD.finditer(m["head"]):
        value = field["quoted"] if field["quoted"] is not None else field["bare"]
        found.setdefault(field["key"].lower(), value.strip())
    return found, m["name"], m["client"]


def _entity(fields: dict[str, str]) -> int | None:
    raw = fields.get("entityid", "")
    if re.fullmatch(r"-?\d{1,10}", raw, re.ASCII) is None:
        return None
    return int(raw)


def _chat(m: re.Match[str]) -> ChatMessage:
    body = m["body"]
    named = _NAMED_BODY.fullmatch(body)
    name = None if named is None else _name(named["name"])
    text = body if named is None else named["text"]
    return ChatMessage(
        sender_id=_id(m["sender"]),
        entity_id=int(m["entity"]),
        channel=clip(m["channel"], 40),
        name=name,
        text=clip(strip_colours(text), MAX_TEXT_CHARS),
        mod=None if m["mod"] is None else clip(m["mod"], 100),
    )


def _player_line(message: str) -> GameEvent | None:
    if message.startswith("PlayerSpawnedInWorld "):
        m = _SPAWNED.fullmatch(message)
        if m is None:
            return None
        fields, name, _ = _fields(m["fields"])
        entity = _entity(fields)
        if entity is None:
            return None
        return PlayerSpawned(
            entity_id=entity,
            name=_name(name),
            reason=clip(m["reason"], 40),
            position=(float(m["x"]), float(m["y"]), float(m["z"])),
            platform_id=_id(fields.get("pltfmid") or fields.get("playerid")),
            cross_id=_id(fields.get("crossid")),
            owner_id=_id(fields.get("ownerid")),
        )
    if message.startswith(("Player disconnected: ", "[NET] PlayerConnected ")):
        fields, name, _ = _fields(message.split(" ", 2)[2])
        entity = _entity(fields)
        if entity is None:
            return None
        platform = _id(fields.get("pltfmid") or fields.get("playerid"))
        if message.startswith("[NET]"):
            return PlayerConnected(entity, _name(name), platform, _id(fields.get("ownerid")))
        return PlayerDisconnected(
            entity, _name(name), platform, _id(fields.get("crossid")), _id(fields.get("ownerid"))
        )
    m = _A17_CONNECTED.fullmatch(message)
    if m is None:
        return None
    return PlayerConnected(
        int(m["entity"]), _name(m["name"]), _id(m["steam"]), _id(m["owner"]), _id(m["ip"])
    )


def parse_event(line: LogLine) -> GameEvent | None:
    """The typed event of a log line, or ``None`` when it is not one we know."""
    message = line.message
    first = message[:1]
    if first == "C":
        m = _CHAT.fullmatch(message)
        if m is not None:
            return _chat(m)
        old = _OLD_CHAT.fullmatch(message)
        if old is not None:
            named = _NAMED_BODY.fullmatch(old["body"])
            if named is not None:
                text = clip(strip_colours(named["text"]), MAX_TEXT_CHARS)
                return ChatMessage("", -1, "Global", _name(named["name"]), text)
        return None
    if first == "P" or message.startswith("[NET] "):
        return _player_line(message)
    if first == "G":
        m = _GMSG.fullmatch(message)
        if m is None:
            return None
        what = m["what"]
        name = _name(m["name"])
        if what == "died":
            return PlayerDied(name)
        return PlayerJoined(name) if what == "joined the game" else PlayerLeft(name)
    if first == "E":
        m = _KILLED.fullmatch(message)
        if m is not None:
            return EntityKilled(
                clip(m["victim"], 64),
                int(m["victim_id"]),
                _name(m["killer"]),
                int(m["killer_id"]),
            )
        m = _ECHO.fullmatch(message)
        if m is not None:
            command = clip(m["command"], MAX_TEXT_CHARS)
            source = clip(m["source"], 200)
            if command.strip().lower() == "shutdown":
                return ServerShutdown(source)
            return CommandExecuted(command, source)
    return None


class ChatDeduplicator:
    """Mods re-emit chat: the same message comes as ``Chat handled by mod …`` and as the plain
    line. The second copy (same entity, channel and text, the other form, within ``window``
    seconds) is a duplicate; a player saying the same thing twice is not (takaro de-duplicates
    by text for 1 s)."""

    def __init__(self, window: float = CHAT_DEDUPE_WINDOW) -> None:
        self.window = window
        self._seen: OrderedDict[tuple[int, str, str], tuple[bool, float]] = OrderedDict()
        self.duplicates = 0

    def is_duplicate(self, chat: ChatMessage, now: float) -> bool:
        while self._seen:
            key, (_, when) = next(iter(self._seen.items()))
            if now - when <= self.window and len(self._seen) < _DEDUPE_KEYS:
                break
            del self._seen[key]
        key = (chat.entity_id, chat.channel, chat.text)
        via_mod = chat.mod is not None
        earlier = self._seen.get(key)
        if earlier is not None and earlier[0] != via_mod and now - earlier[1] <= self.window:
            del self._seen[key]
            self.duplicates += 1
            return True
        self._seen[key] = (via_mod, now)
        self._seen.move_to_end(key)
        return False
