from __future__ import annotations

import pytest

from bot.games import GAMES, RconKind, get_game, search_games


@pytest.mark.parametrize(
    ("key", "game_port", "query", "rcon_kind", "rcon_port"),
    [
        ("dayz", 2302, 27016, RconKind.BATTLEYE, 2305),
        ("dayz", 2402, 27016, RconKind.BATTLEYE, 2405),
        ("arma3", 2302, 2303, RconKind.BATTLEYE, 2305),
        ("squad", 7787, 27165, RconKind.SOURCE, 21114),
        ("arma_reforger", 2001, 17777, RconKind.BATTLEYE, 19999),
        ("cs2", 27015, 27015, RconKind.SOURCE, 27015),
        ("tf2", 27020, 27020, RconKind.SOURCE, 27020),
        ("valheim", 2456, 2457, RconKind.NONE, None),
    ],
)
def test_port_rules(
    key: str, game_port: int, query: int, rcon_kind: RconKind, rcon_port: int | None
) -> None:
    game = get_game(key)
    assert game is not None
    assert game.query_port_for(game_port) == query
    assert game.rcon is rcon_kind
    assert game.rcon_port_for(game_port) == rcon_port


def test_source_games_default_to_27015() -> None:
    for key in ("cs2", "csgo", "css", "tf2", "gmod", "l4d2"):
        game = GAMES[key]
        assert game.default_port == 27015
        assert game.query_port_for(27015) == 27015


def test_offsets_stay_valid_ports() -> None:
    assert GAMES["arma3"].query_port_for(65535) == 65535
    assert GAMES["dayz"].rcon_port_for(65534) == 65535


def test_table_is_consistent() -> None:
    assert len({g.name for g in GAMES.values()}) == len(GAMES)
    for game in GAMES.values():
        assert 1 <= game.default_port <= 65535
        assert game.name and len(game.name) <= 100  # autocomplete choice name limit
        assert game.key == game.key.lower() and len(game.key) <= 100


def test_search() -> None:
    # The catalogue holds 150 games: prefix matches on the name come before the rest.
    day = [g.key for g in search_games("day")]
    assert {"dayz", "7dtd", "dod", "dods", "doi"} <= set(day)
    assert day.index("dayz") < day.index("7dtd")  # name prefix before a match inside
    names = [g.name for g in search_games("counter")]
    assert {"Counter-Strike 2", "Counter-Strike: Source", "Counter-Strike 1.6"} <= set(names)
    assert names == sorted(names, key=str.casefold)
    assert {"arma2", "arma2oa", "arma3"} <= {g.key for g in search_games("arma")[:3]}
    assert len(search_games("")) == min(25, len(GAMES))
    assert search_games("no such game") == []
    assert get_game("nope") is None


def test_search_finds_aliases_and_exact_names_first() -> None:
    assert [g.key for g in search_games("pz")] == ["project_zomboid"]
    assert search_games("sandstorm")[0].key == "insurgency_sandstorm"
    assert search_games("cs")[0].key == "cs2"  # an exact alias beats name prefixes
