"""A2S-derived joins/leaves (multiset by name) and map changes."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.feed.a2s import diff, map_change, names_of
from bot.snapshots import PlayerInfo, ServerInfo


def info(names: list[str], map_name: str = "de_dust2") -> ServerInfo:
    return ServerInfo(
        "S",
        map_name,
        len(names),
        16,
        0,
        False,
        True,
        "1",
        "CS",
        1.0,
        tuple(PlayerInfo(n, 0, 0.0) for n in names),
    )


def test_multiset_difference_by_name_ignoring_empty_names() -> None:
    before = names_of(info(["alice", "Player", "Player", "", "bob"]))
    after = names_of(info(["alice", "Player", "carol", " "]))
    result = diff(before, after)
    assert result.joined == ("carol",)
    assert result.left == ("Player", "bob")


def test_map_change() -> None:
    assert map_change(None, info([])) is None
    assert map_change("de_dust2", info([])) is None
    assert map_change("de_dust2", info([], "de_inferno")) == "de_dust2 → de_inferno"


@settings(max_examples=80)
@given(
    st.lists(st.sampled_from(["a", "b", "c", "", "A"]), max_size=12),
    st.lists(st.sampled_from(["a", "b", "c", "", "A"]), max_size=12),
)
def test_applying_the_diff_gives_the_new_list(before: list[str], after: list[str]) -> None:
    old, new = names_of(info(before)), names_of(info(after))
    result = diff(old, new)
    rebuilt = old - Counter(result.left) + Counter(result.joined)
    assert rebuilt == new
