"""The sans-IO client state machine, driven with bytes and a fake clock."""

from __future__ import annotations

import pytest

from bot.protocols.battleye import NotConnected, RCONCommandError, packets
from bot.protocols.battleye.protocol import (
    ClientProtocol,
    ClientState,
    CommandAnswered,
    CommandFailed,
    ConnectionTimedOut,
    LoginAccepted,
    LoginRejected,
    MessageReceived,
    ProtocolConfig,
)

CFG = ProtocolConfig(
    command_attempts=3, command_interval=1.0, keepalive_interval=30.0, liveness_timeout=45.0
)


def logged_in(config: ProtocolConfig = CFG) -> ClientProtocol:
    proto = ClientProtocol(config)
    proto.login(b"secret", 0.0)
    assert [packets.decode_client_packet(d) for d in proto.data_to_send()] == [
        packets.LoginRequest(b"secret")
    ]
    assert proto.receive_datagram(packets.encode_login_response(True), 0.0) == [LoginAccepted()]
    return proto


def test_refused_login_is_its_own_state() -> None:
    proto = ClientProtocol(CFG)
    proto.login(b"bad", 0.0)
    assert proto.receive_datagram(packets.encode_login_response(False), 0.0) == [LoginRejected()]
    assert proto.state is ClientState.REFUSED
    with pytest.raises(NotConnected):
        proto.send_command(b"players", 0.0)


def test_sequence_numbers_wrap_from_255_to_0() -> None:
    proto = logged_in()
    seen = []
    for i in range(300):
        seq = proto.send_command(b"x", float(i))
        seen.append(seq)
        proto.data_to_send()
        proto.receive_datagram(packets.encode_command_response(seq, b"ok"), float(i))
    assert seen[:256] == list(range(256)) and seen[256:260] == [0, 1, 2, 3]


def test_all_sequence_numbers_in_use_is_a_command_error() -> None:
    proto = logged_in()
    for _ in range(256):
        proto.send_command(b"x", 0.0)
    with pytest.raises(RCONCommandError, match="256") as raised:
        proto.send_command(b"x", 0.0)
    assert not isinstance(raised.value, RuntimeError)


def test_lost_answer_resends_same_bytes_then_fails_cleanly() -> None:
    proto = logged_in()
    seq = proto.send_command(b"players", 0.0)
    first = proto.data_to_send()
    assert proto.poll(0.5) == [] and proto.data_to_send() == []
    assert proto.poll(1.0) == [] and proto.data_to_send() == first
    assert proto.poll(2.0) == [] and proto.data_to_send() == first
    assert proto.poll(3.0) == [CommandFailed(seq)]
    # An answer to the abandoned number arriving late is dropped and counted.
    assert proto.receive_datagram(packets.encode_command_response(seq, b"late"), 3.1) == []
    assert proto.stats.dropped["unexpected answer"] == 1
    # And the abandoned number is not reused while such a late answer could still come.
    assert proto.send_command(b"next", 3.2) != seq


def test_missing_part_is_filled_by_the_answer_to_the_resend() -> None:
    proto = logged_in()
    seq = proto.send_command(b"players", 0.0)
    parts = packets.split_command_response(seq, b"abcdef", 2)
    assert proto.receive_datagram(parts[2], 0.1) == []
    assert proto.receive_datagram(parts[0], 0.1) == []
    proto.poll(1.0)  # re-sent; the server answers again in full
    assert proto.receive_datagram(parts[0], 1.1) == []  # duplicate part ignored
    assert proto.receive_datagram(parts[1], 1.1) == [CommandAnswered(seq, "abcdef")]


def test_every_message_copy_is_acked_but_delivered_once() -> None:
    proto = logged_in()
    msg = packets.encode_server_message(0, b"hello")
    assert proto.receive_datagram(msg, 1.0) == [MessageReceived(0, "hello")]
    assert proto.receive_datagram(msg, 1.5) == []
    assert proto.data_to_send() == [packets.encode_ack(0)] * 2


def test_badly_encoded_message_is_acked_and_delivered_with_replacement() -> None:
    proto = logged_in()
    events = proto.receive_datagram(packets.encode_server_message(0, b"caf\xe9 \xff"), 1.0)
    assert events == [MessageReceived(0, "caf\ufffd \ufffd")]
    assert proto.data_to_send() == [packets.encode_ack(0)]


def test_bad_packets_are_dropped_and_counted() -> None:
    proto = logged_in()
    good = packets.encode_server_message(0, b"x")
    assert proto.receive_datagram(good[:-1] + b"y", 1.0) == []
    assert proto.receive_datagram(b"BE", 1.0) == []
    assert proto.receive_datagram(b"XX" + good[2:], 1.0) == []
    assert proto.stats.dropped == {"crc": 1, "short": 1, "header": 1}
    assert proto.data_to_send() == []  # nothing acknowledged for garbage


def test_keepalive_is_an_empty_command_when_due() -> None:
    proto = logged_in()
    assert proto.next_deadline() == 30.0
    proto.receive_datagram(packets.encode_server_message(0, b"x"), 29.0)
    proto.data_to_send()
    assert proto.poll(29.9) == [] and proto.data_to_send() == []
    proto.poll(30.0)
    assert proto.data_to_send() == [packets.encode_command(0, b"")]
    assert proto.stats.keepalives_sent == 1
    proto.receive_datagram(packets.encode_command_response(0, b""), 30.1)
    # A user command also counts as activity: the next keep-alive moves out.
    proto.send_command(b"players", 50.0)
    assert proto.next_deadline() == 51.0  # its retransmit comes first
    proto.receive_datagram(packets.encode_command_response(1, b""), 50.5)
    assert proto.next_deadline() == 80.0  # 30 s after the last command


def test_silent_server_is_reported_once() -> None:
    proto = logged_in()
    proto.receive_datagram(packets.encode_server_message(0, b"x"), 10.0)
    assert proto.poll(54.9) == []
    events = proto.poll(55.0)
    assert len(events) == 1 and isinstance(events[0], ConnectionTimedOut)
    assert proto.state is ClientState.IDLE and proto.poll(100.0) == []


def test_keepalive_must_stay_below_battleye_limit() -> None:
    with pytest.raises(ValueError):
        ProtocolConfig(keepalive_interval=45.0)
    with pytest.raises(ValueError):
        ProtocolConfig(keepalive_interval=20.0, liveness_timeout=20.0)


def test_login_resets_sequences_and_dedupe() -> None:
    proto = logged_in()
    proto.send_command(b"a", 0.0)
    proto.receive_datagram(packets.encode_server_message(0, b"one"), 0.0)
    proto.login(b"secret", 1.0)
    proto.receive_datagram(packets.encode_login_response(True), 1.0)
    assert proto.send_command(b"b", 1.0) == 0
    assert proto.receive_datagram(packets.encode_server_message(0, b"two"), 1.0) == [
        MessageReceived(0, "two")
    ]


def test_default_timing_notices_a_forgotten_session_within_15_seconds() -> None:
    """A restarted server ignores the old session; with BattlEye's own defaults the client
    must see that from its keep-alive going unanswered, not after the 45 s liveness timeout."""
    proto = logged_in(ProtocolConfig())
    assert proto.config.keepalive_interval <= 15.0
    ended_at = None
    for tick in range(1, 460):  # a poll every 0.1 s, up to 46 s
        now = tick / 10
        events = proto.poll(now)
        proto.data_to_send()  # into the void: the server never answers
        if any(isinstance(e, ConnectionTimedOut) for e in events):
            ended_at = now
            break
    assert ended_at is not None and ended_at <= 15.0
    assert proto.state is ClientState.IDLE


def test_unanswered_command_ends_a_silent_session_but_not_a_lossy_one() -> None:
    proto = logged_in()
    seq = proto.send_command(b"players", 5.0)
    proto.data_to_send()
    proto.poll(6.0)  # re-sent, and a keep-alive probe goes out under its own number
    sent = [packets.decode_client_packet(d) for d in proto.data_to_send()]
    assert packets.CommandRequest(seq + 1, b"") in sent
    proto.poll(7.0)
    assert proto.poll(8.0) == [CommandFailed(seq)]
    events = proto.poll(9.0)  # the probe's third attempt is unanswered too: 4 s in all
    assert events[0] == CommandFailed(seq + 1, keepalive=True)
    assert isinstance(events[1], ConnectionTimedOut)
    assert proto.state is ClientState.IDLE
    # Lost answers while the server is otherwise talking: only the command fails.
    proto = logged_in()
    seq = proto.send_command(b"players", 5.0)
    proto.poll(6.0)
    proto.receive_datagram(packets.encode_server_message(0, b"still here"), 6.5)
    proto.poll(7.0)
    assert proto.poll(8.0) == [CommandFailed(seq)]
    assert proto.state is ClientState.LOGGED_IN
