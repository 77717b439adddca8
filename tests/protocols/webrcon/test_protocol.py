"""The sans-IO request table: Identifiers, matching, tombstones, the in-flight bound."""

from __future__ import annotations

import json

import pytest

from bot.protocols.webrcon import (
    ID_FIRST,
    Push,
    Reply,
    Unmatched,
    WebRconProtocol,
    WebRconRequestError,
)
from bot.protocols.webrcon.protocol import TOMBSTONES


def reply(identifier: int, text: str = "ok", type_: str = "Generic") -> str:
    return json.dumps({"Message": text, "Identifier": identifier, "Type": type_, "Stacktrace": ""})


def test_identifiers_start_above_1000_and_are_in_the_frame() -> None:
    proto = WebRconProtocol()
    identifier, frame = proto.send_command("status")
    assert identifier == ID_FIRST == 1001
    assert json.loads(frame)["Identifier"] == identifier
    assert proto.in_flight == 1


def test_identifiers_wrap_within_int32_and_never_reach_pushes() -> None:
    proto = WebRconProtocol(first_id=2**31 - 2, max_in_flight=8)
    ids = [proto.send_command("x")[0] for _ in range(4)]
    assert ids == [2**31 - 2, 2**31 - 1, 1001, 1002]
    assert all(i > 1000 for i in ids)


def test_allocation_skips_pending_and_buried_identifiers() -> None:
    proto = WebRconProtocol(first_id=2**31 - 1, max_in_flight=8)
    top, _ = proto.send_command("a")  # pending at the top
    low, _ = proto.send_command("b")  # 1001
    proto.abandon(low)  # buried
    assert proto.send_command("c")[0] == 1002
    assert isinstance(proto.receive_message(reply(top)), Reply)


def test_reply_matches_by_identifier_in_any_order() -> None:
    proto = WebRconProtocol()
    first, _ = proto.send_command("a")
    second, _ = proto.send_command("b")
    got_second = proto.receive_message(reply(second, "B"))
    got_first = proto.receive_message(reply(first, "A"))
    assert isinstance(got_second, Reply) and got_second.identifier == second
    assert got_second.message.message == "B"
    assert isinstance(got_first, Reply) and got_first.message.message == "A"
    assert proto.in_flight == 0
    assert proto.stats.replies == 2


@pytest.mark.parametrize("identifier", [0, -1, -2])
def test_pushes_use_zero_and_negative_identifiers(identifier: int) -> None:
    proto = WebRconProtocol()
    proto.send_command("a")
    assert isinstance(proto.receive_message(reply(identifier)), Push)
    assert proto.in_flight == 1


def test_chat_is_never_taken_for_a_reply() -> None:
    proto = WebRconProtocol()
    identifier, _ = proto.send_command("kick x")
    assert isinstance(proto.receive_message(reply(identifier, "{}", "Chat")), Push)
    assert proto.is_pending(identifier)


def test_late_and_second_replies_are_dropped_as_late_not_pushed() -> None:
    proto = WebRconProtocol()
    abandoned, _ = proto.send_command("a")
    answered, _ = proto.send_command("b")
    proto.abandon(abandoned)
    assert isinstance(proto.receive_message(reply(answered)), Reply)
    late = proto.receive_message(reply(abandoned))
    again = proto.receive_message(reply(answered))
    assert isinstance(late, Unmatched) and late.late
    assert isinstance(again, Unmatched) and again.late
    assert proto.stats.late_replies == 2


def test_made_up_identifiers_are_unmatched() -> None:
    proto = WebRconProtocol()
    result = proto.receive_message(reply(424242))
    assert isinstance(result, Unmatched) and not result.late
    assert proto.stats.unmatched == 1


def test_tombstones_are_bounded() -> None:
    proto = WebRconProtocol(max_in_flight=TOMBSTONES + 10)
    ids = [proto.send_command("x")[0] for _ in range(TOMBSTONES + 10)]
    for identifier in ids:
        proto.abandon(identifier)
    assert len(proto._tombstone_set) == TOMBSTONES
    oldest = proto.receive_message(reply(ids[0]))
    assert isinstance(oldest, Unmatched) and not oldest.late


def test_in_flight_is_bounded() -> None:
    proto = WebRconProtocol(max_in_flight=2)
    proto.send_command("a")
    proto.send_command("b")
    with pytest.raises(WebRconRequestError, match="2 commands"):
        proto.send_command("c")


def test_connection_lost_returns_pending_and_keeps_counting() -> None:
    proto = WebRconProtocol()
    a, _ = proto.send_command("a")
    b, _ = proto.send_command("b")
    assert proto.connection_lost() == [a, b]
    assert proto.in_flight == 0
    assert proto.send_command("c")[0] == b + 1


def test_bad_construction() -> None:
    with pytest.raises(ValueError):
        WebRconProtocol(max_in_flight=0)
    with pytest.raises(ValueError):
        WebRconProtocol(first_id=0)
