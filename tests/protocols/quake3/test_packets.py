"""Requests and responses as bytes: the notes' example and the per-game variants."""

from __future__ import annotations

import pytest

from bot.protocols.quake3 import (
    OOB,
    InfoQuery,
    Q3ChallengeMismatchError,
    Q3MalformedError,
    StatusQuery,
    decode_info,
    decode_status,
    encode_getinfo,
    encode_getstatus,
    parse_player_line,
)
from bot.protocols.quake3.packets import MAX_NAME_CHARS, MAX_PLAYERS, MAX_RESPONSE_SIZE
from tests.fakes.quake3_server import NOTES_STATUS, encode_info, encode_status, parse_request


def test_requests() -> None:
    assert encode_getstatus("abc123") == b"\xff\xff\xff\xffgetstatus abc123"
    assert encode_getinfo("xxx") == b"\xff\xff\xff\xffgetinfo xxx"
    assert parse_request(encode_getstatus("abc123")) == ("getstatus", "abc123")


@pytest.mark.parametrize("challenge", ["", "a b", "a\\b", 'a"b', "a;b", "x" * 129, "é"])
def test_challenges_the_engine_would_mangle_are_refused(challenge: str) -> None:
    with pytest.raises(ValueError):
        encode_getstatus(challenge)


def test_the_notes_status_response() -> None:
    status = decode_status(NOTES_STATUS)
    assert status.hostname == "EU Race" and status.hostname_raw == "^1EU^7 Race"
    assert status.map == "aurora-speed1" and status.max_players == 16
    ((player,),) = (status.players,)
    assert (player.score, player.ping, player.name, player.name_raw) == (12, 48, "Nova", "^1No^7va")
    assert status.challenge is None and not status.truncated
    assert dict(status.info) == {
        "sv_hostname": "^1EU^7 Race",
        "mapname": "aurora-speed1",
        "sv_maxclients": "16",
    }


def test_ioq3_info_response() -> None:
    info = decode_info(
        encode_info(
            {
                "challenge": "c1",
                "protocol": "71",
                "hostname": "^3Yellow",
                "mapname": "q3dm6",
                "clients": "5",
                "g_humanplayers": "3",
                "sv_maxclients": "12",
                "gametype": "3",
                "g_needpass": "1",
                "gamename": "baseioq3",
            }
        )
    )
    assert (info.hostname, info.map, info.clients, info.humans, info.bots) == (
        "Yellow",
        "q3dm6",
        5,
        3,
        2,
    )
    assert info.max_players == 12 and info.needs_password is True and info.protocol == 71
    assert info.challenge == "c1" and info.gametype == "3" and info.game == "baseioq3"


def test_wolfenstein_et_variant() -> None:
    # ET: statusResponse carries `version`; infoResponse says `humans` and `needpass`.
    status = decode_status(
        encode_status(
            {"sv_hostname": "^4ET^7 server", "version": "ET Legacy v2.82.0", "gamename": "etmain"},
            [(10, 999, "^2connecting"), (0, 0, "[BOT]Gunner")],
        )
    )
    assert status.version == "ET Legacy v2.82.0" and status.game == "etmain"
    assert status.players[0].connecting and not status.players[1].connecting
    info = decode_info(encode_info({"humans": "1", "clients": "3", "needpass": "0"}))
    assert (info.humans, info.bots, info.needs_password) == (1, 2, False)


def test_call_of_duty_variant() -> None:
    # CoD: `shortversion`, `g_gametype`, password flag `pswrd`; getinfo says `hostname`.
    status = decode_status(
        encode_status(
            {
                "sv_hostname": "^1CoD4 ^7Server",
                "shortversion": "1.7",
                "g_gametype": "war",
                "pswrd": "1",
                "mapname": "mp_crash",
                "sv_maxclients": "24",
                "protocol": "6",
            },
            [(3, 50, "Soap")],
        )
    )
    assert (status.version, status.gametype, status.needs_password) == ("1.7", "war", True)
    assert status.max_players == 24 and status.protocol == 6
    info = decode_info(encode_info({"hostname": "CoD4 Server", "gametype": "war", "pswrd": "0"}))
    assert info.hostname == "CoD4 Server" and info.needs_password is False


def test_urban_terror_variant() -> None:
    # UrT is ioq3 based: the same keys, with mod-specific extras kept in `info`.
    status = decode_status(
        encode_status(
            {"sv_hostname": "^7Ur^4T", "g_gametype": "7", "g_needpass": "0", "auth": "1"},
            [(2, 60, "^7Player^3One")],
        )
    )
    assert status.hostname == "UrT" and status.needs_password is False
    assert status.info["auth"] == "1" and status.players[0].name == "PlayerOne"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('12 48 "^1No^7va"', (12, 48, "Nova", "")),
        ('-5 999 "Neg"', (-5, 999, "Neg", "")),
        ('1 2 "quo"te"', (1, 2, 'quo"te', "")),  # other engines may let " into names
        ('3 4 "dp" 2', (3, 4, "dp", "2")),  # DarkPlaces appends the team
        ("5 6 unquoted name", (5, 6, "unquoted name", "")),
        ('7 8 "unterminated', (7, 8, "unterminated", "")),
        ("9 10", (9, 10, "", "")),
        ('  1   2   "spaced"  \r', (1, 2, "spaced", "")),
    ],
)
def test_player_lines(line: str, expected: tuple[int, int, str, str]) -> None:
    player = parse_player_line(line)
    assert player is not None
    assert (player.score, player.ping, player.name, player.extra) == expected


@pytest.mark.parametrize("line", ["", "abc", '1 "x"', "12345678901 1 x", "1x 2 y"])
def test_lines_that_are_not_players(line: str) -> None:
    assert parse_player_line(line) is None


def test_bounds() -> None:
    many = [(1, 1, f"p{i}") for i in range(MAX_PLAYERS + 10)]
    status = decode_status(encode_status({"a": "b"}, many))
    assert len(status.players) == MAX_PLAYERS and status.truncated
    long_name = decode_status(encode_status({}, [(1, 1, "n" * 1000)]))
    assert len(long_name.players[0].name_raw) == MAX_NAME_CHARS
    with pytest.raises(Q3MalformedError) as info:
        decode_status(encode_status({"pad": "x" * MAX_RESPONSE_SIZE}, []))
    assert info.value.reason == "oversized"


def test_a_long_line_of_spaces_is_parsed_in_linear_time() -> None:
    # A lazy group before a trailing \s* would take minutes here.
    line = "1 1 a" + " " * 30000 + "b"
    player = parse_player_line(line)
    assert player is not None and player.name_raw.startswith("a")


@pytest.mark.parametrize(
    ("datagram", "reason"),
    [
        (b"statusResponse\n\\a\\b", "not out-of-band"),
        (b"", "not out-of-band"),
        (OOB + b"print\nbad rconpassword.\n", "unexpected packet"),
        (OOB + b"infoResponse\n\\a\\b", "unexpected packet"),
        (OOB + b"disconnect", "unexpected packet"),
        (OOB + b"\xff\xfe", "unexpected packet"),
    ],
)
def test_refusals(datagram: bytes, reason: str) -> None:
    with pytest.raises(Q3MalformedError) as info:
        decode_status(datagram)
    assert info.value.reason == reason


def test_crlf_and_empty_bodies_are_tolerated() -> None:
    status = decode_status(OOB + b'statusResponse\r\n\\mapname\\m\r\n1 2 "x"\r\n')
    assert status.map == "m" and status.players[0].name == "x"
    assert decode_status(OOB + b"statusResponse\n").players == ()
    assert decode_info(OOB + b"infoResponse\n\\clients\\2\n").clients == 2


def test_queries_match_the_echoed_challenge() -> None:
    tokens = iter(["c1", "c2"])
    query = StatusQuery(token=lambda: next(tokens))
    assert query.next_request(1.0) == encode_getstatus("c1")
    assert query.next_request(2.0) == encode_getstatus("c2")
    status = query.receive(encode_status({"challenge": "c1"}, []), 1.5)
    assert status.latency == pytest.approx(0.5) and status.challenge == "c1"
    assert query.receive(encode_status({"challenge": "c2"}, []), 2.25).latency == 0.25
    with pytest.raises(Q3ChallengeMismatchError):
        query.receive(encode_status({"challenge": "c3"}, []), 3.0)
    # No echo: accepted by default, latency from the first send.
    assert query.receive(encode_status({}, []), 3.0).latency == pytest.approx(2.0)


def test_require_challenge_refuses_an_answer_without_one() -> None:
    query = InfoQuery(require_challenge=True, token=lambda: "c1")
    query.next_request(0.0)
    with pytest.raises(Q3ChallengeMismatchError):
        query.receive(encode_info({"clients": "1"}), 1.0)
    assert query.receive(encode_info({"challenge": "c1"}), 1.0).challenge == "c1"


def test_a_status_query_refuses_an_info_response() -> None:
    query = StatusQuery()
    query.next_request(0.0)
    with pytest.raises(Q3MalformedError, match="unexpected packet"):
        query.receive(encode_info({}), 1.0)
