"""``python -m bot games``: the catalogue for people and scripts."""

from __future__ import annotations

import json

import pytest

from bot.catalogue import GAMES
from bot.cli import main


def test_json_lists_every_game_with_its_ports(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["games", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == len(GAMES) >= 150
    by_key = {r["key"]: r for r in rows}
    dayz = by_key["dayz"]
    assert dayz["name"] == "DayZ"
    assert dayz["game_port"] == 2302
    assert dayz["query"] == {"protocol": "a2s", "port": 27016}
    assert dayz["admin"] == {"protocol": "battleye", "port": 2305}
    assert "kick" in dayz["actions"] and "whisper" in dayz["actions"]
    assert by_key["valheim"]["admin"] is None
    assert by_key["valheim"]["query"] == {"protocol": "a2s", "port": 2457}
    assert by_key["squad"]["admin"] == {
        "protocol": "source_rcon",
        "port": 21114,
        "profile": "squad",
    }
    assert by_key["squad"]["actions"] == ["players", "kick", "ban", "say", "whisper"]
    assert by_key["project_zomboid"]["aliases"] == ["pz", "zomboid"]
    for row in rows:
        assert {"key", "name", "aliases", "game_port", "query", "admin", "actions"} <= set(row)


def test_search_matches_aliases(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["games", "--json", "zomboid"]) == 0
    assert [r["key"] for r in json.loads(capsys.readouterr().out)] == ["project_zomboid"]


def test_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["games", "reforger"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["KEY", "GAME", "PORT", "QUERY", "ADMIN", "ACTIONS"]
    assert lines[1].split()[:5] == ["arma_reforger", "Arma", "Reforger", "2001", "17777"]
    assert "BattlEye RCon 19999" in lines[1]


def test_no_match_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["games", "no such game at all"]) == 1
    assert "No game matches" in capsys.readouterr().err
