"""Request encoders and response decoders: pure functions on bytes.

A *message* is what follows the 4-byte ``FF FF FF FF`` header (or the reassembled split
payload): its first byte is the response type. Decoders return a value or raise
``BrokenMessageError`` (``BufferExhaustedError`` for short data); nothing else escapes.
"""

from __future__ import annotations

import struct
from typing import Any, Final

from bot.protocols.a2s import games
from bot.protocols.a2s.buffer import Reader
from bot.protocols.a2s.errors import BrokenMessageError, BufferExhaustedError
from bot.protocols.a2s.models import (
    GoldSrcInfo,
    Player,
    PlayerList,
    RulesDict,
    SourceInfo,
)

HEADER_SIMPLE: Final = b"\xff\xff\xff\xff"
HEADER_SPLIT: Final = b"\xfe\xff\xff\xff"
# -1: asks the server for a challenge (python-a2s sends 0, which some servers reject).
NO_CHALLENGE: Final = b"\xff\xff\xff\xff"

A2S_INFO: Final = 0x54
A2S_PLAYER: Final = 0x55
A2S_RULES: Final = 0x56
S2C_CHALLENGE: Final = 0x41
S2A_INFO: Final = 0x49
S2A_INFO_GOLDSRC: Final = 0x6D
S2A_PLAYER: Final = 0x44
S2A_RULES: Final = 0x45

INFO_PAYLOAD: Final = b"Source Engine Query\x00"
_SCORE_DURATION: Final = struct.Struct("<if")
_DEATHS_MONEY: Final = struct.Struct("<ii")
_APP_COUNTS: Final = struct.Struct("<HBBB")
_THREE_BYTES: Final = struct.Struct("<BBB")
_U16: Final = struct.Struct("<H")
_U64: Final = struct.Struct("<Q")
_INFO_REQUEST: Final = HEADER_SIMPLE + bytes((A2S_INFO,)) + INFO_PAYLOAD
_PLAYERS_REQUEST: Final = HEADER_SIMPLE + bytes((A2S_PLAYER,))
_RULES_REQUEST: Final = HEADER_SIMPLE + bytes((A2S_RULES,))


def encode_info_request(challenge: bytes | None = None) -> bytes:
    """A2S_INFO; the challenge (4 opaque bytes) is appended only once the server asked for it."""
    if challenge is None:
        return _INFO_REQUEST
    return _INFO_REQUEST + _check_challenge(challenge)


def encode_players_request(challenge: bytes = NO_CHALLENGE) -> bytes:
    return _PLAYERS_REQUEST + _check_challenge(challenge)


def encode_rules_request(challenge: bytes = NO_CHALLENGE) -> bytes:
    return _RULES_REQUEST + _check_challenge(challenge)


def _check_challenge(challenge: bytes) -> bytes:
    if len(challenge) != 4:
        raise ValueError("a challenge is exactly 4 bytes")
    return challenge


def decode_challenge(message: bytes) -> bytes:
    """The 4 challenge bytes of an S2C_CHALLENGE message, echoed verbatim by the client."""
    if not message or message[0] != S2C_CHALLENGE:
        raise BrokenMessageError("not a challenge response")
    if len(message) < 5:
        raise BufferExhaustedError("challenge response shorter than 4 bytes")
    return message[1:5]


def unwrap_simple(datagram: bytes) -> bytes:
    """Message of a simple (``FF FF FF FF``) datagram.

    Garry's Mod players and some TF2 rules repeat the header inside the payload: strip it too.
    """
    # Slices, not startswith: this runs on every datagram the A2S engine receives.
    if datagram[:4] != HEADER_SIMPLE:
        raise BrokenMessageError("not a simple response")
    if datagram[4:8] == HEADER_SIMPLE:
        return datagram[8:]
    return datagram[4:]


def _text(raw: bytes, encoding: str | None) -> Any:
    return raw if encoding is None else raw.decode(encoding, "replace")


def decode_info(message: bytes, encoding: str | None = "utf-8", ping: float = 0.0) -> Any:
    """``SourceInfo`` for 0x49, ``GoldSrcInfo`` for the obsolete 0x6D layout."""
    if not message:
        raise BufferExhaustedError("empty response")
    kind = message[0]
    if kind == S2A_INFO:
        return _decode_source_info(message, encoding, ping)
    if kind == S2A_INFO_GOLDSRC:
        return _decode_goldsrc_info(message, encoding, ping)
    raise BrokenMessageError(f"not an info response: 0x{kind:02x}")


def _decode_source_info(message: bytes, encoding: str | None, ping: float) -> SourceInfo[Any]:
    # Inlined, unrolled reads (no Reader, no loops): INFO is the query a status board sends
    # most, and the engine's throughput hinges on it.
    data = message
    find = data.find
    try:
        protocol = data[1]
        e0 = find(b"\x00", 2)  # name
        if e0 < 0:
            raise BufferExhaustedError("string without terminator")
        e1 = find(b"\x00", e0 + 1)  # map
        if e1 < 0:
            raise BufferExhaustedError("string without terminator")
        e2 = find(b"\x00", e1 + 1)  # folder
        if e2 < 0:
            raise BufferExhaustedError("string without terminator")
        e3 = find(b"\x00", e2 + 1)  # game
        if e3 < 0:
            raise BufferExhaustedError("string without terminator")
        pos = e3 + 1
        app_id, players, max_players, bots = _APP_COUNTS.unpack_from(data, pos)
        raw_type = data[pos + 5 : pos + 6]
        raw_platform = data[pos + 6 : pos + 7]
        visibility = data[pos + 7]
        vac = data[pos + 8]
        pos += 9
        ship: tuple[int, int, int] | tuple[None, None, None] = (None, None, None)
        if app_id == games.APP_THE_SHIP:
            # The Ship puts mode, witnesses and duration before the version.
            ship = _THREE_BYTES.unpack_from(data, pos)
            pos += 3
        end = find(b"\x00", pos)
        if end < 0:
            raise BufferExhaustedError("version without terminator")
        raw_version = data[pos:end]
        pos = end + 1
    except (IndexError, struct.error):
        raise BufferExhaustedError("info response ended early") from None
    # Old servers stop after the version: no EDF byte at all.
    edf = data[pos] if pos < len(data) else 0
    port = steam_id = stv_port = game_id = None
    raw_stv_name = raw_keywords = None
    truncated = False
    if edf:
        pos += 1
        # Each field is kept once read: a datagram cut short keeps what it holds.
        try:
            if edf & 0x80:
                (port,) = _U16.unpack_from(data, pos)
                pos += 2
            if edf & 0x10:
                (steam_id,) = _U64.unpack_from(data, pos)
                pos += 8
            if edf & 0x40:
                (stv_port,) = _U16.unpack_from(data, pos)
                end = find(b"\x00", pos + 2)
                if end < 0:
                    raise BufferExhaustedError("string without terminator")
                raw_stv_name = data[pos + 2 : end]
                pos = end + 1
            if edf & 0x20:
                end = find(b"\x00", pos)
                if end < 0:
                    raise BufferExhaustedError("string without terminator")
                raw_keywords = data[pos:end]
                pos = end + 1
            if edf & 0x01:
                (game_id,) = _U64.unpack_from(data, pos)
        except (struct.error, BufferExhaustedError):
            truncated = True
    stv_name: Any
    keywords: Any
    if encoding is None:
        name: Any = data[2:e0]
        map_name: Any = data[e0 + 1 : e1]
        folder: Any = data[e1 + 1 : e2]
        game: Any = data[e2 + 1 : e3]
        version: Any = raw_version
        server_type: Any = raw_type.lower()
        platform: Any = raw_platform
        stv_name, keywords = raw_stv_name, raw_keywords
    else:
        name = data[2:e0].decode(encoding, "replace")
        map_name = data[e0 + 1 : e1].decode(encoding, "replace")
        folder = data[e1 + 1 : e2].decode(encoding, "replace")
        game = data[e2 + 1 : e3].decode(encoding, "replace")
        version = raw_version.decode(encoding, "replace")
        server_type = raw_type.decode(encoding, "replace").lower()
        platform = raw_platform.decode(encoding, "replace")
        if platform == "o":  # deprecated macOS value
            platform = "m"
        stv_name = None if raw_stv_name is None else raw_stv_name.decode(encoding, "replace")
        keywords = None if raw_keywords is None else raw_keywords.decode(encoding, "replace")
    info: SourceInfo[Any] = SourceInfo(
        protocol,
        name,
        map_name,
        folder,
        game,
        app_id,
        players,
        max_players,
        bots,
        server_type,
        platform,
        visibility != 0,
        vac != 0,
        version,
        edf,
        ping,
        port,
        steam_id,
        stv_port,
        stv_name,
        keywords,
        game_id,
        ship[0],
        ship[1],
        ship[2],
        truncated,
    )
    return info


def _decode_goldsrc_info(message: bytes, encoding: str | None, ping: float) -> GoldSrcInfo[Any]:
    r = Reader(message, 1)
    address = _text(r.raw_cstring(), encoding)
    name = _text(r.raw_cstring(), encoding)
    map_name = _text(r.raw_cstring(), encoding)
    folder = _text(r.raw_cstring(), encoding)
    game = _text(r.raw_cstring(), encoding)
    players, max_players, protocol = r.three_u8()
    server_type = _text(r.data[r.pos : r.pos + 1], encoding)
    platform = _text(r.data[r.pos + 1 : r.pos + 2], encoding)
    r.skip(2)
    password = r.u8() != 0
    is_mod = r.u8() != 0
    website = download = None
    mod_version = mod_size = None
    mp_only = custom_dll = None
    # Some servers set the mod flag but omit the block (python-a2s#3/#4): vac + bots remain.
    if is_mod and r.remaining() > 2:
        website = _text(r.raw_cstring(), encoding)
        download = _text(r.raw_cstring(), encoding)
        r.skip(1)
        mod_version = r.u32()
        mod_size = r.u32()
        mp_only = r.u8() != 0
        custom_dll = r.u8() != 0
    vac = r.u8() != 0
    bots = r.u8()
    return GoldSrcInfo(
        address,
        name,
        map_name,
        folder,
        game,
        players,
        max_players,
        protocol,
        server_type,
        platform,
        password,
        is_mod,
        vac,
        bots,
        ping,
        website,
        download,
        mod_version,
        mod_size,
        mp_only,
        custom_dll,
    )


_PLAYER_NEW = object.__new__
# Setting the slots through their descriptors builds a frozen Player in half the time of its
# generated __init__ (which calls object.__setattr__ per field); players lists are the hot path.
(_SET_INDEX, _SET_NAME, _SET_SCORE, _SET_DURATION, _SET_DEATHS, _SET_MONEY) = (
    Player.__dict__[name].__set__
    for name in ("index", "name", "score", "duration", "deaths", "money")
)


def decode_players(
    message: bytes, encoding: str | None = "utf-8", app_id: int | None = None
) -> PlayerList[Player[Any]]:
    """Players; a list cut short by the server (TF2 stops at 1,260 bytes) comes back partial
    with ``truncated=True``. ``app_id`` (when known from INFO) gates The Ship's trailer."""
    if not message:
        raise BufferExhaustedError("empty response")
    if message[0] != S2A_PLAYER:
        raise BrokenMessageError(f"not a player response: 0x{message[0]:02x}")
    if len(message) < 2:
        raise BufferExhaustedError("player response without a count")
    data = message
    find = data.find
    unpack = _SCORE_DURATION.unpack_from
    new = _PLAYER_NEW
    players: PlayerList[Player[Any]] = PlayerList()
    append = players.append
    pos = 2
    # One pass, Players built in place (no row tuples, no call per player): this loop runs
    # 32-100 times per answer. A player is appended only once all its fields were read.
    try:
        for _ in range(data[1]):
            end = find(b"\x00", pos + 1)
            if end < 0:
                raise BufferExhaustedError("player name without terminator")
            score, duration = unpack(data, end + 1)
            player: Player[Any] = new(Player)
            _SET_INDEX(player, data[pos])
            name = data[pos + 1 : end]
            _SET_NAME(player, name if encoding is None else name.decode(encoding, "replace"))
            _SET_SCORE(player, score)
            _SET_DURATION(player, duration)
            _SET_DEATHS(player, None)
            _SET_MONEY(player, None)
            append(player)
            pos = end + 9
    except (IndexError, struct.error, BufferExhaustedError):
        players.truncated = True
        return players
    # The Ship appends deaths and money for every player after the list.
    ship_possible = app_id is None or app_id == games.APP_THE_SHIP
    if ship_possible and players and len(data) - pos == 8 * len(players):
        unpack_extra = _DEATHS_MONEY.unpack_from
        for i, player in enumerate(players):
            deaths, money = unpack_extra(data, pos + 8 * i)
            _SET_DEATHS(player, deaths)
            _SET_MONEY(player, money)
    return players


def decode_rules(message: bytes, encoding: str | None = "utf-8") -> RulesDict[Any, Any]:
    """Rules; a truncated list comes back partial with ``truncated=True``."""
    if not message:
        raise BufferExhaustedError("empty response")
    if message[0] != S2A_RULES:
        raise BrokenMessageError(f"not a rules response: 0x{message[0]:02x}")
    r = Reader(message, 1)
    count = r.u16()
    rules: RulesDict[Any, Any] = RulesDict()
    data = message
    pos = r.pos
    find = data.find
    try:
        for _ in range(count):
            end = find(b"\x00", pos)
            if end < 0:
                raise BufferExhaustedError("rule name without terminator")
            vend = find(b"\x00", end + 1)
            if vend < 0:
                raise BufferExhaustedError("rule value without terminator")
            if encoding is None:
                rules[data[pos:end]] = data[end + 1 : vend]
            else:
                rules[data[pos:end].decode(encoding, "replace")] = data[end + 1 : vend].decode(
                    encoding, "replace"
                )
            pos = vend + 1
    except BufferExhaustedError:
        rules.truncated = True
    return rules
