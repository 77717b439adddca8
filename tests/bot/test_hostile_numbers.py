"""Numbers from servers and members that ``str.isdigit()`` accepts and ``int()`` refuses ("²"),
other scripts' digits, and runs past ``int()``'s 4,300-digit limit: a refusal the member can
read, or the field skipped, never an internal error."""

from __future__ import annotations

import pytest

from bot.adapters.admin import ConsolePlayer
from bot.adapters.sdtd import player_ids
from bot.services.bans.transfer import parse as parse_import
from bot.services.errors import UserError
from bot.services.rcon.console_players import from_console
from bot.services.rcon.source_players import parse_status
from bot.services.schedules.countdown import parse_steps
from bot.services.servers.addresses import parse_address, parse_port

NOW = 1_700_000_000.0
GUID = "394e2c09af98b00fd4094f86c7921622"
LONG = "9" * 5000
HOSTILE = ["²", "٢٣٠٥", LONG]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_port_a_member_types_is_refused_kindly(text: str) -> None:
    with pytest.raises(UserError):
        parse_port(text)
    with pytest.raises(UserError):
        parse_address(f"example.org:{text}")


@pytest.mark.parametrize("text", HOSTILE)
def test_countdown_steps_are_refused_kindly(text: str) -> None:
    with pytest.raises(UserError):
        parse_steps(f"15,{text}")


def test_a_console_handle_that_is_not_a_slot_number_keeps_the_list_order() -> None:
    players = [ConsolePlayer("a", "²"), ConsolePlayer("b", LONG), ConsolePlayer("c", "7")]
    assert [ref.id for ref in from_console(players)] == [0, 1, 7]


def test_a_srcds_status_line_with_a_huge_userid_is_skipped() -> None:
    status = "\n".join(
        [
            f'# {LONG} 2 "Huge" STEAM_1:0:1 01:00 50 0 active 1.2.3.4:27005',
            '# 3 4 "Fine" STEAM_1:0:2 01:00 50 0 active 1.2.3.5:27005',
        ]
    )
    assert [(p.userid, p.name) for p in parse_status(status)] == [(3, "Fine")]


@pytest.mark.parametrize("expiry", ["²", "١٧٠٠٠٠٠٠٠٠", LONG])
def test_a_bans_txt_expiry_that_is_not_a_time_skips_the_line(expiry: str) -> None:
    result = parse_import("bans.txt", f"{GUID} {expiry} Cheating\n".encode(), NOW)
    assert result.bans == [] and result.skipped == 1


def test_a_steam_id_is_ascii_digits() -> None:
    assert player_ids("76561198000000001") == (("steam", "76561198000000001"),)
    assert player_ids("٧٦٥٦١١٩٨٠٠٠٠٠٠٠٠١") == ()
