"""Any bytes fed to the Satisfactory decoder: a result or SatisfactoryMalformedError, only."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.protocols.satisfactory import PollQuery, SatisfactoryMalformedError
from tests.fakes.satisfactory_server import encode_response
from tests.protocols.fuzzing import answer_or_refusal, mutated

VALID = [
    encode_response(1),
    encode_response(1, sub_states=(), name=""),
    encode_response(1, name="Fabrik ü 工厂", flags=2**64 - 1, state=255),
]


def _decode(datagram: bytes) -> None:
    state = answer_or_refusal(PollQuery(token=lambda: 1), datagram, SatisfactoryMalformedError)
    if state is not None:
        assert state.latency == 1.0 and len(state.name) <= 256 and len(state.sub_states) <= 255


@settings(max_examples=200)
@given(st.binary(max_size=600))
def test_arbitrary_bytes(data: bytes) -> None:
    _decode(data)
    _decode(b"\xd5\xf6\x01\x01" + data)
    _decode(b"\xd5\xf6\x01\x01\x01" + bytes(7) + data)  # our cookie, then anything


@settings(max_examples=200)
@given(st.sampled_from(VALID), st.data())
def test_mutated_responses(datagram: bytes, data: st.DataObject) -> None:
    _decode(mutated(datagram, data))


@settings(max_examples=100)
@given(
    st.integers(0, 255),
    st.lists(st.tuples(st.integers(0, 255), st.integers(0, 0xFFFF)), max_size=40),
    st.text(max_size=100),
)
def test_every_encodable_response_round_trips(
    state: int, sub_states: list[tuple[int, int]], name: str
) -> None:
    query = PollQuery(token=lambda: 5)
    query.next_request(0.0)
    decoded = query.receive(encode_response(5, state=state, sub_states=sub_states, name=name), 0.0)
    assert [(s.id, s.version) for s in decoded.sub_states] == sub_states
    assert int(decoded.state) == state
