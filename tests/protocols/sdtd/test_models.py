"""``lp`` rows and ``ban list`` rows, from the notes' samples and their known traps."""

from __future__ import annotations

from bot.protocols.sdtd import Ban, Player, parse_bans, parse_players, parse_total

# protocol notes II, section 8.
NOTES_ROW = (
    "0. id=171, Revlin McAwesome, pos=(-933.9, 76.1, 1757.7), rot=(0.0, -117.7, 0.0), "
    "remote=True, health=73, deaths=12, zombies=47, players=0, score=776, level=31, "
    "steamid=76561198012345678, ip=1.2.3.4, ping=25"
)


def test_the_notes_row() -> None:
    [player] = parse_players(NOTES_ROW + "\r\nTotal of 1 in the game\r\n")
    assert player.entity_id == 171
    assert player.name == "Revlin McAwesome"
    assert player.position == (-933.9, 76.1, 1757.7)
    assert (player.health, player.level, player.deaths, player.score) == (73, 31, 12, 776)
    assert (player.zombie_kills, player.player_kills) == (47, 0)
    assert (player.steam_id, player.ip, player.ping) == ("76561198012345678", "1.2.3.4", 25)
    assert player.platform_id == player.cross_id == ""
    assert player.admin_id == "76561198012345678"
    assert player.raw["rot"] == "(0.0, -117.7, 0.0)" and player.raw["remote"] == "True"


def test_names_with_commas_spaces_and_non_ascii_survive() -> None:
    # jwshive's [^,]+ and gamedig's [^,]* both break on these.
    row = NOTES_ROW.replace("Revlin McAwesome", "Jürgen, the 2nd, pos=(x")
    [player] = parse_players(row)
    assert player.name == "Jürgen, the 2nd, pos=(x"
    assert player.position == (-933.9, 76.1, 1757.7)


def test_a_1x_row_with_platform_and_cross_ids() -> None:
    row = NOTES_ROW.replace(
        "steamid=76561198012345678",
        "pltfmid=Steam_76561198028175941, crossid=EOS_0002b5d970954287afdcb5dc35af0424",
    )
    [player] = parse_players(row)
    assert player.platform_id == "Steam_76561198028175941"
    assert player.cross_id == "EOS_0002b5d970954287afdcb5dc35af0424"
    assert player.steam_id == ""
    assert player.admin_id == "EOS_0002b5d970954287afdcb5dc35af0424"


def test_colour_markup_in_names_is_stripped() -> None:
    [player] = parse_players(NOTES_ROW.replace("Revlin McAwesome", "[94CBFF]ELITE[-] Hazmat"))
    assert player.name == "ELITE Hazmat"


def test_rows_with_missing_columns_and_other_lines() -> None:
    text = "\n".join(
        [
            "2024-01-01T00:00:00 1.000 INF Executing command 'lp' by Telnet from 1.2.3.4:5",
            "1. id=9, Short, pos=(1.0, 2.0, 3.0)",
            "2. id=10, , pos=(1.0, 2.0)",
            "junk",
            "3. id=11, NoPos, rot=(0, 0, 0)",
            "Total of 2 in the game",
        ]
    )
    assert parse_players(text) == [
        Player(9, "Short", (1.0, 2.0, 3.0), fields=(("pos", "(1.0, 2.0, 3.0)"),)),
        Player(10, "", None, fields=(("pos", "(1.0, 2.0)"),)),
    ]
    assert parse_total(text) == 2


def test_huge_numbers_do_not_raise() -> None:
    row = NOTES_ROW.replace("health=73", "health=" + "9" * 5000).replace("(-933.9", "(1e999")
    [player] = parse_players(row)
    assert player.health is None and player.position is None


def test_total_accepts_any_count() -> None:
    assert parse_total("Total of 0 in the game") == 0
    assert parse_total("Total of 137 in the game\r\n") == 137
    assert parse_total("nothing") is None
    assert parse_total("Total of 3 keystones in the game") is None


def test_ban_list_rows() -> None:
    text = (
        "Ban list entries:\n"
        "  2027-01-02 03:04:05 - EOS_0002b5d970954287afdcb5dc35af0424 (Cata) - griefing (again)\n"
        "  2027-02-03 00:00:00 - 76561198012345678 () - \n"
        "not a row\n"
    )
    assert parse_bans(text) == [
        Ban(
            "2027-01-02 03:04:05",
            "EOS_0002b5d970954287afdcb5dc35af0424",
            "Cata",
            "griefing (again)",
        ),
        Ban("2027-02-03 00:00:00", "76561198012345678", "", ""),
    ]
