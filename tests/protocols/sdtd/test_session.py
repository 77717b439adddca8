"""The session state machine on bytes and numbers (no sockets, no clock)."""

from __future__ import annotations

import pytest

from bot.protocols.sdtd import NotSdtd, SdtdInvalidCommand, SdtdInvalidState, Session
from bot.protocols.sdtd.session import (
    CommandAnswered,
    LoginAccepted,
    LoginRefused,
    LogReceived,
    OtherLine,
    PasswordRequested,
    Ready,
    SessionConfig,
    SessionEvent,
    SessionState,
)

CONFIG = SessionConfig(first_output_wait=2.0, settle=0.5, banner_wait=1.0)
BANNER_END = b"Press 'help' to get a list of all commands. Press 'exit' to end session.\r\n"
ROW = (
    "0. id=171, Revlin McAwesome, pos=(-933.9, 76.1, 1757.7), rot=(0.0, -117.7, 0.0), "
    "remote=True, health=73, deaths=12, zombies=47, players=0, score=776, level=31, "
    "steamid=76561198012345678, ip=1.2.3.4, ping=25"
)


def log(message: str, level: str = "INF") -> bytes:
    return f"2017-08-06T12:15:24 20963.531 {level} {message}\r\n".encode()


def ready_session(config: SessionConfig = CONFIG) -> Session:
    session = Session(config)
    assert session.receive_data(b"Please enter password:\r\n", 0.0) == [PasswordRequested()]
    assert session.send_password("secret") == b"secret\r\n"
    events = session.receive_data(b"Logon successful.\r\n*** banner\r\n" + BANNER_END, 0.0)
    assert events == [LoginAccepted(), OtherLine("*** banner"), Ready()]
    assert session.ready_for_command
    return session


def answers(events: list[SessionEvent]) -> list[CommandAnswered]:
    return [e for e in events if isinstance(e, CommandAnswered)]


# --- login ---------------------------------------------------------------------------------


def test_login_sequence_of_the_notes() -> None:
    session = ready_session()
    assert session.state is SessionState.READY


@pytest.mark.parametrize("prompt", [b"Please enter password:", b"Please enter password: "])
def test_a_prompt_without_a_line_end_is_recognised(prompt: bytes) -> None:
    session = Session(CONFIG)
    assert session.receive_data(prompt[:6], 0.0) == []
    assert session.receive_data(prompt[6:], 0.0) == [PasswordRequested()]
    session.send_password("pw")
    assert session.receive_data(b"Logon successful.\r\n", 0.0) == [LoginAccepted()]


def test_a_prompt_in_pieces_and_its_late_line_end_are_one_prompt() -> None:
    session = Session(CONFIG)
    assert session.receive_data(b"Please enter password:", 0.0) == [PasswordRequested()]
    assert session.receive_data(b"\r\n", 0.0) == []  # the line end of the prompt: ignored
    session.send_password("pw")
    assert session.state is SessionState.PASSWORD_SENT


@pytest.mark.parametrize(
    "answer",
    [
        b"Password incorrect, please enter password:\r\n",
        b"Password incorrect, please enter password:",
        b"Please enter password:\r\n",  # asked again: refused too
    ],
)
def test_wrong_password(answer: bytes) -> None:
    session = Session(CONFIG)
    session.receive_data(b"Please enter password:\r\n", 0.0)
    session.send_password("wrong")
    assert session.receive_data(answer, 0.0) == [LoginRefused()]
    assert session.state is SessionState.REFUSED
    with pytest.raises(SdtdInvalidState):
        session.send_command("lp", 0.0)


def test_no_password_server_goes_straight_to_ready() -> None:
    session = Session(CONFIG)
    events = session.receive_data(b"*** Connected with 7DTD server.\r\n" + BANNER_END, 0.0)
    assert events == [OtherLine("*** Connected with 7DTD server."), LoginAccepted(), Ready()]


def test_banner_without_its_last_line_ends_after_quiet() -> None:
    session = Session(CONFIG)
    session.receive_data(b"Please enter password:\r\n", 0.0)
    session.send_password("pw")
    session.receive_data(b"Logon successful.\r\nmodded banner\r\n", 1.0)
    assert session.next_deadline() == 2.0
    assert session.poll(1.9) == []
    assert session.poll(2.0) == [Ready()]
    assert session.ready_for_command


@pytest.mark.parametrize(
    "greeting", [b"SSH-2.0-OpenSSH_9.6\r\n", b"HTTP/1.1 400 Bad Request\r\n", b"220 ftp ready\r\n"]
)
def test_another_protocol_fails_at_once(greeting: bytes) -> None:
    session = Session(CONFIG)
    with pytest.raises(NotSdtd):
        session.receive_data(greeting, 0.0)
    assert session.state is SessionState.CLOSED
    assert session.receive_data(b"Please enter password:\r\n", 0.0) == []


def test_chatter_without_a_prompt_is_bounded() -> None:
    session = Session(SessionConfig(max_login_lines=3))
    session.receive_data(b"one\r\ntwo\r\nthree\r\n", 0.0)
    with pytest.raises(NotSdtd, match="without a 7DTD login"):
        session.receive_data(b"four\r\n", 0.0)


def test_password_is_validated_and_never_in_the_error() -> None:
    session = Session(CONFIG)
    with pytest.raises(SdtdInvalidState):
        session.send_password("secret")  # no prompt yet
    session.receive_data(b"Please enter password:\r\n", 0.0)
    with pytest.raises(SdtdInvalidCommand) as info:
        session.send_password("hunter2\r\nshutdown")
    assert "hunter2" not in str(info.value)


# --- commands ------------------------------------------------------------------------------


def test_lp_ends_at_its_trailer_without_waiting() -> None:
    session = ready_session()
    assert session.send_command("lp", 10.0) == b"lp\r\n"
    events = session.receive_data(
        log("Executing command 'lp' by Telnet from 127.0.0.1:50802"), 10.1
    )
    assert [type(e) for e in events] == [LogReceived]
    events = session.receive_data(f"{ROW}\r\nTotal of 1 in the game\r\n".encode(), 10.1)
    [done] = answers(events)
    assert done.answer.lines == (ROW, "Total of 1 in the game")
    assert (done.answer.ended_by, done.answer.echoed) == ("trailer", True)
    assert session.ready_for_command and session.next_deadline() is None


def test_a_hundred_players_still_end_at_the_trailer() -> None:
    # chrani-bot's \d{1,2} would miss this one.
    session = ready_session()
    session.send_command("lp", 0.0)
    [done] = answers(session.receive_data(b"Total of 100 in the game\r\n", 0.1))
    assert done.answer.ended_by == "trailer"


def test_llp2_trailer() -> None:
    session = ready_session()
    session.send_command("llp2", 0.0)
    events = session.receive_data(b"row\r\nTotal of 3 keystones in the game\r\n", 0.1)
    assert answers(events)[0].answer.lines == ("row", "Total of 3 keystones in the game")


def test_other_commands_end_after_quiet_after_the_last_line() -> None:
    session = ready_session()
    session.send_command("gettime", 5.0)
    assert session.next_deadline() == 7.0  # nothing seen yet: first_output_wait
    session.receive_data(log("Executing command 'gettime' by Telnet from 1.2.3.4:5"), 5.1)
    assert session.next_deadline() == pytest.approx(5.6)
    session.receive_data(b"Day 7, 14:23\r\n", 5.2)
    assert session.next_deadline() == pytest.approx(5.7)
    assert session.poll(5.69) == []
    [done] = answers(session.poll(5.7))
    assert done.answer.text == "Day 7, 14:23" and done.answer.ended_by == "quiet"


def test_without_echo_an_empty_answer_ends_after_first_output_wait() -> None:
    # HideCommandExecutionLog: no echo to count on.
    session = ready_session()
    session.send_command('say "hi"', 0.0)
    assert session.poll(1.9) == []
    [done] = answers(session.poll(2.0))
    assert done.answer.lines == () and not done.answer.echoed


def test_log_lines_interleaved_with_output_are_not_part_of_the_answer() -> None:
    session = ready_session()
    session.send_command("lp", 0.0)
    data = (
        f"{ROW}\r\n".encode()
        + log("Time: 3.02m FPS: 33.4 Heap: 1102.7MB")
        + log("Executing command 'lp' by Telnet from 10.0.0.2:1234")  # our echo, late
        + b"Total of 1 in the game\r\n"
    )
    events = session.receive_data(data, 0.1)
    assert [type(e) for e in events] == [LogReceived, LogReceived, CommandAnswered]
    assert answers(events)[0].answer.lines == (ROW, "Total of 1 in the game")


def test_another_clients_echo_does_not_count_as_ours() -> None:
    session = ready_session()
    session.send_command("version", 0.0)
    session.receive_data(log("Executing command 'lp' by Telnet from 9.9.9.9:1"), 0.1)
    assert session.next_deadline() == 2.0


def test_a_stack_trace_after_an_exception_line_is_not_output() -> None:
    session = ready_session()
    session.send_command("version", 0.0)
    data = (
        log("NullReferenceException: Object reference not set", "EXC")
        + b"  at EntityAlive.Update () [0x00000] in <abc>:0 \r\n"
        + b"Game version: V 1.0\r\n"
    )
    events = session.receive_data(data, 0.1)
    assert OtherLine("  at EntityAlive.Update () [0x00000] in <abc>:0 ") in events
    [done] = answers(session.poll(1.0))
    assert done.answer.lines == ("Game version: V 1.0",)


def test_quiet_with_an_unfinished_line_waits_then_takes_it() -> None:
    session = ready_session()
    session.send_command("gettime", 0.0)
    session.receive_data(b"Day 7,", 0.1)  # seen, but the line is not whole yet
    session.receive_data(b" 14:23", 0.2)
    assert session.next_deadline() == 2.0
    [done] = answers(session.poll(2.0))
    assert done.answer.lines == ("Day 7, 14:23",)


def test_abandoned_output_is_drained_not_given_to_the_next_command() -> None:
    session = ready_session()
    session.send_command("slow", 0.0)
    session.abandon(3.0)
    assert not session.ready_for_command
    with pytest.raises(SdtdInvalidState):
        session.send_command("gettime", 3.0)
    session.receive_data(b"late output of slow\r\n", 3.2)
    assert session.poll(3.6) == []  # still within settle of the late line
    session.poll(3.7)
    assert session.ready_for_command and session.stats.drained_lines == 1
    session.send_command("gettime", 4.0)
    session.receive_data(b"Day 7, 14:23\r\n", 4.1)
    assert answers(session.poll(4.6))[0].answer.lines == ("Day 7, 14:23",)


def test_abandon_before_any_sign_drains_until_first_output_wait() -> None:
    session = ready_session()
    session.send_command("slow", 0.0)
    session.abandon(0.1)
    assert session.next_deadline() == 2.0


def test_one_command_at_a_time() -> None:
    session = ready_session()
    session.send_command("lp", 0.0)
    with pytest.raises(SdtdInvalidState, match="still being answered"):
        session.send_command("lp", 0.0)


def test_an_answer_over_budget_closes_the_session() -> None:
    session = ready_session(SessionConfig(max_answer_bytes=100))
    session.send_command("lp", 0.0)
    with pytest.raises(NotSdtd, match="over 100 bytes"):
        session.receive_data(b"x" * 60 + b"\r\n" + b"y" * 60 + b"\r\n", 0.1)
    assert session.state is SessionState.CLOSED


def test_an_answer_over_the_line_count_closes_the_session() -> None:
    session = ready_session(SessionConfig(max_answer_lines=3))
    session.send_command("lp", 0.0)
    with pytest.raises(NotSdtd, match="over 3 lines"):
        session.receive_data(b"a\r\nb\r\nc\r\nd\r\n", 0.1)


def test_draining_is_bounded_too() -> None:
    session = ready_session(SessionConfig(max_answer_bytes=100))
    session.send_command("slow", 0.0)
    session.abandon(0.1)
    with pytest.raises(NotSdtd, match="never ended"):
        session.receive_data(b"z" * 70 + b"\r\n" + b"z" * 70 + b"\r\n", 0.2)


@pytest.mark.parametrize(
    "command",
    ["lp\r\nshutdown", "say hi\nkick x", "lp\x00", "say \x1b[2J", "", "   ", "exit", "a" * 1025],
)
def test_commands_that_could_chain_or_break_are_refused(command: str) -> None:
    session = ready_session()
    with pytest.raises(SdtdInvalidCommand):
        session.send_command(command, 0.0)
    assert session.ready_for_command  # nothing was started


def test_stray_output_outside_a_command_is_other() -> None:
    session = ready_session()
    assert session.receive_data(b"stray\r\n", 0.0) == [OtherLine("stray")]


def test_once_echoes_are_seen_output_before_our_echo_is_a_previous_commands() -> None:
    session = ready_session()
    session.send_command("gettime", 0.0)
    session.receive_data(log("Executing command 'gettime' by Telnet from 1.2.3.4:5"), 0.1)
    session.receive_data(b"Day 7, 14:23\r\n", 0.1)
    assert answers(session.poll(0.6))[0].answer.echoed
    session.send_command("version", 1.0)
    session.receive_data(b"late output of an earlier command\r\n", 1.1)
    session.receive_data(log("Executing command 'version' by Telnet from 1.2.3.4:5"), 1.2)
    session.receive_data(b"Game version: V 1.0\r\n", 1.2)
    [done] = answers(session.poll(1.7))
    assert done.answer.lines == ("Game version: V 1.0",)
    assert session.stats.drained_lines == 1


def test_the_connection_end_completes_an_answer_with_output_only() -> None:
    session = ready_session()
    session.send_command("shutdown", 0.0)
    session.receive_data(b"Shutting server down...\r\n", 0.1)
    [done] = answers(session.connection_lost())
    assert done.answer.ended_by == "closed" and done.answer.lines == ("Shutting server down...",)
    session = ready_session()
    session.send_command("kick 171", 0.0)
    session.receive_data(log("Executing command 'kick 171' by Telnet from 1.2.3.4:5"), 0.1)
    assert session.connection_lost() == []  # echoed, but its outcome is unknown
    assert session.state is SessionState.CLOSED


def test_own_echo_is_marked() -> None:
    session = ready_session()
    session.send_command("lp", 0.0)
    events = session.receive_data(
        log("Executing command 'lp' by Telnet from 9.9.9.9:1")
        + log("Executing command 'lp' by Telnet from 9.9.9.9:1"),  # another client's, same text
        0.1,
    )
    assert [e.own_echo for e in events if isinstance(e, LogReceived)] == [True, False]
