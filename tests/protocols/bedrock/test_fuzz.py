"""Any bytes or text fed to the Bedrock decoders: a result or BedrockMalformedError, only."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.protocols.bedrock import BedrockMalformedError, PingQuery, decode_pong, parse_motd
from bot.protocols.bedrock.motd import strip_formatting
from tests.fakes.bedrock_server import NOTES_MOTD, encode_pong, motd_string
from tests.protocols.fuzzing import answer_or_refusal, mutated

VALID = [
    encode_pong(1, 2, NOTES_MOTD),
    encode_pong(1, 2, motd_string()),
    encode_pong(1, 2, "MCEE;a;1;v;0;1"),
]


def _decode(datagram: bytes) -> None:
    status = answer_or_refusal(PingQuery(token=lambda: 1), datagram, BedrockMalformedError)
    if status is not None:
        assert status.motd.players >= 0 and status.latency == 1.0


@settings(max_examples=150)
@given(st.binary(max_size=600))
def test_arbitrary_bytes(data: bytes) -> None:
    _decode(data)
    _decode(b"\x1c" + data)
    try:
        decode_pong(data)
    except BedrockMalformedError:
        pass


@settings(max_examples=150)
@given(st.sampled_from(VALID), st.data())
def test_mutated_pongs(datagram: bytes, data: st.DataObject) -> None:
    _decode(mutated(datagram, data))


@settings(max_examples=150)
@given(st.lists(st.text(max_size=40), max_size=30))
def test_arbitrary_motd_fields(fields: list[str]) -> None:
    text = ";".join(fields)
    for candidate in (text, "MCPE;" + text, "MCPE;a;1;v;0;1;" + text):
        try:
            motd = parse_motd(candidate)
        except BedrockMalformedError:
            continue
        assert motd.players >= 0 and motd.max_players >= 0
        assert "§" not in motd.name and len(motd.name_raw) <= 256


@given(st.text(max_size=200))
def test_strip_formatting_leaves_no_codes(text: str) -> None:
    assert "§" not in strip_formatting(text)
