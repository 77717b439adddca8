"""The sans-IO client state machine, driven with bytes only."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.protocols.rcon import (
    AuthResult,
    ClientConnection,
    PacketFramer,
    RCONError,
    RCONMessage,
    RCONMessageError,
    Response,
    State,
    Unsolicited,
)
from bot.protocols.rcon.packets import PacketType, encode_packet
from bot.protocols.rcon.profiles import (
    LOCKSTEP,
    MINECRAFT,
    PALWORLD,
    SQUAD,
    SRCDS,
    SRCDS_MIRROR,
    EndDetection,
    ServerProfile,
    get_profile,
)
from tests.conftest import load_hex

RV = PacketType.RESPONSE_VALUE
AR = PacketType.AUTH_RESPONSE
SQUAD_BROKEN = bytes.fromhex("0a000000") + bytes(8) + bytes.fromhex("000000010000000000")


def sent(conn: ClientConnection) -> list[RCONMessage]:
    return PacketFramer().feed(conn.data_to_send())


def pk(id_: int, type_: int, body: bytes = b"") -> bytes:
    return encode_packet(id_, type_, body)


def authed(profile: ServerProfile = SRCDS) -> ClientConnection:
    conn = ClientConnection(profile)
    conn.start_auth("pw")
    (auth,) = sent(conn)
    assert conn.receive_data(pk(auth.id, AR)) == [AuthResult(True)]
    return conn


def command(conn: ClientConnection, text: str) -> tuple[int, int | None]:
    request_id = conn.send_command(text)
    packets = sent(conn)
    assert packets[0] == RCONMessage(request_id, PacketType.EXECCOMMAND, text)
    return request_id, (packets[1].id if len(packets) > 1 else None)


# -- authentication ----------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["empty-first", "auth-first", "auth-only"])
def test_auth_in_any_order_and_no_leak_into_first_command(order: str) -> None:
    conn = ClientConnection(SRCDS)
    conn.start_auth("pw")
    (auth,) = sent(conn)
    assert auth.type == PacketType.AUTH and auth.body == b"pw"
    empty, ok = pk(auth.id, RV), pk(auth.id, AR)
    stream = {"empty-first": empty + ok, "auth-first": ok + empty, "auth-only": ok}[order]
    # Both auth packets in one read: the case that hangs the `rcon` package.
    events = conn.receive_data(stream[: len(stream) - 1 if order == "auth-first" else None])
    assert events == [AuthResult(True)]
    request_id, probe = command(conn, "status")
    assert probe is not None
    rest = stream[len(stream) - 1 :] if order == "auth-first" else b""
    events = conn.receive_data(rest + pk(request_id, RV, b"hostname: x") + pk(probe, RV))
    assert events == [Response(request_id, b"hostname: x", 1)]


def test_wrong_password_and_no_second_attempt() -> None:
    conn = ClientConnection(SRCDS)
    conn.start_auth("bad")
    (auth,) = sent(conn)
    assert conn.receive_data(pk(auth.id, RV) + pk(-1, AR)) == [AuthResult(False)]
    assert conn.state is State.AUTH_FAILED
    with pytest.raises(RCONError):
        conn.start_auth("bad")
    with pytest.raises(RCONError):
        conn.send_command("status")
    assert conn.data_to_send() == b""


def test_palworld_auth_answer_with_id_zero_is_success_unless_strict() -> None:
    conn = ClientConnection(PALWORLD)
    conn.start_auth("pw")
    sent(conn)
    assert conn.receive_data(pk(0, AR)) == [AuthResult(True)]
    strict = ClientConnection(ServerProfile("strict", strict_auth_id=True))
    strict.start_auth("pw")
    sent(strict)
    assert strict.receive_data(pk(0, AR)) == [AuthResult(False)]


def test_command_before_auth_is_refused() -> None:
    with pytest.raises(RCONError, match="state connected"):
        ClientConnection().send_command("status")


# -- end of response -----------------------------------------------------------------------------


def test_sentinel_joins_a_multi_packet_answer_as_bytes() -> None:
    conn = authed()
    request_id, probe = command(conn, "cvarlist")
    assert probe is not None
    text = "é" * 3000  # 6000 bytes: the split lands inside a UTF-8 sequence
    data = text.encode()
    parts = [data[:4081], data[4081:]]
    assert conn.receive_data(pk(request_id, RV, parts[0])) == []
    events = conn.receive_data(pk(request_id, RV, parts[1]) + pk(probe, RV))
    assert events == [Response(request_id, data, 2)]
    assert events[0].body.decode() == text  # type: ignore[union-attr]


def test_sentinel_answer_body_does_not_matter() -> None:
    conn = authed(MINECRAFT)
    request_id, probe = command(conn, "list")
    assert probe is not None
    events = conn.receive_data(pk(request_id, RV, b"There are 0") + pk(probe, RV, b"Unknown..."))
    assert events == [Response(request_id, b"There are 0", 1)]


def test_command_with_no_output_completes() -> None:
    conn = authed()
    request_id, probe = command(conn, "sv_cheats 0")
    assert probe is not None
    assert conn.receive_data(pk(probe, RV)) == [Response(request_id, b"", 0)]


def test_mirror_trick_with_python_valve_stream() -> None:
    conn = authed(SRCDS_MIRROR)
    request_id, probe = command(conn, "foo")
    assert probe is not None
    assert conn.profile.end_detection is EndDetection.MIRROR
    # python-valve's vector uses id 5 for every packet; renumber: parts get the command id,
    # the mirrored empty packet and the terminator get the probe id.
    stream = load_hex("synthetic/rcon_pyvalve_multipart_stream_id5")
    packets = PacketFramer().feed(stream)
    ids = [request_id, request_id, probe, probe]
    data = b"".join(pk(i, m.type, m.body) for i, m in zip(ids, packets, strict=True))
    events = conn.receive_data(data)
    assert events == [Response(request_id, b"barbar", 2)]
    # The terminator was drained: the next answer is clean.
    second, probe2 = command(conn, "bar")
    assert probe2 is not None
    assert conn.receive_data(pk(second, RV, b"ok") + pk(probe2, RV)) == [Response(second, b"ok", 1)]


def test_mirror_sends_empty_response_value_probe() -> None:
    conn = authed(SRCDS_MIRROR)
    conn.send_command("status")
    packets = sent(conn)
    assert packets[1].type == PacketType.RESPONSE_VALUE and packets[1].body == b""


def test_mirror_terminator_arriving_late_does_not_leak() -> None:
    conn = authed(SRCDS_MIRROR)
    first, probe = command(conn, "a")
    assert probe is not None
    assert conn.receive_data(pk(first, RV, b"A") + pk(probe, RV)) == [Response(first, b"A", 1)]
    second, probe2 = command(conn, "b")
    assert probe2 is not None
    events = conn.receive_data(
        pk(probe, RV, b"\x00\x01\x00\x00") + pk(second, RV, b"B") + pk(probe2, RV)
    )
    assert events == [Response(second, b"B", 1)]


def test_squad_malformed_followup_and_chat_packets() -> None:
    conn = authed(SQUAD)
    request_id, probe = command(conn, "ListPlayers")
    assert probe is not None
    chat = pk(0, 1, b"[ChatAll] hi")
    stream = pk(request_id, RV, b"----- Active Players -----") + chat + pk(probe, RV)
    stream += SQUAD_BROKEN[:4] + probe.to_bytes(4, "little") + SQUAD_BROKEN[8:]
    second = conn.send_command("ShowNextMap")
    probe2 = sent(conn)[1].id
    stream += pk(second, RV, b"Next map") + pk(probe2, RV)
    events: list[object] = []
    for i in range(len(stream)):  # worst case: one byte per read
        events.extend(conn.receive_data(stream[i : i + 1]))
    assert events == [
        Unsolicited(RCONMessage(0, 1, b"[ChatAll] hi")),
        Response(request_id, b"----- Active Players -----", 1),
        Response(second, b"Next map", 1),
    ]


def test_palworld_in_order_matching() -> None:
    conn = authed(PALWORLD)
    ids = [conn.send_command(c) for c in ("Info", "ShowPlayers", "Save")]
    packets = sent(conn)
    assert len(packets) == 3  # no probe packets
    events = conn.receive_data(pk(0, RV, b"info") + pk(0, RV, b"players") + pk(0, RV, b"saved"))
    assert events == [
        Response(ids[0], b"info", 1),
        Response(ids[1], b"players", 1),
        Response(ids[2], b"saved", 1),
    ]
    assert conn.receive_data(pk(0, RV, b"stray")) == [Unsolicited(RCONMessage(0, RV, b"stray"))]


def test_palworld_abandoned_request_consumes_its_answer() -> None:
    conn = authed(PALWORLD)
    slow = conn.send_command("Save")
    fast = conn.send_command("Info")
    conn.abandon(slow)
    events = conn.receive_data(pk(0, RV, b"saved") + pk(0, RV, b"info"))
    assert events == [Response(fast, b"info", 1)]


def test_inconsistent_profiles_are_refused() -> None:
    with pytest.raises(ValueError, match="SINGLE"):
        ServerProfile("bad", match_ids=False)
    with pytest.raises(ValueError, match="lockstep"):
        ServerProfile("bad", lockstep=True)
    with pytest.raises(ValueError, match="max_request_size"):
        ServerProfile("bad", max_request_size=5000)


# -- pipelining, timeouts, surfacing ---------------------------------------------------------------


def test_pipelined_commands_matched_by_id() -> None:
    conn = authed()
    requests = [conn.send_command(f"echo {i}") for i in range(5)]
    packets = sent(conn)
    assert len(packets) == 10
    probes = [p.id for p in packets[1::2]]
    assert len(set(requests) | set(probes)) == 10
    stream = b"".join(
        pk(r, RV, f"{i}".encode()) + pk(p, RV)
        for i, (r, p) in enumerate(zip(requests, probes, strict=True))
    )
    events = conn.receive_data(stream)
    assert events == [Response(r, f"{i}".encode(), 1) for i, r in enumerate(requests)]
    assert conn.in_flight == 0


@given(st.lists(st.integers(0, 5000), max_size=10), st.integers(1, 6))
def test_pipelined_answers_in_any_chunking(cuts: list[int], count: int) -> None:
    conn = authed()
    requests = [conn.send_command(f"c{i}") for i in range(count)]
    probes = [p.id for p in sent(conn)[1::2]]
    stream = b"".join(
        pk(r, RV, b"a" * 3000) + pk(r, RV, f"{i}".encode()) + pk(p, RV)
        for i, (r, p) in enumerate(zip(requests, probes, strict=True))
    )
    events: list[object] = []
    points = sorted({c % (len(stream) + 1) for c in cuts})
    last = 0
    for point in [*points, len(stream)]:
        events.extend(conn.receive_data(stream[last:point]))
        last = point
    assert events == [Response(r, b"a" * 3000 + f"{i}".encode(), 2) for i, r in enumerate(requests)]


def test_abandoned_answer_never_reaches_the_next_command() -> None:
    conn = authed()
    slow, slow_probe = command(conn, "slow")
    conn.abandon(slow)
    nxt, nxt_probe = command(conn, "status")
    assert slow_probe is not None and nxt_probe is not None
    stream = pk(slow, RV, b"late") + pk(slow_probe, RV) + pk(nxt, RV, b"status") + pk(nxt_probe, RV)
    assert conn.receive_data(stream) == [Response(nxt, b"status", 1)]


def test_discarded_command_answer_is_dropped() -> None:
    conn = authed()
    request_id = conn.send_command("say hi", discard=True)
    probe = sent(conn)[1].id
    assert conn.receive_data(pk(request_id, RV, b"x") + pk(probe, RV)) == []
    assert conn.in_flight == 0


def test_unknown_ids_and_types_are_surfaced() -> None:
    conn = authed()
    events = conn.receive_data(pk(424242, RV, b"?") + pk(0, 7, b"odd"))
    assert events == [
        Unsolicited(RCONMessage(424242, RV, b"?")),
        Unsolicited(RCONMessage(0, 7, b"odd")),
    ]


def test_request_larger_than_the_server_accepts_is_refused() -> None:
    conn = authed()
    conn.send_command("x" * (4096 - 14))
    assert len(conn.data_to_send()) == 4096 + 14  # the command and its empty probe
    with pytest.raises(RCONMessageError, match="4096"):
        conn.send_command("x" * (4096 - 13))
    assert conn.data_to_send() == b""
    mc = authed(MINECRAFT)
    with pytest.raises(RCONMessageError, match="1460"):
        mc.send_command("x" * 1447)


def test_desync_closes_the_state_machine() -> None:
    conn = authed()
    with pytest.raises(RCONMessageError):
        conn.receive_data((5).to_bytes(4, "little") + bytes(10))
    assert conn.state is State.CLOSED
    with pytest.raises(RCONError):
        conn.receive_data(b"")


def test_connection_lost_reports_pending_requests() -> None:
    conn = authed()
    a = conn.send_command("a")
    b = conn.send_command("b", discard=True)
    assert conn.connection_lost() == [a]
    assert b not in conn.connection_lost()


def test_ids_skip_values_that_look_like_squad_broken_packets() -> None:
    conn = authed()
    conn._next_id = 0x01000000 - 1
    first = conn.send_command("a")
    probe = sent(conn)[1].id
    assert (first, probe) == (0x00FFFFFF, 0x01000001)


# -- lockstep (servers reading one packet per TCP read) --------------------------------------------


def test_lockstep_sends_one_request_at_a_time_and_probe_after_first_answer() -> None:
    conn = authed(LOCKSTEP)
    a = conn.send_command("a")
    b = conn.send_command("b")
    assert [m.body for m in sent(conn)] == [b"a"]
    assert conn.receive_data(pk(a, RV, b"A")) == []
    (probe,) = sent(conn)
    assert probe.body == b"" and probe.type == PacketType.EXECCOMMAND
    assert conn.receive_data(pk(probe.id, RV)) == [Response(a, b"A", 1)]
    assert [(m.id, m.body) for m in sent(conn)] == [(b, b"b")]


def test_lockstep_abandon_sends_the_probe_so_the_queue_moves_on() -> None:
    conn = authed(LOCKSTEP)
    a = conn.send_command("silent")
    sent(conn)
    conn.abandon(a)
    (probe,) = sent(conn)
    conn.send_command("next")
    assert sent(conn) == []  # still waiting for the abandoned request's probe answer
    assert conn.receive_data(pk(probe.id, RV)) == []
    assert [m.body for m in sent(conn)] == [b"next"]


def test_profiles_by_name() -> None:
    assert get_profile("palworld") is PALWORLD
    assert get_profile(None) is SRCDS
    with pytest.raises(ValueError, match="known"):
        get_profile("quake")
