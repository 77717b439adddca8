"""Parsing `cvarlist` output."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.protocols.rcon import ConVar, parse_cvarlist

SAMPLE = """cvar list
--------------
_autosave                                : cmd      :                  : Autosave
achievement_debug                        : 0        : , "sv", "cheat"  : Debug achievements.
sv_downloadurl                           : http://dl.example/cs : , "sv", "rep"  : Download URL
hostname                                 : Map : night  : , "sv"  : Hostname for server.
no_description                           : 1        : , "cl"           :
this line does not fit the layout
--------------
  5 total convars/concommands
"""


def test_parses_values_flags_and_descriptions() -> None:
    assert list(parse_cvarlist(SAMPLE)) == [
        ConVar("_autosave", "cmd", frozenset(), "Autosave"),
        ConVar("achievement_debug", "0", frozenset({"sv", "cheat"}), "Debug achievements."),
        ConVar("sv_downloadurl", "http://dl.example/cs", frozenset({"sv", "rep"}), "Download URL"),
        ConVar("hostname", "Map : night", frozenset({"sv"}), "Hostname for server."),
        ConVar("no_description", "1", frozenset({"cl"}), ""),
    ]


def test_no_list_in_the_answer() -> None:
    assert list(parse_cvarlist("Unknown command: cvarlist")) == []


def test_crlf_and_unbalanced_quotes() -> None:
    text = 'x\r\n----\r\nname : 1 : , "sv : desc\r\n----\r\n'
    assert list(parse_cvarlist(text)) == [ConVar("name", "1", frozenset({"sv"}), "desc")]


@given(st.text(max_size=300))
def test_any_text_parses_without_error(text: str) -> None:
    for convar in parse_cvarlist("--\n" + text + "\n--"):
        assert convar.name and " " not in convar.name
