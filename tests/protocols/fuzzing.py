"""What the decoders' fuzz tests share: a valid message cut short and scribbled on, any JSON
value, and a UDP query fed one datagram."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from hypothesis import strategies as st

R_co = TypeVar("R_co", covariant=True)


class TokenQuery(Protocol[R_co]):
    def next_request(self, now: float) -> bytes: ...

    def receive(self, datagram: bytes, now: float) -> R_co: ...


def mutated(valid: bytes, data: st.DataObject) -> bytes:
    """``valid`` cut at a drawn length, then up to four of its bytes overwritten."""
    out = bytearray(valid[: data.draw(st.integers(0, len(valid)))])
    for _ in range(data.draw(st.integers(0, 4))):
        if out:
            out[data.draw(st.integers(0, len(out) - 1))] = data.draw(st.integers(0, 255))
    return bytes(out)


def json_values(max_leaves: int) -> st.SearchStrategy[Any]:
    """Any JSON value, NaN and infinities included (``json.dumps`` writes them)."""
    return st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner),
        max_leaves=max_leaves,
    )


def answer_or_refusal(
    query: TokenQuery[R_co], datagram: bytes, malformed: type[Exception]
) -> R_co | None:
    """What ``query`` makes of ``datagram`` a second after its request: the answer, or None
    for a refusal with the package's ``malformed`` error. Any other exception fails the test."""
    query.next_request(0.0)
    try:
        return query.receive(datagram, 1.0)
    except malformed:
        return None
