"""The ban list's pure parts: identifiers and their console forms, the native commands of each
console, lengths, and the import/export formats (including hostile files)."""

from __future__ import annotations

import json

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.catalogue import CONSOLES, GAMES, CatalogueError, parse
from bot.services.bans import identity, native
from bot.services.bans.duration import parse_minutes, shown
from bot.services.bans.enforce import same_player
from bot.services.bans.transfer import (
    MAX_IMPORT_BYTES,
    BanImportError,
    export_csv,
    export_json,
)
from bot.services.bans.transfer import parse as parse_import
from bot.services.errors import UserError
from bot.storage.bans import Ban
from bot.storage.players import Identifier

STEAM = "76561198017965694"
# A published SteamID64 -> BattlEye GUID pair (the converter example in
# Pavlin71/SteamID64-to-BattleyeGUID): MD5 of "BE" and the id's bytes, little-endian.
STEAM_GUID = "f8960b9fd7cf711046c1df2ab8d534b2"
NOW = 1_800_000_000.0


def ban(
    *idents: Identifier, label: str = "Hans", reason: str = "Cheating", minutes: int | None = None
) -> Ban:
    return Ban(
        id=7,
        guild_id=1,
        player_id=None,
        label=label,
        reason=reason,
        created_at=NOW,
        created_by=5,
        created_by_name="mod",
        expires_at=None if minutes is None else NOW + minutes * 60,
        all_servers=True,
        lifted_at=None,
        lifted_by=None,
        lift_reason=None,
        identifiers=tuple(idents) or tuple(identity.with_derived([Identifier("steam", STEAM)])),
    )


def test_the_battleye_guid_of_a_steamid() -> None:
    assert identity.battleye_guid(STEAM) == STEAM_GUID
    assert identity.steam2("76561197960265729") == "STEAM_0:1:0"
    assert identity.steam2(STEAM) == "STEAM_0:0:28849983"


@pytest.mark.parametrize(
    ("typed", "kinds"),
    [
        (STEAM, ["steam", "guid"]),
        ("STEAM_1:0:28849983", ["steam", "guid"]),
        ("[U:1:57699966]", ["steam", "guid"]),
        (STEAM_GUID.upper(), ["guid", "eos"]),  # 32 hex: either; consoles take theirs
        ("EOS_" + "a" * 32, ["eos"]),
        ("069a79f4-44e9-4726-a5be-fca90e38aaf5", ["mc_uuid"]),
        ("Notch", []),
        ("#3", []),
    ],
)
def test_what_a_typed_player_can_be(typed: str, kinds: list[str]) -> None:
    assert [i.kind for i in identity.typed_identifiers(typed)] == kinds


def test_a_steam_ban_goes_to_each_console_in_its_own_form() -> None:
    b = ban(reason="Aimbot")
    assert native.ban_commands(CONSOLES["srcds"], b, NOW) == (
        "banid 0 STEAM_0:0:28849983",
        "writeid",
    )
    assert native.ban_commands(CONSOLES["battleye"], b, NOW) == (f"addBan {STEAM_GUID} 0 Aimbot",)
    assert native.ban_commands(CONSOLES["rust"], b, NOW) == (f'banid {STEAM} "" "Aimbot"',)
    assert native.ban_commands(CONSOLES["sdtd"], b, NOW) == (
        f'ban add Steam_{STEAM} 5256000 minutes "Aimbot"',
    )
    assert native.ban_commands(CONSOLES["ark"], b, NOW) == (f"BanPlayer {STEAM}",)
    assert native.ban_commands(CONSOLES["palworld_rest"], b, NOW) == (f"ban steam_{STEAM} Aimbot",)
    # Squad has no ban for a player who is not online; Minecraft bans by name only.
    assert native.ban_commands(CONSOLES["squad"], b, NOW) is None
    assert native.ban_commands(CONSOLES["minecraft"], b, NOW) is None
    assert native.unban_commands(CONSOLES["srcds"], b) == ("removeid STEAM_0:0:28849983", "writeid")
    assert native.unban_commands(CONSOLES["rust"], b) == (f"unban {STEAM}",)


def test_a_timed_ban_sends_the_minutes_left() -> None:
    b = ban(minutes=90)
    assert native.ban_commands(CONSOLES["battleye"], b, NOW + 30 * 60 + 1) == (
        f"addBan {STEAM_GUID} 60 Cheating",
    )
    assert native.ban_commands(CONSOLES["sdtd"], b, NOW)[0].startswith(f"ban add Steam_{STEAM} 90 ")  # type: ignore[index]


def test_a_minecraft_name_ban_and_its_pardon() -> None:
    b = ban(Identifier("name", "notch"), label="Notch", reason="Griefing")
    assert native.ban_commands(CONSOLES["minecraft"], b, NOW) == ("ban Notch Griefing",)
    assert native.unban_commands(CONSOLES["minecraft"], b) == ("pardon Notch",)
    # A label that is not a Minecraft name never reaches a command.
    hostile = ban(Identifier("name", "x"), label="Bob; op Bob")
    assert native.ban_commands(CONSOLES["minecraft"], hostile, NOW) is None


def test_a_reason_that_could_end_a_command_is_left_out() -> None:
    b = ban(reason='x"; quit')
    assert native.ban_commands(CONSOLES["battleye"], b, NOW) == (f"addBan {STEAM_GUID} 0",)


def test_battleye_unbans_by_the_numbers_of_the_guids_rows() -> None:
    listing = "\n".join(
        [
            "GUID Bans:",
            "[#] [GUID] [Minutes left] [Reason]",
            "-" * 40,
            f"0   {'1' * 32} perm Other",
            f"1   {STEAM_GUID} perm Cheating",
            f"2   {STEAM_GUID} 55 Again",
            f"3   {STEAM_GUID}x perm forged",
        ]
    )
    assert native.battleye_ban_numbers(listing, STEAM_GUID) == ["2", "1"]
    assert native.needs_ban_number(CONSOLES["battleye"])
    assert not native.needs_ban_number(CONSOLES["srcds"])
    assert native.unban_commands(CONSOLES["battleye"], ban(), "2") == ("removeBan 2",)
    assert native.unban_commands(CONSOLES["battleye"], ban()) is None


def test_every_game_with_a_ban_list_command_has_its_unban() -> None:
    for game in GAMES.values():
        console = game.console
        if console is None:
            continue
        assert console.supports("ban_offline") == console.supports("unban_offline"), game.key
        if console.ban_expires:
            assert console.supports("ban_offline"), game.key


@pytest.mark.parametrize(
    "console",
    [
        '[consoles.x]\nprotocol = "battleye"\nban_expires = true\n',
        '[consoles.x]\nprotocol = "battleye"\n[consoles.x.actions]\n'
        'ban_offline = ["addBan {guid} 0"]\n',
        '[consoles.x]\nprotocol = "battleye"\nban_expires = "yes"\n',
    ],
)
def test_a_broken_ban_list_console_is_named(console: str) -> None:
    row = (
        '[games.bad]\nname = "Bad"\ngame_port = 1\nsource = "x"\n'
        'admin = { protocol = "battleye", port = "same", console = "x" }\n'
    )
    with pytest.raises(CatalogueError) as caught:
        parse(console + row)
    assert caught.value.row == "consoles.x"


def test_lengths() -> None:
    assert parse_minutes("") is None
    assert parse_minutes("perm") is None
    assert parse_minutes("30m") == 30
    assert parse_minutes("12h") == 720
    assert parse_minutes("7d") == 10080
    assert parse_minutes("2W") == 20160
    assert parse_minutes("45") == 45
    for bad in ("-5", "1y", "h", "99999999999", "5 days ago"):
        with pytest.raises(UserError):
            parse_minutes(bad)
    assert [shown(m) for m in (None, 90, 120, 1440, 10080)] == [
        "permanent",
        "90m",
        "2h",
        "1d",
        "1w",
    ]


def test_who_a_seen_player_is() -> None:
    by_steam = ban()
    seen_steam = identity.seen_identifiers("Anyone", uid=STEAM)
    assert same_player(by_steam, seen_steam)
    # The GUID BattlEye shows is the one derived from the SteamID.
    assert same_player(by_steam, identity.seen_identifiers("x", guid=STEAM_GUID))
    # A name never stands for a ban keyed by ids...
    assert not same_player(ban(label="Hans"), identity.seen_identifiers("Hans"))
    # ...but is the identity of a Minecraft name ban, where the console shows only names.
    notch = ban(Identifier("name", "notch"), label="Notch")
    assert same_player(notch, identity.seen_identifiers("NOTCH"))
    # And a player with a SteamID is not a name ban's player by name.
    assert not same_player(notch, identity.seen_identifiers("Notch", uid=STEAM))


# -- import and export -----------------------------------------------------------------------


def test_battleye_bans_txt() -> None:
    text = "\n".join(
        [
            f"{STEAM_GUID} -1 Cheating",
            f"{'2' * 32} {int(NOW) + 3600} Toxic; chat",
            f"{'3' * 32} {int(NOW) - 60} ended",
            "1.2.3.4 -1 VPN",
            "garbage line",
            "",
            "// a comment",
        ]
    )
    result = parse_import("bans.txt", text.encode(), NOW)
    assert [(b.identifiers[0].value, b.expires_at, b.reason) for b in result.bans] == [
        (STEAM_GUID, None, "Cheating"),
        ("2" * 32, NOW + 3600, "Toxic chat"),  # ";" would chain a command: cleaned
    ]
    assert (result.expired, result.ip_only, result.skipped) == (1, 1, 1)


def test_minecraft_banned_players_json() -> None:
    data = [
        {
            "uuid": "069a79f4-44e9-4726-a5be-fca90e38aaf5",
            "name": "Notch",
            "created": "2024-01-01 10:00:00 +0000",
            "source": "Server",
            "expires": "forever",
            "reason": "Banned by an operator.",
        },
        {"uuid": "x", "name": "bad name!", "expires": "forever"},
        {
            "uuid": "853c80ef-3c37-49fd-aa49-938b674adae6",
            "name": "jeb_",
            "expires": "2020-01-01 00:00:00 +0000",
        },
        "not an object",
    ]
    result = parse_import("banned-players.json", json.dumps(data).encode(), NOW)
    (notch,) = result.bans
    assert notch.label == "Notch"
    assert {i.kind for i in notch.identifiers} == {"mc_uuid", "name"}
    assert (result.skipped, result.expired) == (2, 1)


def test_an_export_imports_again() -> None:
    bans = [ban(minutes=600), ban(Identifier("name", "notch"), label="Notch")]
    for exported, name in (
        (export_csv(bans, NOW), "bans.csv"),
        (export_json(bans, NOW), "bans.json"),
    ):
        result = parse_import(name, exported, NOW)
        assert [(b.label, b.identifiers, b.expires_at) for b in result.bans] == [
            ("Hans", bans[0].identifiers, NOW + 36000),
            ("Notch", bans[1].identifiers, None),
        ]


def test_a_csv_export_never_holds_a_formula() -> None:
    exported = export_csv([ban(label="=HYPERLINK(1)", reason="+1")], NOW).decode()
    assert "'=HYPERLINK(1)" in exported and ",'+1," in exported


def test_hostile_import_files_are_refused() -> None:
    with pytest.raises(BanImportError):
        parse_import("bans.txt", b"x" * (MAX_IMPORT_BYTES + 1), NOW)
    with pytest.raises(BanImportError):
        parse_import("bans.txt", b"\xff\xfe\x00", NOW)
    with pytest.raises(BanImportError):
        parse_import("x.json", b"{" * 100_000, NOW)
    with pytest.raises(BanImportError):
        parse_import("x.csv", b"a,b\n1,2\n", NOW)


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=2000),
    st.sampled_from(["bans.txt", "a.json", "b.csv", "banned-players.json"]),
)
@example(b"\r\x00", "b.csv")  # csv.Error once escaped as an internal error
def test_any_file_gives_bans_or_a_refusal(data: bytes, name: str) -> None:
    try:
        result = parse_import(name, data, NOW)
    except BanImportError:
        return
    for b in result.bans:
        assert b.identifiers and native.reason_ok(b.reason) and len(b.reason) <= 120


def test_a_file_the_csv_module_refuses_is_a_refusal_not_a_crash() -> None:
    # One field past the csv module's own field limit (128 KiB), inside the 2 MB file limit.
    data = b'identifiers,reason\r\n"' + b"a" * 200_000 + b'",x\r\n'
    with pytest.raises(BanImportError) as refused:
        parse_import("b.csv", data, NOW)
    assert refused.value.key == "banlist.not_csv"


def test_csv_lines_may_end_in_a_bare_carriage_return() -> None:
    data = b"identifiers,reason\rsteam:76561198000000001,cheating\r"
    result = parse_import("b.csv", data, NOW)
    assert [b.reason for b in result.bans] == ["cheating"] and result.skipped == 0
