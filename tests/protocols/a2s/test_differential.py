"""Differential tests against python-a2s 1.4.2's parsers, fed the same bytes.

Equal results are required everywhere except where python-a2s is known to be wrong; each such
case is listed in KNOWN_PYTHON_A2S_DEFECTS and tested to show that ours is the correct one.
"""

from __future__ import annotations

import dataclasses
import io
import struct
from typing import Any

import a2s as pya2s
import a2s.a2s_fragment as pya2s_fragment
import a2s.byteio as pya2s_byteio
import pytest
from a2s.info import InfoProtocol
from a2s.players import PlayersProtocol
from a2s.rules import RulesProtocol
from hypothesis import given
from hypothesis import strategies as st

from bot.protocols.a2s import packets
from bot.protocols.a2s.errors import BrokenMessageError
from bot.protocols.a2s.fragments import Reassembler
from tests.conftest import load_hex
from tests.fakes.a2s_server import (
    InfoSpec,
    PlayerSpec,
    encode_info,
    encode_players,
    encode_rules,
    split_goldsrc,
    split_source,
)
from tests.protocols.a2s.fixture_names import PLAYERS, RULES, SOURCE_INFO

KNOWN_PYTHON_A2S_DEFECTS = {
    "the_ship_info": "ignores Mode/Witnesses/Duration before Version: version is misread",
    "goldsrc_info_fields": "GoldSrcInfo(...) gets ping positionally at the end: ping, every mod "
    "field and uses_custom_dll are shifted by one",
    "truncated_lists": "raises BufferExhaustedError on TF2's 1,260-byte cut instead of "
    "returning the players/rules decoded so far",
    "truncated_edf": "raises BufferExhaustedError when announced EDF fields are missing",
    "compressed_splits": "tests bit 15 of the split id instead of bit 31 and bunzips each "
    "fragment alone (python-a2s#55)",
    "goldsrc_splits": "reads every split with the Source header (python-a2s#26)",
    "rule_count_signed": "reads the rule count as int16: above 32,767 it gets no rules",
    "challenge_zero": "solicits a challenge with 0 instead of -1 (FF FF FF FF)",
    "double_header_simple": "strips a repeated FF FF FF FF only in split answers, so Garry's Mod "
    "players fail with response type 0xff (python-a2s#6)",
}

PING = 0.125


def _theirs(message: bytes, encoding: str | None = "utf-8") -> Any:
    reader = pya2s_byteio.ByteReader(io.BytesIO(message), endian="<", encoding=encoding)
    kind = reader.read_uint8()
    if kind in (0x49, 0x6D):
        return InfoProtocol.deserialize_response(reader, kind, PING)
    if kind == 0x44:
        return PlayersProtocol.deserialize_response(reader, kind, PING)
    return RulesProtocol.deserialize_response(reader, kind, PING)


def _ours(message: bytes, encoding: str | None = "utf-8") -> Any:
    kind = message[0]
    if kind in (0x49, 0x6D):
        return packets.decode_info(message, encoding, PING)
    if kind == 0x44:
        return packets.decode_players(message, encoding)
    return packets.decode_rules(message, encoding)


def assert_same(message: bytes, encoding: str | None = "utf-8") -> None:
    theirs, ours = _theirs(message, encoding), _ours(message, encoding)
    if isinstance(theirs, dict):
        assert dict(ours) == theirs
    elif isinstance(theirs, list):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            assert (a.index, a.name, a.score, a.duration) == (b.index, b.name, b.score, b.duration)
    else:
        assert type(ours).__name__ == type(theirs).__name__
        for f in dataclasses.fields(theirs):
            assert getattr(ours, f.name) == getattr(theirs, f.name), f.name
        # Their properties too (has_port… from the EDF, uses_hl_dll): the names we mirror.
        for name in _properties(type(theirs)):
            assert getattr(ours, name) == getattr(theirs, name), name


def _properties(cls: type) -> list[str]:
    return [n for n in dir(cls) if isinstance(getattr(cls, n, None), property)]


# Every info, player and rules answer but the info python-a2s misreads (the_ship_info below);
# The Ship's players are equal on the common fields, only ours adds deaths and money.
AGREEING_FIXTURES = [n for n in SOURCE_INFO if n != "a2s_wiki_info_the_ship"] + PLAYERS + RULES


@pytest.mark.parametrize("name", AGREEING_FIXTURES)
@pytest.mark.parametrize("encoding", ["utf-8", None])
def test_fixtures_agree(name: str, encoding: str | None) -> None:
    assert_same(packets.unwrap_simple(load_hex(name)), encoding)


# -- known defects: ours is right, python-a2s is not --------------------------------------------


def test_defect_the_ship_info() -> None:
    message = packets.unwrap_simple(load_hex("a2s_wiki_info_the_ship"))
    assert _ours(message).version == "1.0.0.4"
    assert _theirs(message).version != "1.0.0.4"


def test_defect_goldsrc_info_fields() -> None:
    message = packets.unwrap_simple(load_hex("a2s_wiki_info_goldsrc_obsolete_m"))
    ours, theirs = _ours(message), _theirs(message)
    assert ours.mod_website == "www.counter-strike.net" and ours.ping == PING
    assert theirs.ping == "www.counter-strike.net" and theirs.uses_custom_dll == PING
    for name in ("address", "server_name", "map_name", "player_count", "vac_enabled"):
        assert getattr(ours, name) == getattr(theirs, name)
    # Their alias reads the shifted field; ours reads the flag it names.
    assert ours.uses_hl_dll is ours.uses_custom_dll is not None


def test_defect_truncated_lists() -> None:
    players = encode_players([PlayerSpec(f"a-long-player-name-{i}") for i in range(60)])[:1260]
    rules = encode_rules({f"rule-{i}": "x" * 20 for i in range(60)})[:1260]
    for message in (players, rules):
        assert _ours(message).truncated
        with pytest.raises(pya2s.BufferExhaustedError):
            _theirs(message)


def test_defect_truncated_edf() -> None:
    message = encode_info(InfoSpec(keywords="tag", game_id=440))[:-3]
    assert _ours(message).keywords == "tag"
    with pytest.raises(pya2s.BufferExhaustedError):
        _theirs(message)


def test_defect_compressed_splits() -> None:
    whole = b"\xff\xff\xff\xff" + encode_rules({f"k{i}": "v" * 30 for i in range(80)})
    parts = split_source(whole, 3, 400, compress=True)
    reassembler = Reassembler()
    results = [reassembler.feed(p) for p in parts]
    assert results[-1] == whole[4:]
    # Bit 31 set, bit 15 clear: python-a2s takes the bzip2 bytes as the payload.
    theirs = pya2s_fragment.decode_fragment(parts[0][4:])
    assert not theirs.is_compressed and theirs.payload[:3] != b"\xff\xff\xff"
    # Bit 15 set on a plain split id: python-a2s tries to bunzip plain data (python-a2s#55).
    plain = split_source(whole, 0x8000, 400)
    with pytest.raises(OSError):
        pya2s_fragment.decode_fragment(plain[0][4:])
    assert [Reassembler().feed(p) for p in plain][-1] is None  # needs all parts
    r = Reassembler()
    assert [r.feed(p) for p in plain][-1] == whole[4:]


def test_defect_goldsrc_splits() -> None:
    whole = b"\xff\xff\xff\xff" + encode_rules({f"k{i}": "v" * 30 for i in range(80)})
    parts = split_goldsrc(whole, 9, 1000)
    r = Reassembler()
    assert [r.feed(p) for p in parts][-1] == whole[4:]
    theirs = pya2s_fragment.decode_fragment(parts[0][4:])
    # The packed number/total byte is read as a count and the payload loses 3 bytes.
    assert theirs.payload != parts[0][9:]


def test_defect_rule_count_signed() -> None:
    message = b"E" + struct.pack("<H", 40000) + b"k\x00v\x00" * 40000
    assert _ours(message) == {"k": "v"}
    assert _theirs(message) == {}


def test_defect_challenge_zero() -> None:
    assert PlayersProtocol.serialize_request(0) == b"U\x00\x00\x00\x00"
    assert packets.encode_players_request()[4:] == b"U\xff\xff\xff\xff"


def test_defect_double_header_simple() -> None:
    datagram = b"\xff" * 8 + encode_players([PlayerSpec("gmod")])
    assert packets.decode_players(packets.unwrap_simple(datagram))[0].name == "gmod"
    reader = pya2s_byteio.ByteReader(io.BytesIO(datagram[4:]), endian="<", encoding="utf-8")
    assert reader.read_uint8() == 0xFF  # python-a2s then fails "Invalid response type"


def test_their_properties_are_compared() -> None:
    # The loop in assert_same must see python-a2s's properties, or it compares nothing.
    assert {"has_port", "has_steam_id", "has_stv", "has_keywords", "has_game_id"} <= set(
        _properties(pya2s.SourceInfo)
    )
    assert "uses_hl_dll" in _properties(pya2s.GoldSrcInfo)


def test_every_listed_defect_has_a_test() -> None:
    names = {n.removeprefix("test_defect_") for n in globals() if n.startswith("test_defect_")}
    assert names == set(KNOWN_PYTHON_A2S_DEFECTS)


# -- hypothesis: generated valid responses of every kind agree ----------------------------------

text = st.text(
    st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=40
)
raw = st.binary(max_size=40).map(lambda b: b.replace(b"\x00", b""))
u16 = st.integers(0, 0xFFFF)
u8 = st.integers(0, 255)
f32 = st.floats(width=32, allow_nan=False)

infos = st.builds(
    InfoSpec,
    protocol=u8,
    server_name=text | raw,
    map_name=text,
    folder=text,
    game=text | raw,
    app_id=u16.filter(lambda a: a != 2400),  # The Ship: known defect above
    player_count=u8,
    max_players=u8,
    bot_count=u8,
    server_type=st.sampled_from("dlpDLP\x00"),
    platform=st.sampled_from("lwmo"),
    password_protected=st.booleans(),
    vac_enabled=st.booleans(),
    version=text,
    port=st.none() | u16,
    steam_id=st.none() | st.integers(0, 2**64 - 1),
    stv_port=st.none() | u16,
    stv_name=text,
    keywords=st.none() | text,
    game_id=st.none() | st.integers(0, 2**64 - 1),
    include_edf=st.booleans(),
)
players = st.lists(
    st.builds(
        PlayerSpec,
        name=text | raw,
        score=st.integers(-(2**31), 2**31 - 1),
        duration=f32,
        index=u8,
    ),
    max_size=40,
)
rules = st.dictionaries(text, text, max_size=60)


@given(infos, st.sampled_from(["utf-8", None]))
def test_generated_info_agrees(spec: InfoSpec, encoding: str | None) -> None:
    if spec.include_edf is False:
        spec.port = spec.steam_id = spec.stv_port = spec.keywords = spec.game_id = None
    assert_same(encode_info(spec), encoding)


@given(players, st.sampled_from(["utf-8", None]))
def test_generated_players_agree(specs: list[PlayerSpec], encoding: str | None) -> None:
    assert_same(encode_players(specs), encoding)


@given(rules, st.sampled_from(["utf-8", None]))
def test_generated_rules_agree(values: dict[str, str], encoding: str | None) -> None:
    assert_same(encode_rules(values), encoding)


@given(st.sampled_from(b"IDE"), st.binary(max_size=300))
def test_garbage_ours_never_stricter(kind: int, data: bytes) -> None:
    """On arbitrary bytes ours raises only BrokenMessageError, fails only where python-a2s
    fails too, and agrees with it whenever both decode a complete answer."""
    message = bytes([kind]) + data
    try:
        theirs = _theirs(message)
    except Exception:
        theirs = None
    try:
        ours = _ours(message)
    except BrokenMessageError:
        assert theirs is None
        return
    if theirs is None or getattr(ours, "truncated", False):
        return
    if kind == ord("I") and ours.app_id == 2400:
        return  # The Ship: known defect
    assert_same(message)
