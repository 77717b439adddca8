"""The sans-IO query state machine (§1A.3 challenge flow, §1A.8 ping), driven with bytes."""

from __future__ import annotations

import pytest

from bot.protocols.a2s import packets
from bot.protocols.a2s.errors import BrokenMessageError
from bot.protocols.a2s.fragments import SplitLayout
from bot.protocols.a2s.models import SourceInfo
from bot.protocols.a2s.session import Kind, QuerySession
from tests.fakes.a2s_server import (
    InfoSpec,
    PlayerSpec,
    encode_info,
    encode_players,
    encode_rules,
    split_goldsrc,
    split_source,
)

SIMPLE = b"\xff\xff\xff\xff"


def _challenge(value: bytes) -> bytes:
    return SIMPLE + b"A" + value


def test_info_without_challenge_then_with_it() -> None:
    """§1A.3: INFO is sent bare; a 0x41 answer makes us resend with the 4 bytes appended."""
    s = QuerySession(Kind.INFO)
    assert s.request() == packets.encode_info_request()
    s.sent(10.0)
    again = s.receive(_challenge(b"\x0a\x08\x5e\xea"), 10.25)
    assert again == packets.encode_info_request(b"\x0a\x08\x5e\xea")
    assert s.ping == pytest.approx(0.25)  # measured on the first answer, the challenge
    s.sent(10.3)
    assert s.receive(SIMPLE + encode_info(InfoSpec()), 10.9) is None
    assert s.done and isinstance(s.result, SourceInfo)
    assert s.result.ping == pytest.approx(0.25)


def test_players_and_rules_solicit_with_minus_one() -> None:
    assert QuerySession(Kind.PLAYERS).request() == SIMPLE + b"U" + SIMPLE
    assert QuerySession(Kind.RULES).request() == SIMPLE + b"V" + SIMPLE


def test_cached_challenge_is_used_and_refreshed() -> None:
    s = QuerySession(Kind.RULES, challenge=b"1234")
    assert s.request() == SIMPLE + b"V1234"
    assert s.receive(_challenge(b"5678"), 0.0) == SIMPLE + b"V5678"
    assert s.challenge == b"5678"


def test_two_rounds_of_challenges() -> None:
    """§1A.3: CS:GO and Rust answer a challenged request with another challenge."""
    s = QuerySession(Kind.PLAYERS)
    assert s.receive(_challenge(b"aaaa"), 0.0) == SIMPLE + b"Uaaaa"
    assert s.receive(_challenge(b"bbbb"), 0.0) == SIMPLE + b"Ubbbb"
    s.receive(SIMPLE + encode_players([PlayerSpec("x")]), 0.0)
    assert s.done and [p.name for p in s.result] == ["x"]


def test_challenge_rounds_are_bounded() -> None:
    s = QuerySession(Kind.PLAYERS, max_rounds=3)
    for i in range(3):
        assert s.receive(_challenge(bytes([i]) * 4), 0.0) is not None
    assert s.receive(_challenge(b"zzzz"), 0.0) is None
    assert s.done and isinstance(s.error, BrokenMessageError)


def test_repeated_identical_challenge_is_not_a_new_round() -> None:
    """A duplicate 0x41 (answer to our resend) must not trigger a resend storm."""
    s = QuerySession(Kind.PLAYERS, max_rounds=2)
    assert s.receive(_challenge(b"aaaa"), 0.0) is not None
    for _ in range(5):
        assert s.receive(_challenge(b"aaaa"), 0.0) is None
    assert not s.done and s.rounds == 1


def test_data_where_challenge_expected_is_accepted() -> None:
    """§1A.3: non-Steam servers answer the -1 request directly."""
    s = QuerySession(Kind.RULES)
    s.receive(SIMPLE + encode_rules({"a": "b"}), 0.0)
    assert s.done and s.result == {"a": "b"}


def test_short_challenge_is_ignored() -> None:
    """python-a2s#45: an odd short 0x41 datagram; keep waiting (the resend recovers)."""
    s = QuerySession(Kind.PLAYERS)
    assert s.receive(SIMPLE + b"A\x01\x02", 0.0) is None
    assert not s.done


@pytest.mark.parametrize(
    "junk",
    [bytes(64), b"", b"\x00", SIMPLE, SIMPLE + encode_players([]), b"\xfe\xff\xff\xff"],
)
def test_stray_and_garbage_datagrams_are_ignored(junk: bytes) -> None:
    """§1A.1: 64 zero bytes (python-a2s#61), answers to other request types, runts."""
    s = QuerySession(Kind.INFO)
    assert s.receive(junk, 0.0) is None
    assert not s.done
    s.receive(SIMPLE + encode_info(InfoSpec()), 0.0)
    assert s.done and s.error is None


def test_double_header_simple_response() -> None:
    s = QuerySession(Kind.PLAYERS)
    s.receive(SIMPLE + SIMPLE + encode_players([PlayerSpec("gmod")]), 0.0)
    assert s.result[0].name == "gmod"


def test_split_response_reassembled() -> None:
    whole = SIMPLE + encode_rules({f"k{i}": "v" * 20 for i in range(200)})
    s = QuerySession(Kind.RULES)
    parts = split_source(whole, 77, 1248)
    for part in parts[:-1]:
        assert s.receive(part, 0.0) is None
    s.receive(parts[-1], 0.0)
    assert s.done and len(s.result) == 200


def test_goldsrc_split_with_layout_hint() -> None:
    whole = SIMPLE + encode_rules({f"k{i}": "v" * 20 for i in range(100)})
    s = QuerySession(Kind.RULES, layout=SplitLayout.GOLDSRC)
    for part in split_goldsrc(whole, 3, 1000):
        s.receive(part, 0.0)
    assert s.done and len(s.result) == 100


def test_broken_split_fails_the_query() -> None:
    s = QuerySession(Kind.RULES)
    parts = split_source(SIMPLE + encode_rules({"a": "b"}), 1, 5, compress=True)
    corrupted = [parts[0][:-1] + bytes([parts[0][-1] ^ 0xFF]), *parts[1:]]
    for part in corrupted:
        s.receive(part, 0.0)
    assert s.done and isinstance(s.error, BrokenMessageError)


def test_broken_expected_message_fails_the_query() -> None:
    s = QuerySession(Kind.INFO)
    s.receive(SIMPLE + b"I\x11unterminated", 0.0)
    assert s.done and isinstance(s.error, BrokenMessageError)


def test_csgo_fake_player_dropped_when_app_known() -> None:
    s = QuerySession(Kind.PLAYERS, app_id=730)
    s.receive(SIMPLE + encode_players([PlayerSpec("Max Players"), PlayerSpec("bob")]), 0.0)
    assert [p.name for p in s.result] == ["bob"]


def test_nothing_after_done() -> None:
    s = QuerySession(Kind.RULES)
    s.receive(SIMPLE + encode_rules({}), 0.0)
    assert s.receive(_challenge(b"aaaa"), 0.0) is None


def test_unsolicited_challenge_during_split_answer() -> None:
    """§1A.1: CS 1.6 sends an extra unsolicited 0x41; the split in progress still completes."""
    whole = SIMPLE + encode_rules({f"k{i}": "v" * 20 for i in range(200)})
    parts = split_source(whole, 5, 1248)
    s = QuerySession(Kind.RULES, challenge=b"abcd")
    s.receive(parts[0], 0.0)
    assert s.receive(_challenge(b"wxyz"), 0.0) == SIMPLE + b"Vwxyz"
    for part in parts[1:]:
        s.receive(part, 0.0)
    assert s.done and len(s.result) == 200
