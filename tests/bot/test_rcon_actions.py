"""Typed RCON commands, the Source ``status`` parser and player resolution (pure functions)."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.games import RconKind
from bot.services.audit import parse_since
from bot.services.errors import UserError
from bot.services.rcon.actions import (
    PlayerRef,
    check_text,
    plan_ban,
    plan_bans,
    plan_exec,
    plan_kick,
    plan_players,
    plan_say,
    plan_unban,
    resolve_player,
)
from bot.services.rcon.errors import RconInvalidInput, RconNotConfigured
from bot.services.rcon.permissions import Action
from bot.services.rcon.source_players import SourcePlayer, parse_status

SOURCE, BATTLEYE = RconKind.SOURCE, RconKind.BATTLEYE
ANN = PlayerRef(2, "Ann")


def test_commands_per_protocol() -> None:
    assert plan_players(SOURCE).commands == ("status",)
    assert plan_players(BATTLEYE).commands == ("players",)
    assert plan_kick(SOURCE, ANN, "afk").commands == ('kickid 2 "afk"',)
    assert plan_kick(SOURCE, ANN).commands == ("kickid 2",)
    assert plan_kick(BATTLEYE, ANN, "afk").commands == ("kick 2 afk",)
    assert plan_ban(SOURCE, ANN, 30).commands == ("banid 30 2 kick", "writeid")
    assert plan_ban(SOURCE, ANN).commands == ("banid 0 2 kick", "writeid")
    assert plan_ban(BATTLEYE, ANN, None, "cheat").commands == ("ban 2 0 cheat",)
    assert plan_unban(SOURCE, "STEAM_0:1:123").commands == ("removeid STEAM_0:1:123", "writeid")
    assert plan_unban(BATTLEYE, "7").commands == ("removeBan 7",)
    assert plan_bans(SOURCE).commands == ("listid",)
    assert plan_bans(BATTLEYE).commands == ("bans",)
    assert plan_say(SOURCE, "hi all").commands == ("say hi all",)
    assert plan_say(BATTLEYE, "hi; all").commands == ("say -1 hi; all",)
    assert plan_exec(SOURCE, "sv_cheats 0; quit").commands == ("sv_cheats 0; quit",)
    assert plan_ban(SOURCE, ANN, 30, "x").action is Action.BAN


@pytest.mark.parametrize("reason", ['a"; quit', "a;b", 'say "x"', "a\nb", "a\rb", "\x00", "\x1b["])
def test_source_refuses_what_could_chain_a_command(reason: str) -> None:
    with pytest.raises(RconInvalidInput, match="cannot contain"):
        plan_kick(SOURCE, ANN, reason)
    with pytest.raises(RconInvalidInput, match="cannot contain"):
        plan_say(SOURCE, reason)


@pytest.mark.parametrize("text", ["a\nb", "a\u2028b", "\x7f", "a\x85b"])
def test_battleye_refuses_line_breaks_and_control_characters(text: str) -> None:
    with pytest.raises(RconInvalidInput, match="control characters"):
        plan_say(BATTLEYE, text)
    with pytest.raises(RconInvalidInput):
        plan_exec(BATTLEYE, text)


@given(st.text(max_size=150))
def test_any_accepted_source_reason_stays_inside_its_quotes(reason: str) -> None:
    try:
        plan = plan_kick(SOURCE, ANN, reason)
    except RconInvalidInput:
        return
    (command,) = plan.commands
    assert "\n" not in command and ";" not in command
    if reason.strip():
        assert command == f'kickid 2 "{reason.strip()}"'
        assert command.count('"') == 2


@pytest.mark.parametrize("ban", ["1; quit", "-1", "STEAM_0:1:1; quit", "", "١٢"])
def test_unban_ids_are_checked(ban: str) -> None:
    with pytest.raises(RconInvalidInput):
        plan_unban(SOURCE, ban) if ban.startswith("STEAM") else plan_unban(BATTLEYE, ban)


def test_limits_and_unsupported_games() -> None:
    with pytest.raises(RconInvalidInput, match="too long"):
        plan_say(SOURCE, "x" * 201)
    with pytest.raises(RconInvalidInput, match="empty"):
        plan_say(SOURCE, "   ")
    with pytest.raises(RconInvalidInput, match="duration"):
        plan_ban(SOURCE, ANN, -5)
    with pytest.raises(RconInvalidInput, match="player id"):
        plan_kick(SOURCE, PlayerRef(-1, "a2s name"))
    with pytest.raises(RconNotConfigured):
        plan_players(RconKind.NONE)
    assert check_text(SOURCE, "  ok  ", what="x", limit=10, allow_empty=False) == "ok"


def test_resolve_player_by_id_exact_and_prefix() -> None:
    players = [PlayerRef(2, "Ann"), PlayerRef(4, "Anna"), PlayerRef(7, 'Bob"; quit')]
    assert resolve_player(players, "#4").name == "Anna"
    assert resolve_player(players, "7").id == 7
    assert resolve_player(players, "ann").id == 2  # exact beats the prefix of "Anna"
    assert resolve_player(players, "bob").id == 7
    with pytest.raises(RconInvalidInput, match="2 players match"):
        resolve_player([PlayerRef(1, "Zed A"), PlayerRef(3, "Zed B")], "zed")
    with pytest.raises(RconInvalidInput, match="No such player"):
        resolve_player(players, "#99")


def test_parse_status_srcds_and_cs2() -> None:
    text = "\n".join(
        [
            "hostname: x",
            "# userid name uniqueid connected ping loss state rate adr",
            '#      2 "Ann" STEAM_1:0:123 05:12 50 0 active 786432 1.2.3.4:27005',
            '#  4 1 "Bob"; quit; "" STEAM_1:1:5 00:01 5 0 active 1 1.1.1.1:1',
            '#      5 "BOT Carl" BOT active',
            "---------players--------",
            "  id     time ping loss      state   rate adr name",
            "   9    00:13   48    0     active 786432 1.2.3.4:27005 'Dee'",
            "garbage line",
        ]
    )
    assert parse_status(text) == [
        SourcePlayer(2, "Ann", "STEAM_1:0:123"),
        SourcePlayer(4, 'Bob"; quit; "', "STEAM_1:1:5"),
        SourcePlayer(5, "BOT Carl", "BOT"),
        SourcePlayer(9, "Dee"),
    ]
    assert parse_status(text)[2].is_bot


def test_parse_status_splits_lines_only_on_cr_and_lf() -> None:
    # U+0085, U+2028 and friends inside a name must not split the line and hide the player.
    names = ["Ann\x85x", "Bo\u2028b", "C\u2029", "D\x1ce", "E\x0bf"]
    text = "\r\n".join(
        f'#      {i} "{name}" STEAM_1:0:{i} 05:12 50 0 active 786432 1.2.3.4:27005'
        for i, name in enumerate(names, 2)
    )
    assert [p.name for p in parse_status(text)] == names


def test_parse_since() -> None:
    now = datetime.datetime(2026, 11, 22, 12, 0, 0)
    assert parse_since("24h", now) == "2026-11-21T12:00:00"
    assert parse_since("30m", now) == "2026-11-22T11:30:00"
    assert parse_since("2w", now) == "2026-11-08T12:00:00"
    assert parse_since("2026-11-01", now) == "2026-11-01T00:00:00"
    with pytest.raises(UserError):
        parse_since("yesterday", now)
