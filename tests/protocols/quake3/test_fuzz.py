"""Any bytes or text fed to the Quake 3 decoders: a result or Q3MalformedError, only."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.protocols.quake3 import (
    InfoQuery,
    Q3MalformedError,
    StatusQuery,
    parse_infostring,
    parse_player_line,
    strip_colours,
)
from bot.protocols.quake3.packets import MAX_PLAYERS
from tests.fakes.quake3_server import DEFAULT_SERVERINFO, NOTES_STATUS, encode_info, encode_status
from tests.protocols.fuzzing import answer_or_refusal, mutated

VALID = [
    NOTES_STATUS,
    encode_status(DEFAULT_SERVERINFO, [(1, 2, "^1a"), (3, 999, "b"), '4 5 "dp" 1']),
    encode_info({"clients": "2", "challenge": "c", "g_humanplayers": "1"}),
]


def _decode(datagram: bytes) -> None:
    for query in (StatusQuery(token=lambda: "c"), InfoQuery(token=lambda: "c")):
        answer = answer_or_refusal(query, datagram, Q3MalformedError)
        if answer is not None:
            assert answer.latency == 1.0
            assert answer.challenge in (None, "c")


@settings(max_examples=150)
@given(st.binary(max_size=800))
def test_arbitrary_bytes(data: bytes) -> None:
    _decode(data)
    _decode(b"\xff\xff\xff\xff" + data)
    _decode(b"\xff\xff\xff\xffstatusResponse\n" + data)
    _decode(b"\xff\xff\xff\xffinfoResponse\n" + data)


@settings(max_examples=150)
@given(st.sampled_from(VALID), st.data())
def test_mutated_answers(datagram: bytes, data: st.DataObject) -> None:
    _decode(mutated(datagram, data))


@given(st.text(alphabet=st.sampled_from('\\^"a1 \n\r-'), max_size=300))
def test_text_helpers_on_their_own_alphabet(text: str) -> None:
    pairs, _ = parse_infostring(text)
    assert all(key and "\\" not in key and "\\" not in value for key, value in pairs.items())
    player = parse_player_line(text)
    if player is not None:
        assert "\n" not in player.name or "\n" in text
    stripped = strip_colours(text)
    assert "\n" not in stripped and "\r" not in stripped


def _q_cleanstr(text: str) -> str:
    """The engine's Q_CleanStr loop (original colour rule), character by character."""
    out: list[str] = []
    index = 0
    while index < len(text):
        if text[index] == "^" and index + 1 < len(text) and text[index + 1] not in "^\x00":
            index += 2
            continue
        if not (text[index] < " " or text[index] == "\x7f"):
            out.append(text[index])
        index += 1
    return "".join(out)


@given(st.text(alphabet=st.sampled_from("^^^a1\x00\x01x "), max_size=60) | st.text(max_size=100))
def test_strip_colours_matches_the_engine_loop(text: str) -> None:
    assert strip_colours(text) == _q_cleanstr(text)


@settings(max_examples=30)
@given(st.integers(0, 400))
def test_player_count_is_bounded(count: int) -> None:
    query = StatusQuery(token=lambda: "c")
    query.next_request(0.0)
    status = query.receive(encode_status({}, [(i, i, "p") for i in range(count)]), 0.0)
    assert len(status.players) == min(count, MAX_PLAYERS)
