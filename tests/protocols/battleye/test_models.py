"""Parsers of the players / bans / admins / missions outputs."""

from __future__ import annotations

from bot.protocols.battleye.models import (
    Admin,
    Ban,
    Player,
    parse_admins,
    parse_bans,
    parse_missions,
    parse_players,
)

PLAYERS = """Players on server:
[#] [IP Address]:[Port] [Ping] [GUID] [Name]
--------------------------------------------------
0   1.2.3.4:2304          47   394e2c09af98b00fd4094f86c7921622(OK) Spam
1   2.3.4.5:2316          125  d93ed2257011b47e67fa53e824b60ca5(?) [TAG] H8m (Lobby)
12  10.0.0.7:2304         0    -(?) Ünïcødé: name
(3 players in total)"""


def test_players() -> None:
    assert parse_players(PLAYERS) == [
        Player(0, "Spam", "1.2.3.4", 2304, 47, "394e2c09af98b00fd4094f86c7921622", True, False),
        Player(
            1, "[TAG] H8m", "2.3.4.5", 2316, 125, "d93ed2257011b47e67fa53e824b60ca5", False, True
        ),
        Player(12, "Ünïcødé: name", "10.0.0.7", 2304, 0, "", False, False),
    ]
    assert parse_players(PLAYERS)[0].addr == "1.2.3.4:2304"


def test_players_split_only_on_cr_and_lf() -> None:
    # A name holding U+0085 or U+2028 must neither vanish nor forge a second row.
    names = ["Spa\x85m", "Bo\u2028b", "C\u2029d", "D\x1ce"]
    rows = [
        f"{i}   1.2.3.4:2304   47   394e2c09af98b00fd4094f86c7921622(OK) {n}"
        for i, n in enumerate(names)
    ]
    text = "\r\n".join(["Players on server:", *rows, "(4 players in total)"])
    assert [p.name for p in parse_players(text)] == names


BANS = """GUID Bans:
[#] [GUID] [Minutes left] [Reason]
----------------------------------------
0  394e2c09af98b00fd4094f86c7921622 perm Cheating
1  d93ed2257011b47e67fa53e824b60ca5 15 Toxic (chat)

IP Bans:
[#] [IP Address] [Minutes left] [Reason]
----------------------------------------------
2  1.2.3.4         -    expired one
3  5.6.7.8         perm"""


def test_bans() -> None:
    assert parse_bans(BANS) == [
        Ban(0, "394e2c09af98b00fd4094f86c7921622", "guid", None, "Cheating"),
        Ban(1, "d93ed2257011b47e67fa53e824b60ca5", "guid", 15, "Toxic (chat)"),
        Ban(2, "1.2.3.4", "ip", -1, "expired one"),
        Ban(3, "5.6.7.8", "ip", None, ""),
    ]


def test_admins_and_missions() -> None:
    text = "Connected RCon admins:\n[#] [IP Address]:[Port]\n-----\n0 1.2.3.4:1234\n1 2.3.4.5:2345"
    assert parse_admins(text) == [Admin(0, "1.2.3.4", 1234), Admin(1, "2.3.4.5", 2345)]
    assert parse_admins(text)[1].addr == "2.3.4.5:2345"
    missions = "Missions on server:\nMP_Bootcamp_01.Altis\ndayzOffline.chernarusplus\n"
    assert parse_missions(missions) == ["MP_Bootcamp_01.Altis", "dayzOffline.chernarusplus"]


def test_garbage_lines_are_skipped() -> None:
    assert parse_players("nothing here\n(0 players in total)") == []
    assert parse_bans("GUID Bans:\nbroken") == []
