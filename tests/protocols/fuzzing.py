"""What the decoders' fuzz tests share: a valid message cut short and scribbled on, and any
JSON value."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


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
