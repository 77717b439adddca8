"""Squad's ListPlayers read for /rcon (ids for commands), hostile names included."""

from __future__ import annotations

import pytest

from bot.catalogue import GAMES
from bot.services.rcon.actions import PlayerRef, plan_kick
from bot.services.rcon.errors import RconInvalidInput
from bot.services.rcon.live_players import parse_squad_players

LISTING = "\n".join(
    [
        "----- Active Players -----",
        "ID: 3 | Online IDs: EOS: 0002a1b2c3d4e5f60718293a4b5c6d7e steam: 76561198000000000 | "
        "Name: Foo | Team ID: 1 | Squad ID: 2 | Is Leader: True | Role: USA_SL_01",
        # A name that imitates the rest of a line: the ids come before it and cannot be forged.
        "ID: 4 | Online IDs: EOS: 0002a1b2c3d4e5f60718293a4b5c6d7f | "
        "Name: x | Team ID: 1 | steam: 76561198999999999 | Team ID: 2 | Squad ID: N/A | "
        "Is Leader: False | Role: RUS_Rifleman_01",
        "ID: 5 | SteamID: 76561198000000005 | Name: Old | Team ID: 1 | Squad ID: N/A",
        "----- Recently Disconnected Players [Max of 15] -----",
        "ID: 2 | Online IDs: EOS: 0002 steam: 76561198000000002 | Since Disconnect: 01m.24s | "
        "Name: Gone | Team ID: 1",
    ]
)


def test_parse_squad_players() -> None:
    players = parse_squad_players(LISTING)
    assert players[0] == PlayerRef(3, "Foo", "76561198000000000")
    hostile = players[1]
    assert hostile.id == 4 and hostile.uid == "0002a1b2c3d4e5f60718293a4b5c6d7f"  # EOS only
    assert hostile.name.startswith("x | Team ID: 1 | steam: 76561198999999999")
    assert players[2] == PlayerRef(5, "Old", "76561198000000005")
    assert [p.id for p in players] == [3, 4, 5]  # the disconnected are not on the list


def test_an_id_with_quotes_is_not_taken() -> None:
    line = 'ID: 7 | Online IDs: steam: 7656";AdminBan | Name: Eve | Team ID: 1 | Squad ID: 1'
    assert parse_squad_players(line) == [PlayerRef(7, "Eve", "")]


def test_squad_kick_goes_by_steamid_and_needs_it() -> None:
    squad = GAMES["squad"]
    plan = plan_kick(squad, PlayerRef(3, "Foo", "76561198000000000"), "afk")
    assert plan.commands == ('AdminKick "76561198000000000" afk',)
    assert plan_kick(squad, PlayerRef(3, "Foo", "76561198000000000")).commands == (
        'AdminKick "76561198000000000"',
    )
    with pytest.raises(RconInvalidInput, match="did not show the id"):
        plan_kick(squad, PlayerRef(3, "Foo", ""))
    with pytest.raises(RconInvalidInput, match="cannot contain"):
        plan_kick(squad, PlayerRef(3, "Foo", "76561198000000000"), 'a" ; AdminBan')
