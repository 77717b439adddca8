"""Game knowledge layered on top of raw A2S fields.

Pure functions on primitives (no sockets, no models) so the decoders and models can both use them.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from bot.protocols.a2s.errors import BrokenMessageError, BufferExhaustedError
from bot.protocols.text_checks import ascii_int

APP_THE_SHIP = 2400
APP_CSGO = 730
APP_DAYZ = 221100
APP_ARMA3 = 107410

# Valve wiki: the split header has no Size field for these app ids when protocol == 7.
NO_SPLIT_SIZE_APP_IDS = frozenset({215, 17550, 17700, 240})
# HLDS answers INFO in the Source layout with protocol 48 but still splits the GoldSrc way.
GOLDSRC_PROTOCOL = 48

CSGO_FAKE_PLAYER_NAME = "Max Players"


def resolve_app_id(app_id: int, game_id: int | None) -> int:
    """The real app id: the wiki says the low 24 bits of GameID hold a more accurate one."""
    if game_id:
        real = game_id & 0xFFFFFF
        if real:
            return real
    return app_id


def _tags(keywords: str | bytes) -> list[str]:
    text = keywords.decode("utf-8", "replace") if isinstance(keywords, bytes) else keywords
    return [t.strip() for t in text.split(",")]


def rust_count(keywords: str | bytes | None, prefix: str, fallback: int) -> int:
    """Rust's ``mpN``/``cpN`` tags: the exact counts when the byte fields overflow past 255."""
    if not keywords:
        return fallback
    for tag in _tags(keywords):
        count = ascii_int(tag[len(prefix) :], 9) if tag.startswith(prefix) else None
        if count is not None:
            return count
    return fallback


@dataclass(frozen=True, slots=True)
class DayZKeywords:
    """DayZ's server information embedded in the keywords (tags) field."""

    queue: int | None
    time: str | None
    first_person_only: bool
    dlc: bool
    battleye: bool
    external: bool
    private_hive: bool
    day_acceleration: float | None
    night_acceleration: float | None


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None  # "9" * 400 is inf, "nan" parses


def _two_digits(text: str) -> bool:
    return ascii_int(text, 2) is not None


def parse_dayz_keywords(keywords: str | bytes) -> DayZKeywords:
    queue: int | None = None
    clock: str | None = None
    day: float | None = None
    night: float | None = None
    tags = _tags(keywords)
    for tag in tags:
        if tag.startswith("lqs"):
            number = ascii_int(tag[3:], 9)
            if number is not None:  # the last readable queue tag wins
                queue = number
        elif tag.startswith("entm"):
            night = _number(tag[4:])
        elif tag.startswith("etm"):
            day = _number(tag[3:])
        elif len(tag) == 5 and tag[2] == ":" and _two_digits(tag[:2]) and _two_digits(tag[3:]):
            clock = tag
    return DayZKeywords(
        queue=queue,
        time=clock,
        first_person_only="no3rd" in tags,
        dlc="isDLC" in tags,
        battleye="battleye" in tags,
        external="external" in tags,
        private_hive="privHive" in tags,
        day_acceleration=day,
        night_acceleration=night,
    )


class _Named(Protocol):
    @property
    def name(self) -> str | bytes: ...


P = TypeVar("P", bound=_Named)


def is_csgo_fake_player(name: str | bytes) -> bool:
    if isinstance(name, bytes):
        return name == CSGO_FAKE_PLAYER_NAME.encode()
    return name == CSGO_FAKE_PLAYER_NAME


def drop_csgo_fake_player(players: Sequence[P], app_id: int | None) -> list[P]:
    """CS:GO with ``host_players_show`` != 2 lists one fake player "Max Players".

    Dropped when the server is known to be CS:GO; when the game is unknown, only a list made of
    that single entry is dropped (a real lone player with exactly that name is implausible).
    """
    if app_id == APP_CSGO:
        return [p for p in players if not is_csgo_fake_player(p.name)]
    if app_id is None and len(players) == 1 and is_csgo_fake_player(players[0].name):
        return []
    return list(players)


# --- Arma 3 / DayZ binary rules (Arma 3 ServerBrowserProtocol3) -----------------------------


@dataclass(frozen=True, slots=True)
class Arma3Mod:
    hash: int
    dlc: bool
    steam_id: int
    name: str


@dataclass(frozen=True, slots=True)
class Arma3Rules:
    version: int
    overflow: int
    dlc_flags: int
    difficulty_raw: int
    dlc_hashes: tuple[int, ...]
    mods: tuple[Arma3Mod, ...]
    signatures: tuple[str, ...]
    bytes_consumed: int
    # DayZ only: the server description that ends its blob.
    description: str | None = None

    @property
    def difficulty(self) -> int:
        return self.difficulty_raw & 0b111

    @property
    def ai_skill(self) -> int:
        return self.difficulty_raw >> 3 & 0b111

    @property
    def advanced_flight_model(self) -> bool:
        return bool(self.difficulty_raw >> 6 & 1)

    @property
    def third_person_view(self) -> bool:
        return bool(self.difficulty_raw >> 7 & 1)

    @property
    def weapon_crosshair(self) -> bool:
        return bool(self.difficulty_raw >> 8 & 1)


def join_binary_rules(rules: Mapping[bytes, bytes]) -> bytes:
    """Concatenate the chunks keyed ``(index, total)`` (1-based) in index order."""
    chunks: dict[int, bytes] = {}
    total: int | None = None
    for key, value in rules.items():
        if not isinstance(key, bytes) or len(key) != 2:
            continue
        index, count = key[0], key[1]
        if total is None:
            total = count
        elif count != total:
            raise BrokenMessageError("binary rules: inconsistent chunk totals")
        chunks[index] = value
    if total is None or total == 0:
        raise BrokenMessageError("binary rules: no chunks")
    missing = [i for i in range(1, total + 1) if i not in chunks]
    if missing:
        raise BrokenMessageError(f"binary rules: missing chunks {missing[:5]}")
    return b"".join(chunks[i] for i in range(1, total + 1))


_UNESCAPE = {1: 1, 2: 0, 3: 0xFF}


def unescape(data: bytes) -> bytes:
    """Single pass: 01 01 -> 01, 01 02 -> 00, 01 03 -> FF.

    Chained ``bytes.replace`` calls are wrong: 01 01 02 would become 00 instead of 01 02.
    """
    if b"\x01" not in data:
        return data
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        j = data.find(b"\x01", i)
        if j < 0:
            out += data[i:]
            break
        out += data[i:j]
        if j + 1 >= n:
            raise BrokenMessageError("binary rules: dangling escape byte")
        code = _UNESCAPE.get(data[j + 1])
        if code is None:
            raise BrokenMessageError("binary rules: unknown escape sequence")
        out.append(code)
        i = j + 2
    return bytes(out)


class _Cursor:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, size: int) -> bytes:
        end = self.pos + size
        if end > len(self.data):
            raise BufferExhaustedError("binary rules: blob ended early")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        value: int = struct.unpack("<H", self.take(2))[0]
        return value

    def u32(self) -> int:
        value: int = struct.unpack("<I", self.take(4))[0]
        return value

    def varchar(self) -> str:
        return self.take(self.u8()).decode("utf-8", "replace")


def decode_arma3_blob(blob: bytes, *, dayz: bool = False) -> Arma3Rules:
    """Decode an already joined and unescaped ServerBrowserProtocol3 blob.

    DayZ's variant (per dayzquery) has no difficulty field and ends with a description.
    """
    cur = _Cursor(blob)
    version = cur.u8()
    overflow = cur.u8()
    dlc_flags = cur.u16()
    difficulty = 0 if dayz else cur.u16()
    hashes = tuple(cur.u32() for _ in range(bin(dlc_flags).count("1")))
    mods = []
    for _ in range(cur.u8()):
        mod_hash = cur.u32()
        info = cur.u8()
        steam_id = int.from_bytes(cur.take(info & 0x0F), "little")
        mods.append(Arma3Mod(mod_hash, bool(info & 0x10), steam_id, cur.varchar()))
    signatures = tuple(cur.varchar() for _ in range(cur.u8()))
    description = cur.varchar() if dayz and cur.pos < len(blob) else None
    return Arma3Rules(
        version,
        overflow,
        dlc_flags,
        difficulty,
        hashes,
        tuple(mods),
        signatures,
        cur.pos,
        description,
    )


def decode_arma3_rules(rules: Mapping[bytes, bytes], *, dayz: bool = False) -> Arma3Rules:
    """Mods, DLC and signatures from Arma 3 (or, with ``dayz=True``, DayZ) rules fetched with
    ``encoding=None``."""
    return decode_arma3_blob(unescape(join_binary_rules(rules)), dayz=dayz)
