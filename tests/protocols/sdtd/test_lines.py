"""The line splitter and the log-line parser, on bytes and the notes' sample lines."""

from __future__ import annotations

import pytest

from bot.protocols.sdtd import LineSplitter, NotSdtd, clip, parse_log_line, strip_colours

# protocol notes II, section 8 (HaaseIT/7DtDisco; CSMM documentation).
JOINED = "2017-08-06T12:15:24 20963.531 INF GMSG: Player 'Halp' joined the game"
CHAT = (
    "2019-03-16T23:33:34 1175.575 INF Chat (from '76561197961408188', entity id '171', "
    "to 'Global'): 'Corran': test message"
)


def test_crlf_lines_and_the_remainder_is_carried() -> None:
    splitter = LineSplitter()
    assert splitter.feed(b"Please enter pass") == []
    assert splitter.buffered == len("Please enter pass")
    assert splitter.feed(b"word:\r\nLogon successful.\r\nPress") == [
        "Please enter password:",
        "Logon successful.",
    ]
    assert splitter.partial() == "Press"
    assert splitter.feed(b" 'help'\r\n") == ["Press 'help'"]
    assert splitter.buffered == 0


def test_byte_at_a_time_gives_the_same_lines() -> None:
    data = (JOINED + "\r\n" + "0. id=171, Jürgen, pos=(1, 2, 3)\r\n\r\n").encode()
    splitter = LineSplitter()
    lines: list[str] = []
    for i in range(len(data)):
        lines += splitter.feed(data[i : i + 1])
    assert lines == [JOINED, "0. id=171, Jürgen, pos=(1, 2, 3)", ""]


def test_bare_lf_ends_a_line_and_an_inner_cr_stays() -> None:
    assert LineSplitter().feed(b"a\nb\rc\r\n") == ["a", "b\rc"]


def test_bad_utf8_is_replaced_not_lost() -> None:
    assert LineSplitter().feed(b"caf\xc3\r\nok\xff\r\n") == ["caf\ufffd", "ok\ufffd"]


def test_a_line_at_the_limit_passes_one_over_it_is_refused() -> None:
    splitter = LineSplitter(max_line_bytes=10)
    assert splitter.feed(b"0123456789\r\n") == ["0123456789"]
    with pytest.raises(NotSdtd, match="limit 10"):
        splitter.feed(b"0123456789A\r\n")


def test_an_endless_line_is_refused_before_it_grows_and_poisons_the_splitter() -> None:
    splitter = LineSplitter(max_line_bytes=100)
    splitter.feed(b"A" * 60)
    with pytest.raises(NotSdtd):
        splitter.feed(b"A" * 60)
    assert splitter.buffered == 0  # nothing kept
    with pytest.raises(NotSdtd):
        splitter.feed(b"fine\r\n")  # where the next line starts can't be trusted


def test_log_lines_parse_and_output_lines_do_not() -> None:
    log = parse_log_line(JOINED)
    assert log is not None
    assert (log.time, log.uptime, log.level) == ("2017-08-06T12:15:24", 20963.531, "INF")
    assert log.message == "GMSG: Player 'Halp' joined the game"
    chat = parse_log_line(CHAT)
    assert chat is not None and chat.message.startswith("Chat (from '7656")
    warn = parse_log_line("2024-01-02T03:04:05 12 WRN Something odd")
    assert warn is not None and (warn.level, warn.uptime) == ("WRN", 12.0)
    for output in (
        "0. id=171, Revlin McAwesome, pos=(-933.9, 76.1, 1757.7)",
        "Total of 1 in the game",
        "Day 7, 14:23",
        "2017-08-06 12:15:24 - 76561198012345678 (Name) - reason",  # a ban row, not a log line
        "",
    ):
        assert parse_log_line(output) is None


def test_colour_markup_is_stripped() -> None:
    assert strip_colours("[94CBFF]ELITE[-] Hazmat") == "ELITE Hazmat"
    assert strip_colours("[ff0000]red[-] [notacolour]") == "red [notacolour]"


def test_clip_drops_control_and_format_characters_and_bounds_length() -> None:
    assert clip("a\x00b\u202ec\u2028d\te", 100) == "abcde"
    assert clip("x" * 50, 10) == "x" * 10
    assert clip("Jürgen Müller", 100) == "Jürgen Müller"
