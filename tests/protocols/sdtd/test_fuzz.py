"""Any bytes from a hostile server give events or NotSdtd, never a hang or another exception."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.protocols.sdtd import (
    LineSplitter,
    NotSdtd,
    Session,
    parse_bans,
    parse_event,
    parse_log_line,
    parse_players,
    parse_total,
)
from bot.protocols.sdtd.session import SessionConfig, SessionState

CONFIG = SessionConfig(max_line_bytes=512, max_answer_bytes=4096, max_login_lines=8)
PIECES = [
    b"Please enter password:",
    b"Password incorrect, please enter password:",
    b"Logon successful.",
    b"Press 'help' to get a list of all commands. Press 'exit' to end session.",
    b"2017-08-06T12:15:24 20963.531 INF ",
    b"2017-08-06T12:15:24 1.0 EXC ",
    b"Executing command 'lp' by Telnet from 1.2.3.4:5",
    b"0. id=171, A, pos=(1.0, 2.0, 3.0), health=9",
    b"Total of 1 in the game",
    b"  at Foo ()",
    b"\r\n",
    b"\n",
    b"\r",
    b"\xff\xfe",
    "Jürgen".encode(),
]
chunks = st.lists(st.one_of(st.binary(max_size=64), st.sampled_from(PIECES)), max_size=40)


@settings(max_examples=150)
@given(chunks, st.integers(min_value=0, max_value=3))
def test_session_survives_any_stream(data: list[bytes], command_at: int) -> None:
    session = Session(CONFIG)
    now = 0.0
    try:
        for i, chunk in enumerate(data):
            now += 0.1
            session.receive_data(chunk, now)
            if session.state is SessionState.PROMPTED:
                session.send_password("pw")
            if i == command_at and session.ready_for_command:
                session.send_command("lp", now)
            session.poll(now + 0.6)
            assert (
                session.next_deadline() is None
                or session.state is SessionState.BANNER
                or (session.state is SessionState.READY)
            )
    except NotSdtd:
        assert session.state is SessionState.CLOSED


@settings(max_examples=150)
@given(st.lists(st.binary(max_size=300), max_size=20))
def test_splitter_bounds_every_line(data: list[bytes]) -> None:
    splitter = LineSplitter(max_line_bytes=256)
    try:
        for chunk in data:
            for line in splitter.feed(chunk):
                assert "\n" not in line
                assert len(line.encode("utf-8", errors="surrogatepass")) <= 256 * 3
            assert splitter.buffered <= 256
    except NotSdtd:
        pass


line_text = st.one_of(
    st.text(max_size=300),
    st.builds(
        "".join,
        st.lists(
            st.sampled_from(
                [
                    "Chat (from '",
                    "', entity id '",
                    "', to '",
                    "'): '",
                    "': ",
                    "PlayerSpawnedInWorld (reason: ",
                    ", position: ",
                    "): EntityID=",
                    "PlayerName='",
                    ", ClientNumber='",
                    "Player disconnected: ",
                    "[NET] PlayerConnected ",
                    "GMSG: Player '",
                    "' died",
                    "Entity ",
                    " killed by ",
                    "Executing command '",
                    "' by ",
                    "0. id=",
                    ", pos=(",
                    "1",
                    "-",
                    ",",
                    " ",
                    "'",
                    ")",
                    "(",
                    "=",
                ]
            ),
            max_size=40,
        ),
    ),
)


@settings(max_examples=200)
@given(line_text)
def test_parsers_accept_any_text(text: str) -> None:
    parse_players(text)
    parse_total(text)
    parse_bans(text)
    log = parse_log_line("2017-08-06T12:15:24 20963.531 INF " + text)
    assert log is not None
    parse_event(log)
    parse_log_line(text)


def test_pathological_lines_of_the_maximum_length_parse_fast() -> None:
    # Bounded quantifiers everywhere: repeats of the anchors cannot make a regex backtrack long.
    fragments = [
        "Chat (from '1', entity id '2', to 'G'): '",
        "PlayerName='",
        ", pos=(",
        "0. id=1, ",
        "Entity a 1 killed by ",
        "PlayerSpawnedInWorld (reason: a, position: 1, 2, 3): EntityID=1, ",
        "Player connected, entityid=1, name=",
        "GMSG: Player '",
        "Executing command '",
        "Player disconnected: EntityID=1, PlayerName='",
        "Player connected, entityid=1, name=x, steamid=",
        "Chat: '",
    ]
    started = time.perf_counter()
    for fragment in fragments:
        line = fragment + (fragment[-8:] * (16_000 // 8))[:16_000]
        parse_players(line)
        parse_bans(line)
        log = parse_log_line("2017-08-06T12:15:24 1.0 INF " + line)
        assert log is not None
        parse_event(log)
    assert time.perf_counter() - started < 2.0
