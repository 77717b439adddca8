"""Query (GameSpy4-style, UDP, ``enable-query=true``), sans-IO: requests, answers, the exchange.

::

    C→S  FE FD | u8 type | i32 session | payload      type 9 = handshake, 0 = stat
    S→C  u8 type | i32 session | payload

Handshake answer: the challenge token as ASCII decimal + NUL, sent back as i32 BE. Full stat
request: session, token and 4 padding bytes. Its answer: 11 bytes of padding (``splitnum\\0``
``80 00`` in vanilla, other bytes from Geyser; skipped by length), ``key\\0value\\0`` pairs ending
with an empty key, then ``01 "player_" 00 00`` and NUL-terminated names ending with an empty
one. Keys come in any order. Vanilla writes strings one byte per character, so the MOTD can
hold NUL bytes: its value runs to the NUL before the next known key.
"""

from __future__ import annotations

import re
import struct
from enum import Enum

from bot.protocols.minecraft.chat import strip_codes
from bot.protocols.minecraft.errors import InvalidStateError, MinecraftEncodeError, NotMinecraft
from bot.protocols.minecraft.models import QueryStat
from bot.protocols.minecraft.status_json import MAX_MOTD_CHARS, MAX_NAME_CHARS

MAGIC = b"\xfe\xfd"
TYPE_HANDSHAKE = 9
TYPE_STAT = 0
# "Only the lower 4 bits on each byte" of the session id count (wiki.vg Query).
SESSION_MASK = 0x0F0F0F0F
FULL_STAT_PADDING = b"\x00\x00\x00\x00"
ANSWER_PADDING_BYTES = 11
PLAYER_SECTION = b"\x01player_\x00\x00"
# UDP caps a datagram at 65,507 bytes of payload; Minecraft never splits its answer.
MAX_DATAGRAM_BYTES = 65535
# Longest plugins value kept; other values are clipped at MAX_NAME_CHARS, the MOTD longer.
MAX_PLUGINS_CHARS = 4096
MAX_PLAYERS = 4096
KNOWN_KEYS = (
    "hostname",
    "gametype",
    "game_id",
    "version",
    "plugins",
    "map",
    "numplayers",
    "maxplayers",
    "hostport",
    "hostip",
)
_HOSTNAME_END = re.compile(
    b"\x00(?:" + b"|".join(k.encode() for k in KNOWN_KEYS if k != "hostname") + b")\x00"
)
_HEADER = struct.Struct(">Bi")
_TOKEN = re.compile(rb"-?\d{1,10}")
_NUMBER = re.compile(r"-?\d{1,10}")


def _header(kind: int, session_id: int) -> bytes:
    return MAGIC + _HEADER.pack(kind, session_id & SESSION_MASK)


def encode_handshake(session_id: int) -> bytes:
    """``FE FD 09 <session>``; ``session_id`` is masked with :data:`SESSION_MASK`."""
    return _header(TYPE_HANDSHAKE, session_id)


def _token_bytes(token: int) -> bytes:
    if not -(1 << 31) <= token < 1 << 32:
        raise MinecraftEncodeError("challenge token does not fit 32 bits")
    return struct.pack(">I", token & 0xFFFFFFFF)


def encode_basic_stat(session_id: int, token: int) -> bytes:
    """``FE FD 00 <session> <token>``."""
    return _header(TYPE_STAT, session_id) + _token_bytes(token)


def encode_full_stat(session_id: int, token: int) -> bytes:
    """The basic stat request plus 4 padding bytes, which asks for the full stat."""
    return encode_basic_stat(session_id, token) + FULL_STAT_PADDING


def _is_for(datagram: bytes, kind: int, session_id: int) -> bool:
    if len(datagram) < _HEADER.size:
        return False
    got_kind, got_session = _HEADER.unpack_from(datagram)
    return bool(got_kind == kind and got_session == session_id & SESSION_MASK)


def decode_handshake(datagram: bytes, session_id: int) -> int | None:
    """The challenge token of a handshake answer; None for a datagram of another type or session
    (a stray answer to ignore); :class:`NotMinecraft` for a bad token."""
    if not _is_for(datagram, TYPE_HANDSHAKE, session_id):
        return None
    body = datagram[_HEADER.size :]
    token = body.split(b"\x00", 1)[0]
    if not _TOKEN.fullmatch(token):
        raise NotMinecraft("challenge token is not a decimal number")
    value = int(token)
    if not -(1 << 31) <= value < 1 << 32:
        raise NotMinecraft("challenge token does not fit 32 bits")
    return value


def _text(raw: bytes) -> str:
    # Vanilla truncates each char to a byte (Latin-1); Geyser and proxies send UTF-8.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _hostname_end(section: bytes, start: int) -> int:
    # The MOTD may hold NULs: it ends at the NUL before the next known key, or before the
    # empty key and player section when it is the last pair.
    found = _HOSTNAME_END.search(section, start)
    if found:
        return found.start()
    last = section.find(b"\x00\x00" + PLAYER_SECTION, start)
    return last if last >= 0 else section.find(b"\x00", start)


def _pairs(section: bytes) -> tuple[dict[str, str], int]:
    """The key/value pairs and the offset after their empty end key."""
    values: dict[str, str] = {}
    position = 0
    while position < len(section):
        end = section.find(b"\x00", position)
        if end < 0:
            raise NotMinecraft("key/value section ends inside a key")
        key = _text(section[position:end])[:MAX_NAME_CHARS]
        position = end + 1
        if not key:
            return values, position
        if key == "hostname":
            end = _hostname_end(section, position)
        else:
            end = section.find(b"\x00", position)
        if end < 0:
            raise NotMinecraft(f"value of {key!r} is not terminated")
        values[key] = _text(section[position:end])[:MAX_PLUGINS_CHARS]
        position = end + 1
    raise NotMinecraft("key/value section has no end marker")


def _players(section: bytes) -> tuple[str, ...]:
    names: list[str] = []
    for raw in section.split(b"\x00"):
        if not raw or len(names) >= MAX_PLAYERS:
            break
        names.append(_text(raw)[:MAX_NAME_CHARS])
    return tuple(names)


def _optional_number(values: dict[str, str], key: str) -> int | None:
    value = values.get(key, "")
    return int(value) if _NUMBER.fullmatch(value) else None


def _number(values: dict[str, str], key: str) -> int:
    number = _optional_number(values, key)
    if number is None:
        raise NotMinecraft(f"Query {key} is not a number")
    return number


def _split_plugins(value: str) -> tuple[str, tuple[str, ...]]:
    software, _, listed = value.partition(":")
    plugins = tuple(p.strip() for p in listed.split(";") if p.strip())
    return software.strip(), plugins


def decode_full_stat(datagram: bytes, session_id: int) -> QueryStat | None:
    """A full stat answer as a :class:`QueryStat`; None for a datagram of another type or
    session; :class:`NotMinecraft` when it is ours but malformed."""
    if not _is_for(datagram, TYPE_STAT, session_id):
        return None
    if len(datagram) > MAX_DATAGRAM_BYTES:
        raise NotMinecraft("datagram larger than UDP allows")
    if len(datagram) < _HEADER.size + ANSWER_PADDING_BYTES:
        raise NotMinecraft("full stat shorter than its padding")
    body = datagram[_HEADER.size + ANSWER_PADDING_BYTES :]
    values, end = _pairs(body)
    # The player section follows the empty end key; a server that sends none has no players.
    split = body.find(PLAYER_SECTION, end)
    players = _players(body[split + len(PLAYER_SECTION) :]) if split >= 0 else ()
    software, plugins = _split_plugins(values.get("plugins", ""))
    return QueryStat(
        motd=strip_codes(values.get("hostname", ""))[:MAX_MOTD_CHARS],
        game_type=values.get("gametype", "")[:MAX_NAME_CHARS],
        game_id=values.get("game_id", "")[:MAX_NAME_CHARS],
        version=values.get("version", "")[:MAX_NAME_CHARS],
        software=software[:MAX_NAME_CHARS],
        plugins=plugins,
        map_name=values.get("map", "")[:MAX_NAME_CHARS],
        online=_number(values, "numplayers"),
        max_players=_number(values, "maxplayers"),
        host_ip=values.get("hostip", "")[:MAX_NAME_CHARS],
        host_port=_optional_number(values, "hostport"),
        players=players,
        raw=values,
    )


class QueryState(Enum):
    HANDSHAKE = "handshake"
    STAT = "stat"
    DONE = "done"


class QueryExchange:
    """One full-stat exchange: handshake, then the stat request with the token.

    :meth:`request` is the datagram to send now (again, after a loss); feed every received
    datagram to :meth:`receive_datagram`: it returns the next datagram to send, the
    :class:`QueryStat` at the end, or None for a datagram that is not ours.
    """

    def __init__(self, session_id: int) -> None:
        self.session_id = session_id & SESSION_MASK
        self.token: int | None = None
        self.state = QueryState.HANDSHAKE

    def request(self) -> bytes:
        if self.state is QueryState.HANDSHAKE:
            return encode_handshake(self.session_id)
        if self.state is QueryState.STAT and self.token is not None:
            return encode_full_stat(self.session_id, self.token)
        raise InvalidStateError("the exchange is over")

    def restart(self) -> None:
        """Back to the handshake: a stat request left unanswered may carry an expired token
        (vanilla forgets tokens after about 30 s and answers nothing). ``token`` keeps the last
        one, so the caller still knows the server answered once."""
        if self.state is QueryState.DONE:
            raise InvalidStateError("the exchange is over")
        self.state = QueryState.HANDSHAKE

    def receive_datagram(self, datagram: bytes) -> bytes | QueryStat | None:
        if self.state is QueryState.HANDSHAKE:
            token = decode_handshake(datagram, self.session_id)
            if token is None:
                return None
            self.token = token
            self.state = QueryState.STAT
            return self.request()
        if self.state is QueryState.STAT:
            stat = decode_full_stat(datagram, self.session_id)
            if stat is not None:
                self.state = QueryState.DONE
            return stat
        raise InvalidStateError("the exchange is over")
