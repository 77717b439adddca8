"""The catalogue file: every row valid, broken rows named, old keys kept, templates."""

from __future__ import annotations

import pytest

from bot.adapters.registry import QUERY_PROTOCOL_NAMES
from bot.catalogue import (
    ACTIONS,
    CONSOLES,
    GAMES,
    CatalogueError,
    RconKind,
    parse,
    render,
)

_CONSOLE = """
[consoles.srcds]
protocol = "source_rcon"
[consoles.srcds.actions]
say = ["say {message}"]
"""
_GOOD_ROW = """
[games.good]
name = "Good"
game_port = 27015
admin = { protocol = "source_rcon", port = "same", console = "srcds" }
source = "test"
"""


def test_the_catalogue_holds_150_games_with_sources() -> None:
    real = [g for g in GAMES.values() if not g.key.startswith("other")]
    assert len(real) >= 150
    assert len({g.name.casefold() for g in GAMES.values()}) == len(GAMES)
    for game in GAMES.values():
        assert game.source.strip(), game.key
        assert game.query_protocol in QUERY_PROTOCOL_NAMES, game.key  # an adapter speaks it
        assert 1 <= game.query_port_for(game.default_port) <= 65535
        assert len(game.name) <= 100  # an autocomplete choice's name
        if game.console is not None:
            assert game.console.protocol is game.rcon, game.key


@pytest.mark.parametrize(
    "key",
    [
        "cs2",
        "tf2",
        "gmod",
        "ark",
        "arma3",
        "arma_reforger",
        "dayz",
        "rust",
        "conan",
        "squad",
        "insurgency",
        "insurgency_sandstorm",
        "vrising",
        "enshrouded",
        "valheim",
        "palworld",
        "project_zomboid",
        "7dtd",
        "space_engineers",
        "unturned",
        "kf2",
        "mordhau",
        "hll",
        "barotrauma",
        "arma2",
        "arma2oa",
        "l4d2",
        "csgo",
        "css",
        "svencoop",
    ],
)
def test_games_users_run_are_there(key: str) -> None:
    assert key in GAMES


# Every key the hand-written table had (the keys stored in servers.game today), with its ports
# then: they all stay valid keys with the same ports, so no migration is needed.
_OLD_TABLE = [
    ("dayz", 2302, 27016, RconKind.BATTLEYE, 2305, None),
    ("arma3", 2302, 2303, RconKind.BATTLEYE, 2305, None),
    ("arma_reforger", 2001, 17777, RconKind.BATTLEYE, 19999, None),
    ("squad", 7787, 27165, RconKind.SOURCE, 21114, "squad"),
    ("ark", 7777, 27015, RconKind.SOURCE, 27020, "ark"),
    ("palworld", 8211, 27015, RconKind.SOURCE, 25575, "palworld"),
    ("project_zomboid", 16261, 16261, RconKind.SOURCE, 27015, None),
    ("valheim", 2456, 2457, RconKind.NONE, None, None),
    ("rust", 28015, 28017, RconKind.WEBRCON, 28016, None),
    ("7dtd", 26900, 26900, RconKind.SDTD, 8081, None),
    ("cs2", 27015, 27015, RconKind.SOURCE, 27015, None),
    ("csgo", 27015, 27015, RconKind.SOURCE, 27015, None),
    ("css", 27015, 27015, RconKind.SOURCE, 27015, None),
    ("tf2", 27015, 27015, RconKind.SOURCE, 27015, None),
    ("gmod", 27015, 27015, RconKind.SOURCE, 27015, None),
    ("l4d2", 27015, 27015, RconKind.SOURCE, 27015, None),
    # Sandstorm gained its Source RCON (RconListenPort 27015); its ports did not move.
    ("insurgency_sandstorm", 27102, 27131, RconKind.SOURCE, 27015, None),
    ("other_source", 27015, 27015, RconKind.SOURCE, 27015, None),
    ("other", 27015, 27015, RconKind.NONE, None, None),
]


@pytest.mark.parametrize(("key", "port", "query", "kind", "rcon", "profile"), _OLD_TABLE)
def test_every_old_key_resolves_with_its_ports(
    key: str, port: int, query: int, kind: RconKind, rcon: int | None, profile: str | None
) -> None:
    game = GAMES[key]
    assert game.default_port == port
    assert game.query_port_for(port) == query
    assert game.rcon is kind
    assert game.rcon_port_for(port) == rcon
    assert game.rcon_profile == profile


def test_typed_actions_follow_the_console() -> None:
    assert GAMES["cs2"].actions == ("players", "kick", "ban", "unban", "bans", "say")
    assert "whisper" in GAMES["dayz"].actions
    assert GAMES["squad"].actions == ("players", "kick", "ban", "say", "whisper")  # none of srcds
    assert GAMES["squad"].console is not None
    assert GAMES["squad"].console.actions["say"] == ("AdminBroadcast {message}",)
    assert GAMES["ark"].console is not None
    assert GAMES["ark"].console.actions["say"] == ("ServerChat {message}",)
    assert GAMES["conan"].actions == ()  # Source RCON, exec only
    assert GAMES["valheim"].actions == ()
    assert set(CONSOLES["srcds"].actions) <= set(ACTIONS) | {"ban_offline", "unban_offline"}


def test_hidden_names_and_probe_ports() -> None:
    assert GAMES["dayz"].hides_player_names
    assert not GAMES["cs2"].hides_player_names
    assert GAMES["rust"].probe_ports_for(28015) == [28017, 28015, 28016]
    assert GAMES["ark"].probe_ports_for(7777) == [27015]


def test_every_profile_is_a_protocol_profile() -> None:
    from bot.protocols.rcon.profiles import get_profile

    for game in GAMES.values():
        if game.rcon_profile is not None:
            assert get_profile(game.rcon_profile).name == game.rcon_profile


def test_render() -> None:
    assert render('kickid {id}[ "{reason}"]', {"id": "3"}) == "kickid 3"
    assert render('kickid {id}[ "{reason}"]', {"id": "3", "reason": "afk"}) == 'kickid 3 "afk"'
    assert render("kick {id} {reason|Banned}", {"id": "3"}) == "kick 3 Banned"


def test_a_good_row_parses() -> None:
    catalogue = parse(_CONSOLE + _GOOD_ROW)
    assert catalogue.games["good"].actions == ("say",)


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ('[games.bad]\nname = "Bad"\nsource = "x"\n', "game_port"),
        ('[games.bad]\nname = "Bad"\ngame_port = 70000\nsource = "x"\n', "game_port"),
        ('[games.bad]\nname = ""\ngame_port = 1\nsource = "x"\n', "name"),
        ('[games.bad]\nname = "Bad"\ngame_port = 1\n', "source"),
        (
            '[games.bad]\nname = "Bad"\ngame_port = 1\nquery_port = "*2"\nsource = "x"\n',
            "query_port",
        ),
        (
            '[games.bad]\nname = "Bad"\ngame_port = 1\nquery_protocol = "gopher"\nsource = "x"\n',
            "query_protocol",
        ),
        ('[games.bad]\nname = "Bad"\ngame_port = 1\ncolour = "red"\nsource = "x"\n', "colour"),
        (
            '[games.bad]\nname = "Bad"\ngame_port = 1\nsource = "x"\n'
            'admin = { protocol = "telnet", port = 1 }\n',
            "admin.protocol",
        ),
        (
            '[games.bad]\nname = "Bad"\ngame_port = 1\nsource = "x"\n'
            'admin = { protocol = "source_rcon", port = "same", console = "nope" }\n',
            "admin.console",
        ),
        (
            '[games.bad]\nname = "Bad"\ngame_port = 1\nsource = "x"\n'
            'admin = { protocol = "battleye", port = "same", console = "srcds" }\n',
            "admin.console",
        ),
        (
            '[games.bad]\nname = "Bad"\ngame_port = 1\nsource = "x"\n'
            'admin = { protocol = "source_rcon", port = "same", profile = "quake" }\n',
            "admin.profile",
        ),
        (
            '[games.bad]\nname = "Bad"\ngame_port = 1\nsource = "x"\n'
            'admin = { protocol = "source_rcon", port = "same", console = "srcds" }\n'
            'actions = { dance = ["dance"] }\n',
            "actions.dance",
        ),
        (
            '[games.bad]\nname = "Bad"\ngame_port = 1\nsource = "x"\n'
            'admin = { protocol = "source_rcon", port = "same", console = "srcds" }\n'
            'actions = { say = ["say {password}"] }\n',
            "actions.say",
        ),
        ('[games.bad]\nname = "Bad"\ngame_port = 1\nsource = "x"\naliases = ["good"]\n', "aliases"),
        ('[games.Bad]\nname = "Bad"\ngame_port = 1\nsource = "x"\n', "key"),
    ],
)
def test_a_broken_row_names_the_row_and_the_field(row: str, field: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse(_CONSOLE + _GOOD_ROW + row)
    assert caught.value.row.casefold() == "bad"
    assert caught.value.field == field
    assert repr(field) in str(caught.value)


def test_a_console_with_player_actions_must_read_the_player_list() -> None:
    broken = '[consoles.x]\nprotocol = "source_rcon"\n[consoles.x.actions]\nkick = ["kick {id}"]\n'
    with pytest.raises(CatalogueError) as caught:
        parse(broken + _GOOD_ROW.replace('console = "srcds"', 'console = "x"'))
    assert (caught.value.row, caught.value.field) == ("consoles.x", "player_list")
