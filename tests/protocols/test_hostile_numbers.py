"""Numbers as a hostile server writes them: other scripts' digits, "²" (a digit to
``str.isdigit()``, not to ``int()``) and runs past ``int()``'s 4,300-digit limit. Every parser
that turns a server's digits into an int gives a bounded value or skips the field; none raises."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.a2s import info_to_server
from bot.protocols.a2s import games, packets
from bot.protocols.battleye.events import PlayerConnect, parse_message
from bot.protocols.battleye.models import parse_admins, parse_bans, parse_players
from bot.protocols.text_checks import ascii_int
from bot.protocols.webrcon.models import parse_playerlist
from tests.fakes.a2s_server import InfoSpec, encode_info

GUID = "394e2c09af98b00fd4094f86c7921622"
LONG = "9" * 5000

# What a server may put where a number belongs.
numbers = st.one_of(
    st.integers(0, 10**12).map(str),
    st.sampled_from(["²", "³", "١٢٣", "١٢٣٤٥", "٢٣٠٢", "0", "-1", "", LONG, "1" + LONG]),
    st.text(alphabet="0123456789²١٢", min_size=1, max_size=12),
)


@pytest.mark.parametrize(
    ("text", "digits", "expected"),
    [
        ("0", 1, 0),
        ("27015", 5, 27015),
        ("007", 3, 7),
        ("123456", 5, None),  # more digits than allowed
        ("", 5, None),
        ("²", 5, None),  # isdigit() says yes; int() refuses it
        ("١٢", 5, None),  # Arabic-Indic digits: int() reads them, a console would not
        ("-1", 5, None),
        (" 1", 5, None),
        (LONG, 9, None),
    ],
)
def test_ascii_int(text: str, digits: int, expected: int | None) -> None:
    assert ascii_int(text, digits) == expected


@given(numbers, numbers)
def test_battleye_event_lines_never_raise(first: str, second: str) -> None:
    for line in (
        f"Player #{first} Bob disconnected",
        f"Player #{first} Bob (1.2.3.4:{second}) connected",
        f"Player #{first} Bob - BE GUID: {GUID}",
        f"Verified GUID ({GUID}) of player #{first} Bob",
        f"RCon admin #{first} (1.2.3.4:{second}) logged in",
        f"RCon admin #{first}: (Global) hello",
        f"Player #{first} Bob ({GUID}) has been kicked by BattlEye: Admin Kick",
    ):
        event = parse_message(line)
        if isinstance(event, PlayerConnect):
            assert 0 <= event.player_id < 10**9 and 0 <= event.port < 100_000


def test_a_5000_digit_player_number_is_not_a_player_event() -> None:
    line = f"Player #{LONG} Bob (1.2.3.4:2302) connected"
    assert not isinstance(parse_message(line), PlayerConnect)


@given(numbers, numbers, numbers)
def test_battleye_listings_never_raise(first: str, second: str, third: str) -> None:
    players = parse_players(f"{first}   1.2.3.4:{second} {third} {GUID}(OK) Spam")
    bans = parse_bans(f"GUID Bans:\n{first} {GUID} {second} cheating\n{third} {GUID} perm")
    admins = parse_admins(f"{first} 1.2.3.4:{second}")
    for player in players:
        assert 0 <= player.id < 10**9 and 0 <= player.port < 100_000
    assert all(0 <= ban.index < 10**9 for ban in bans)
    assert all(0 <= admin.port < 100_000 for admin in admins)


@given(numbers)
def test_a2s_keyword_counts_never_raise(number: str) -> None:
    clock = f"{number[:2]}:{number[:2]}"
    keywords = f"mp{number},cp{number},lqs{number},etm{number},entm{number},{clock}"
    assert 0 <= games.rust_count(keywords, "mp", 7) < 10**9
    dayz = games.parse_dayz_keywords(keywords)
    assert dayz.queue is None or 0 <= dayz.queue < 10**9


def test_a_source_server_with_a_superscript_in_its_keywords_still_reads() -> None:
    # Any Source server (not only Rust) carries keywords; "mp²" once broke the whole answer.
    message = encode_info(InfoSpec(keywords="mp²,cp5,lqs" + LONG, player_count=3, max_players=9))
    info: Any = packets.decode_info(message, "utf-8", 0.05)
    status = info_to_server(info, None, 50.0)
    assert (status.players, status.max_players) == (5, 9)  # cp5 read, mp² ignored
    assert games.parse_dayz_keywords(info.keywords).queue is None


@given(numbers)
def test_rust_player_addresses_never_raise(port: str) -> None:
    listing = f'[{{"SteamID": "76561198000000001", "Address": "1.2.3.4:{port}"}}]'
    (player,) = parse_playerlist(listing)
    assert 0 <= player.port < 100_000
    assert player.ip.startswith("1.2.3.4")
