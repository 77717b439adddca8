"""Player lists read from console text (Minecraft, ARK, Project Zomboid) and from adapters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.admin import ConsolePlayer
from bot.services.rcon.actions import PlayerRef
from bot.services.rcon.console_players import (
    from_console,
    parse_ark_players,
    parse_minecraft_list,
    parse_zomboid_players,
)


def test_minecraft_list_new_and_old_forms() -> None:
    new = parse_minecraft_list("There are 2 of a max of 20 players online: Alex, Steve_2")
    assert [(p.name, p.handle) for p in new] == [("Alex", "Alex"), ("Steve_2", "Steve_2")]
    old = parse_minecraft_list("There are 1/20 players online:\nNotch")
    assert [p.name for p in old] == ["Notch"]
    assert parse_minecraft_list("There are 0 of a max of 20 players online: ") == []


def test_minecraft_names_that_could_chain_a_command_are_dropped() -> None:
    text = "There are 3 of a max of 20 players online: Alex, a;op Eve, [Admin] Bob, x"
    # "a;op Eve" keeps its last word only when that word is a valid name; "x" is too short.
    assert [p.handle for p in parse_minecraft_list(text)] == ["Alex", "Eve", "Bob"]


def test_ark_listplayers() -> None:
    text = (
        "0. Ann, 76561198000000001\n"
        "1. Bob Smith, 0002a1b2c3d4e5f60718293a4b5c6d7e\n"
        "Server received, But no response!!"
    )
    players = parse_ark_players(text)
    assert [(p.name, p.uid) for p in players] == [
        ("Ann", "76561198000000001"),
        ("Bob Smith", "0002a1b2c3d4e5f60718293a4b5c6d7e"),
    ]
    assert parse_ark_players("No Players Connected") == []


def test_zomboid_players_quote_safe_handles_only() -> None:
    players = parse_zomboid_players('Players connected (3):\n-alice\n-Bob Two\n-x"; quit\n')
    assert [p.name for p in players] == ["alice", "Bob Two", 'x"; quit']
    assert [p.handle for p in players] == ["alice", "", ""]


def test_adapter_players_become_refs() -> None:
    refs = from_console(
        [
            ConsolePlayer("Halp", "171", (("steam", "76561198000000001"),)),
            ConsolePlayer("Pal", "steam_76561197999054170", (("steam", "76561197999054170"),)),
        ]
    )
    assert refs[0] == PlayerRef(171, "Halp", "76561198000000001", "171")
    assert refs[1].id == 1 and refs[1].handle == "steam_76561197999054170"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_gives_a_bounded_list(text: str) -> None:
    for parse in (parse_minecraft_list, parse_ark_players, parse_zomboid_players):
        players = parse(text)
        assert len(players) <= 256
        assert all(len(p.name) <= 64 for p in players)
