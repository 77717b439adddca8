"""Colour codes (with the notes' ^^ edge cases) and the \\key\\value info string."""

from __future__ import annotations

import pytest

from bot.protocols.quake3 import parse_infostring, strip_colours
from bot.protocols.quake3.text import MAX_INFO_KEYS, MAX_KEY_CHARS, MAX_VALUE_CHARS, InfoView


@pytest.mark.parametrize(
    ("raw", "plain"),
    [
        ("^1EU^7 Race", "EU Race"),  # the notes' example hostname
        ("^1No^7va", "Nova"),
        ("^8red^9blue", "redblue"),  # ioq3: ^8/^9 wrap to ^0/^1, still codes
        ("^aletters^Z", "letters"),  # ioq3 accepts letters too
        ("^!punct^*", "punct"),  # original id Tech 3: any character but ^ after the caret
        ("a^^", "a^^"),  # ^^ is no code: at the end both carets stay (Q_CleanStr)
        ("a^^b", "a^"),  # the first caret is text, the second starts the code ^b
        ("^^1x", "^x"),  # the second caret starts ^1
        ("^^^1x", "^^x"),
        ("end^", "end^"),  # a lone trailing caret is text
        ("^", "^"),
        ("tab\there\x7f", "tabhere"),  # control characters are dropped
        ("nul^\x00x", "nul^x"),  # ^ before NUL is no code; the NUL goes as a control char
        ("é^2ü", "éü"),  # Latin-1 text stays
    ],
)
def test_strip_colours(raw: str, plain: str) -> None:
    assert strip_colours(raw) == plain


def test_darkplaces_rgb_codes_only_on_request() -> None:
    assert strip_colours("^xF00Red^7!", rgb=True) == "Red!"
    # Under the original rule ^x alone is the code and the digits are text.
    assert strip_colours("^xF00Red^7!") == "F00Red!"


def test_infostring_pairs() -> None:
    pairs, truncated = parse_infostring("\\sv_hostname\\^1EU^7 Race\\mapname\\aurora-speed1")
    assert pairs == {"sv_hostname": "^1EU^7 Race", "mapname": "aurora-speed1"}
    assert not truncated


def test_infostring_edge_cases() -> None:
    # No leading backslash, a key without value, an empty key, a repeated key (first wins).
    pairs, _ = parse_infostring("a\\1\\\\skipped\\a\\2\\b")
    assert pairs == {"a": "1", "b": ""}
    assert parse_infostring("") == ({}, False)
    assert parse_infostring("\\") == ({}, False)


def test_infostring_is_bounded() -> None:
    text = "".join(f"\\k{i}\\v" for i in range(MAX_INFO_KEYS + 50))
    pairs, truncated = parse_infostring(text)
    assert len(pairs) == MAX_INFO_KEYS and truncated
    pairs, _ = parse_infostring("\\" + "k" * 5000 + "\\" + "v" * 5000)
    ((key, value),) = pairs.items()
    assert len(key) == MAX_KEY_CHARS and len(value) == MAX_VALUE_CHARS


def test_lookups_ignore_case_like_the_engine() -> None:
    # FiveM sends sv_maxclients and sv_maxClients: the first one is what the engine reads.
    view = InfoView({"sv_maxclients": "24", "sv_maxClients": "48", "Flag": "1"})
    assert view.integer(["SV_MAXCLIENTS"]) == 24
    assert view.flag(["flag"]) is True
    assert view.integer(["missing"]) is None and view.text(["missing"]) == ""
    assert InfoView({"n": "12345678901"}).integer(["n"]) is None  # beyond 10 digits
    assert InfoView({"n": "٣"}).integer(["n"]) is None  # non-ASCII digits are not numbers
