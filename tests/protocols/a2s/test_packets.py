"""Decoder quirks from protocol-notes §1A, one test each (framing and challenge flow live in
test_fragments.py / test_session.py)."""

from __future__ import annotations

import struct

import pytest

from bot.protocols.a2s import packets
from bot.protocols.a2s.errors import BrokenMessageError, BufferExhaustedError
from bot.protocols.a2s.models import GoldSrcInfo, SourceInfo
from tests.fakes.a2s_server import InfoSpec, PlayerSpec, encode_info, encode_players, encode_rules


def _info(spec: InfoSpec, encoding: str | None = "utf-8") -> SourceInfo[str]:
    info = packets.decode_info(encode_info(spec), encoding)
    assert isinstance(info, SourceInfo)
    return info


def test_invalid_utf8_is_replaced_and_raw_mode_keeps_bytes() -> None:
    """§1A.1/§1A.6: names in Latin-1/CP1251 or cut multibyte sequences decode leniently."""
    raw_name = "芭芭".encode() + b"\xe8\x8a"  # truncated third character
    spec = InfoSpec(server_name=raw_name)
    assert _info(spec).server_name == "芭芭\ufffd"
    assert packets.decode_info(encode_info(spec), None).server_name == raw_name
    players = packets.decode_players(encode_players([PlayerSpec(b"\xff\xfeab")]))
    assert players[0].name == "\ufffd\ufffdab"


def test_edf_absent_means_zero() -> None:
    """§1A.4: old servers stop after the version string."""
    info = _info(InfoSpec(include_edf=False))
    assert info.edf == 0
    assert info.port is None and info.keywords is None and not info.truncated


def test_edf_fields_read_in_wire_order_not_bit_order() -> None:
    """§1A.4: 0x80 port, 0x10 steam id, 0x40 SourceTV, 0x20 keywords, 0x01 game id."""
    spec = InfoSpec(
        port=27016,
        steam_id=90138890338778115,
        stv_port=27020,
        stv_name="tv",
        keywords="a,b",
        game_id=(0x1234 << 32) | 346110,
    )
    info = _info(spec)
    assert info.edf == 0xF1
    assert (info.port, info.steam_id, info.stv_port, info.stv_name) == (
        27016,
        90138890338778115,
        27020,
        "tv",
    )
    assert info.keywords == "a,b"
    assert info.game_id == (0x1234 << 32) | 346110
    assert info.resolved_app_id == 346110  # low 24 bits, §1A.4 (app id 0 games)


def test_missing_optional_fields_are_tolerated() -> None:
    """§1A.4 SHOULD: EDF announces fields the datagram does not hold -> partial result."""
    full = encode_info(InfoSpec(keywords="abc", game_id=440))
    info = packets.decode_info(full[:-5])  # cut inside the game id
    assert isinstance(info, SourceInfo)
    assert info.truncated and info.keywords == "abc" and info.game_id is None


def test_trailing_bytes_after_edf_are_ignored() -> None:
    info = packets.decode_info(encode_info(InfoSpec()) + b"\x01\x02junk")
    assert isinstance(info, SourceInfo) and info.port == 27015


def test_server_type_kept_raw_and_lowercased() -> None:
    """§1A.4: Starbound sends 'D', Rag Doll Kung Fu sends 0x00: keep, don't reject."""
    assert _info(InfoSpec(server_type="D")).server_type == "d"
    assert _info(InfoSpec(server_type="\x00")).server_type == "\x00"
    assert _info(InfoSpec(server_type="x")).server_type == "x"


def test_old_macos_platform_o_becomes_m() -> None:
    assert _info(InfoSpec(platform="o")).platform == "m"


def test_the_ship_fields_precede_version() -> None:
    """§1A.4: app 2400 puts mode/witnesses/duration before the version."""
    info = _info(InfoSpec(app_id=2400, ship=(1, 3, 3), version="1.0.0.4"))
    assert (info.ship_mode, info.ship_witnesses, info.ship_duration) == (1, 3, 3)
    assert info.version == "1.0.0.4"


def test_rust_mp_cp_tags_override_wrapped_counts() -> None:
    """§1A.4: 300 slots wrap to 44 in the byte field; Rust's mp/cp tags carry the truth."""
    info = _info(
        InfoSpec(
            player_count=300 & 0xFF,
            max_players=300 & 0xFF,
            keywords="mp300,cp280,ptrak,qp0,v2500",
            game_id=252490,
        )
    )
    assert (info.player_count, info.max_players) == (44, 44)
    assert (info.real_player_count, info.real_max_players) == (280, 300)
    plain = _info(InfoSpec(player_count=5, max_players=10, keywords="mpx"))
    assert (plain.real_player_count, plain.real_max_players) == (5, 10)


def test_dayz_keywords_decoded() -> None:
    """§1A.4: DayZ's queue, clock, first-person-only and more sit in the keywords."""
    info = _info(
        InfoSpec(
            app_id=0,
            game_id=221100,
            keywords="battleye,no3rd,external,privHive,shard000,lqs12,etm4.000000,entm6.000000,"
            "isDLC,11:42",
        )
    )
    dayz = info.dayz
    assert dayz is not None
    assert dayz.queue == 12 and dayz.time == "11:42"
    assert dayz.first_person_only and dayz.dlc and dayz.battleye and dayz.external
    assert dayz.private_hive
    assert (dayz.day_acceleration, dayz.night_acceleration) == (4.0, 6.0)
    assert _info(InfoSpec(keywords="no3rd")).dayz is None  # not DayZ


def test_goldsrc_mod_flag_without_mod_block() -> None:
    """§1A.5: CS 1.6 servers set Mod=1 and omit the block (python-a2s#3/#4)."""
    message = bytearray(encode_info(InfoSpec(obsolete=True, bot_count=2)))
    message[-3] = 1  # mod flag set, block absent: vac + bots follow
    info = packets.decode_info(bytes(message))
    assert isinstance(info, GoldSrcInfo)
    assert info.is_mod and info.mod_website is None and info.vac_enabled and info.bot_count == 2


def test_players_index_and_empty_names_kept() -> None:
    """§1A.6: index is usually 0 for everyone; empty names (connecting players) are kept."""
    players = packets.decode_players(encode_players([PlayerSpec(""), PlayerSpec("a")]))
    assert [(p.index, p.name) for p in players] == [(0, ""), (0, "a")]


def test_truncated_player_list_returns_partial() -> None:
    """§1A.6: TF2 cuts A2S_PLAYER at 1,260 bytes; return what was decoded, marked."""
    message = encode_players(
        [PlayerSpec(f"player-with-a-long-name-{i:02d}", i, 1.0) for i in range(64)]
    )[:1260]
    players = packets.decode_players(message)
    assert players.truncated
    assert 0 < len(players) < 64
    assert players[-1].name == f"player-with-a-long-name-{len(players) - 1:02d}"


def test_truncated_rules_returns_partial() -> None:
    """§1A.7: same cut for rules."""
    rules = {f"sv_rule_{i:03d}": str(i) for i in range(200)}
    partial = packets.decode_rules(encode_rules(rules)[:1260])
    assert partial.truncated and 0 < len(partial) < 200
    assert all(rules[k] == v for k, v in partial.items())


def test_rule_count_is_unsigned() -> None:
    """§1A.7: python-a2s reads the count as int16; 40,000 rules must not become negative."""
    message = b"E" + struct.pack("<H", 40000) + b"a\x00b\x00" * 40000
    assert len(packets.decode_rules(message)) == 1  # same key repeated: one entry


def test_ship_trailer_only_with_exact_length_and_ship_app() -> None:
    """§1A.6: deaths/money only when 8*count bytes remain (and the app may be The Ship)."""
    ship = [PlayerSpec("a", deaths=1, money=2500), PlayerSpec("b", deaths=0, money=100)]
    message = encode_players(ship)
    assert [(p.deaths, p.money) for p in packets.decode_players(message)] == [(1, 2500), (0, 100)]
    assert packets.decode_players(message, app_id=440)[0].deaths is None
    odd = encode_players([PlayerSpec("a")]) + b"\x00" * 5
    assert packets.decode_players(odd)[0].deaths is None


def test_simple_header_repeated_inside_payload_is_stripped() -> None:
    """§1A.2: Garry's Mod players / TF2 rules repeat FF FF FF FF (python-a2s#6)."""
    datagram = b"\xff" * 8 + encode_players([PlayerSpec("x")])
    assert packets.unwrap_simple(datagram)[0] == packets.S2A_PLAYER


def test_challenge_bytes_are_opaque_and_echoed() -> None:
    """§1A.3: the 4 bytes go back verbatim, also for values with high bits set."""
    challenge = packets.decode_challenge(b"A\xff\x00\x80\x7f")
    assert packets.encode_players_request(challenge) == b"\xff\xff\xff\xffU\xff\x00\x80\x7f"
    assert packets.encode_rules_request(challenge) == b"\xff\xff\xff\xffV\xff\x00\x80\x7f"
    assert packets.encode_info_request(challenge).endswith(b"Query\x00\xff\x00\x80\x7f")


def test_challenge_solicited_with_minus_one() -> None:
    """§1A.3: -1 (FF FF FF FF) asks for a challenge; python-a2s sends 0."""
    assert packets.encode_players_request() == b"\xff\xff\xff\xffU\xff\xff\xff\xff"
    assert packets.encode_rules_request() == b"\xff\xff\xff\xffV\xff\xff\xff\xff"


@pytest.mark.parametrize(
    "message",
    [b"", b"I", b"I\x11abc", b"D", b"E\x01", b"Z\x00", b"A\x01\x02", b"m\x00"],
)
def test_short_or_wrong_messages_raise_broken_message(message: bytes) -> None:
    for decode in (packets.decode_info, packets.decode_players, packets.decode_rules):
        with pytest.raises(BrokenMessageError):
            decode(message)
    with pytest.raises(BrokenMessageError):
        packets.decode_challenge(message)


def test_buffer_exhausted_is_a_broken_message() -> None:
    with pytest.raises(BufferExhaustedError):
        packets.decode_info(b"I\x11name\x00")
    assert issubclass(BufferExhaustedError, BrokenMessageError)


def test_challenge_must_be_four_bytes() -> None:
    with pytest.raises(ValueError):
        packets.encode_info_request(b"\x01\x02")
