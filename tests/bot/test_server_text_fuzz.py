"""Hostile text into the adapters' and services' parsers of what a server sends (console
player lists, srcds status, Squad's ListPlayers and pushed lines, the feed's event
translators): a bounded result, never an exception, strings clipped to the module's limit."""

from __future__ import annotations

import json

from hypothesis import given, settings

from bot.adapters import battleye as be_adapter
from bot.adapters import palworld_commands, squad_events
from bot.adapters import sdtd as sdtd_adapter
from bot.adapters import webrcon as webrcon_adapter
from bot.protocols import sdtd
from bot.protocols.battleye import Player as BattlEyePlayer
from bot.protocols.battleye import events as be_events
from bot.protocols.battleye.models import parse_players as be_players
from bot.protocols.palworld import codec as palworld
from bot.protocols.webrcon import codec as webrcon_codec
from bot.protocols.webrcon import events as webrcon_events
from bot.services.feed import ids as feed_ids
from bot.services.rcon import live_players
from bot.services.rcon.console_players import (
    from_console,
    parse_ark_players,
    parse_minecraft_list,
    parse_zomboid_players,
)
from bot.services.rcon.source_players import parse_status
from bot.snapshots import MAX_LISTED_PLAYERS, MAX_PLAYER_NAME
from tests.protocols.test_server_text_fuzz import FUZZ, _json_field, fields, filled, lines_of

STEAM = "76561198000000001"
GUID = "394e2c09af98b00fd4094f86c7921622"
MANY = settings(FUZZ, max_examples=100)


@FUZZ
@given(
    lines_of(
        [
            "There are \x01 of a max of \x01 players online: \x01, \x01",
            "There are \x01/\x01 players online:",
            "\x01, \x01, \x01",
            f"\x01. \x01, {STEAM}",
            f"\x01. \x01, {GUID}\r",
            "Players connected (\x01):",
            "-\x01",
        ]
    )
)
def test_console_player_lists(text: str) -> None:
    for parse in (parse_minecraft_list, parse_ark_players, parse_zomboid_players):
        players = parse(text)
        assert len(players) <= MAX_LISTED_PLAYERS
        assert all(len(p.name) <= MAX_PLAYER_NAME and 0 <= p.id < 10**9 for p in players)


@FUZZ
@given(
    lines_of(
        [
            '# \x01 \x01 "\x01" \x01 \x01 \x01 \x01 active \x01',
            '#\x01 "\x01" BOT active',
            "  \x01    \x01:\x01   \x01    \x01     active \x01 \x01 '\x01'",
            "---------players--------",
        ]
    )
)
def test_source_status(text: str) -> None:
    players = parse_status(text)
    assert len(players) <= MAX_LISTED_PLAYERS
    assert all(0 <= p.userid < 10**9 and len(p.name) <= MAX_PLAYER_NAME for p in players)


@FUZZ
@given(
    lines_of(
        [
            "ID: \x01 | Online IDs: EOS: \x01 steam: \x01 | Name: \x01 | Team ID: \x01",
            f"ID: \x01 | SteamID: {STEAM} | Name: \x01 | Team ID: \x01 | Squad ID: \x01",
            "ID: \x01 | SteamID: \x01 | Name: \x01 | Team ID: \x01",
            "----- Recently Disconnected Players [Max of 15] ----",
            "STEAM_\x01:\x01:\x01 [U:1:\x01]",
        ]
    )
)
def test_squad_players_and_listid(text: str) -> None:
    players = live_players.parse_squad_players(text)
    assert len(players) <= MAX_LISTED_PLAYERS
    for player in players:
        assert 0 <= player.id < 10**9 and len(player.uid) <= 64
        assert len(player.name) <= MAX_PLAYER_NAME
    for entry in live_players._LISTID_ENTRY.findall(text):  # ids for unban: ASCII, bounded
        assert entry.isascii() and len(entry) <= 24


@FUZZ
@given(
    filled(
        [
            "[ChatAll] [Online IDs:EOS: \x01 steam: \x01] \x01 : \x01",
            "[ChatAdmin] [SteamID:\x01] \x01 :",
            "[Online IDs:\x01] \x01 has possessed admin camera.",
            "Kicked player \x01. [Online IDs=EOS: \x01 steam: \x01] \x01",
            "Banned player \x01. [steamid=\x01] \x01 for interval \x01",
            'Remote admin has warned player \x01. Message was "\x01"',
            "\x01 (Online IDs: \x01) has created Squad \x01 (Squad Name: \x01) on \x01",
        ]
    )
)
def test_squad_pushed_lines(text: str) -> None:
    event = squad_events.parse(text)
    if event is not None:
        assert len(event.player) <= squad_events.MAX_NAME
        assert len(event.text) <= squad_events.MAX_TEXT
        assert len(event.ids) <= squad_events.MAX_IDS
        assert all(len(v) <= squad_events.MAX_ID for _, v in event.ids)


@FUZZ
@given(
    filled(
        [
            "2017-08-06T12:15:24 1.5 INF Chat (from '\x01', entity id '\x01', to '\x01'): \x01",
            "2017-08-06T12:15:24 1.5 INF PlayerSpawnedInWorld (reason: JoinMultiplayer, "
            "position: 1, 2, 3): EntityID=\x01, PltfmId='\x01', CrossId='\x01', PlayerName='\x01'",
            "2017-08-06T12:15:24 1.5 INF Player disconnected: EntityID=\x01, PltfmId='\x01', "
            "CrossId='\x01', PlayerName='\x01'",
            "2017-08-06T12:15:24 1.5 INF Executing command '\x01' by \x01",
            "2017-08-06T12:15:24 1.5 INF Executing command 'kick \x01' by \x01",
            "2017-08-06T12:15:24 1.5 INF Executing command 'ban add \x01 \x01' by \x01",
        ]
    ),
    fields,
)
def test_sdtd_feed_events(line: str, raw_id: str) -> None:
    parsed = sdtd.parse_log_line(line)
    event = None if parsed is None else sdtd.parse_event(parsed)
    if event is not None:
        sdtd_adapter.console_event(event)
    for kind, value in sdtd_adapter.player_ids(raw_id, f"Steam_{raw_id}", f"EOS_{raw_id}"):
        feed_ids.from_console([(kind, value)])


@FUZZ
@given(filled(["\x01:\x01/\x01/\x01 joined [\x01/\x01]", "Saved \x01 ents", "\x01"]), fields)
def test_rust_feed_events(line: str, user_id: str) -> None:
    event = webrcon_adapter.to_console_event(webrcon_events.parse_console_line(line))
    assert event is not None
    chat = json.dumps({"Message": line, "Username": user_id, "UserId": user_id})
    message = webrcon_codec.ServerMessage(0, chat, webrcon_codec.MessageType.CHAT)
    webrcon_adapter.to_console_event(webrcon_events.parse_push(message))


@FUZZ
@given(
    filled(
        [
            "Player #\x01 \x01 (\x01:\x01) connected",
            f"Player #\x01 \x01 ({GUID}) has been kicked by BattlEye: \x01",
            "RCon admin #\x01: (\x01) \x01",
            "(\x01) \x01: \x01",
            "\x01   \x01:\x01 \x01 \x01(\x01) \x01",
        ]
    )
)
def test_battleye_feed_events(line: str) -> None:
    event = be_events.parse_message(line)
    player = BattlEyePlayer(getattr(event, "player_id", 0), getattr(event, "name", line), "", 0, 0)
    translated = [
        be_adapter.join_event(player),
        be_adapter.kick_event(player, getattr(event, "reason", line)),
        be_adapter.chat_event(player, getattr(event, "channel", line), line),
        be_adapter.admin_message_event(getattr(event, "admin_id", 0), line, line),
        be_adapter.notice_event(line),
    ]
    for out in translated:
        assert len(out.player) <= be_events.MAX_NAME and len(out.text) <= be_adapter.MAX_TEXT
    for listed in be_players(line):
        assert len(be_adapter.console_player(listed).name) <= be_events.MAX_NAME


@MANY
@given(fields, fields, fields)
def test_palworld_answers(name: str, user_id: str, number: str) -> None:
    value = _json_field(number)
    body = {
        "players": [
            {
                "name": name,
                "accountName": name,
                "playerId": user_id,
                "userId": user_id,
                "ip": user_id,
                "ping": value,
                "level": value,
            }
        ]
    }
    metrics = {"currentplayernum": value, "maxplayernum": 1, "uptime": value, "days": value,
               "serverfps": value, "serverframetime": value}  # fmt: skip
    try:
        players = palworld.decode_players(json.dumps(body).encode())
        palworld_commands.players_text(players)
        refs = from_console([palworld_commands.console_player(p) for p in players])
        assert all(0 <= r.id < 10**9 and len(r.name) <= MAX_PLAYER_NAME for r in refs)
    except palworld.NotPalworld:
        pass
    try:
        palworld_commands.metrics_text(palworld.decode_metrics(json.dumps(metrics).encode()))
    except palworld.NotPalworld:
        pass


def test_the_escapes_found_stay_fixed() -> None:
    long_name, row = "N" * 5000, "ID: 1 | SteamID: 76561198000000001 | Name: a | Team ID: 1"
    status = f'# 2 "{long_name}" STEAM_1:0:1 01:00 50 0 active 1.2.3.4:27005'
    assert len(parse_status(status)[0].name) == MAX_PLAYER_NAME
    assert len(parse_status("\n".join([status] * 1000))) == MAX_LISTED_PLAYERS
    squad = f"ID: 1 | SteamID: {STEAM} | Name: {long_name} | Team ID: 1"
    assert len(live_players.parse_squad_players(squad)[0].name) == MAX_PLAYER_NAME
    assert len(live_players.parse_squad_players("\n".join([row] * 1000))) == MAX_LISTED_PLAYERS
    assert live_players._LISTID_ENTRY.findall("STEAM_0:1:١٢٣ [U:1:٢٣] STEAM_0:1:7") == [
        "STEAM_0:1:7"
    ]
