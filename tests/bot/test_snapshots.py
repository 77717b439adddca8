"""The up/down rule: offline after N failures, back after M answers, no flip while flapping."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.snapshots import Hysteresis, ServerInfo, Snapshot, State, Target

INFO = ServerInfo("n", "m", 1, 10, 0, False, True, "1", "g", 5.0)


def run(rule: Hysteresis, pattern: str) -> list[Snapshot]:
    snap = Snapshot(Target.of("h", 1))
    out = []
    for at, ch in enumerate(pattern):
        snap = rule.success(snap, INFO, at) if ch == "+" else rule.failure(snap, "x", at)
        out.append(snap)
    return out


def states(rule: Hysteresis, pattern: str) -> str:
    letters = {State.ONLINE: "U", State.OFFLINE: "D", State.UNKNOWN: "?"}
    return "".join(letters[s.state] for s in run(rule, pattern))


def test_first_answer_is_online_and_offline_needs_two_failures() -> None:
    rule = Hysteresis(offline_after=2, online_after=2)
    assert states(rule, "+-+--") == "UUUUD"
    assert states(rule, "--") == "?D"


def test_back_online_needs_two_answers() -> None:
    rule = Hysteresis(offline_after=2, online_after=2)
    assert states(rule, "+--+-++") == "UUDDDDU"


def test_down_since_is_the_first_failure_and_survives_a_lone_answer() -> None:
    snaps = run(Hysteresis(), "+--+-")
    assert snaps[2].state is State.OFFLINE and snaps[2].down_since == 1
    assert snaps[4].down_since == 1  # the lone answer at 3 did not end the outage
    assert snaps[4].last_seen == 3 and snaps[4].info == INFO


def test_recovery_clears_down_since() -> None:
    snaps = run(Hysteresis(), "+--++")
    assert snaps[-1].online and snaps[-1].down_since is None


@given(st.text(alphabet="+-", min_size=1, max_size=60))
def test_flapping_flips_at_most_once_per_three_rounds(pattern: str) -> None:
    # With 2 and 2, each decided flip needs at least two rounds of the new kind of result.
    snaps = run(Hysteresis(2, 2), pattern)
    decided = [s.state for s in snaps if s.state is not State.UNKNOWN]
    flips = sum(1 for a, b in itertools.pairwise(decided) if a is not b)
    assert flips <= max(0, len(pattern) // 2)
    # Strict alternation never changes a decided state.
    alternating = run(Hysteresis(2, 2), "+-" * 20)
    assert {s.state for s in alternating} == {State.ONLINE}


def test_rule_validation() -> None:
    with pytest.raises(ValueError):
        Hysteresis(offline_after=0)


def test_target_dedupes_host_case_and_formats_ipv6() -> None:
    assert Target.of("Game.Example ", 27015) == Target.of("game.example", 27015)
    assert Target.of("::1", 5).key == "[::1]:5"
