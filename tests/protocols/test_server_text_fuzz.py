"""Hostile text into every protocol-layer parser of what a server sends: each line template
with its fields replaced by what breaks parsers (other scripts' digits, "²", 5,000-digit runs,
the separators the parser splits on, quotes, brackets, line breaks of every kind, very long
names), plus plain ``st.text()``. A parser gives a bounded result or raises its protocol's
documented error; nothing else, and no hang."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.protocols.battleye import events as be_events
from bot.protocols.battleye import models as be_models
from bot.protocols.bedrock.errors import BedrockError
from bot.protocols.bedrock.motd import MAX_FIELD_CHARS, parse_motd
from bot.protocols.fivem import decode as fivem
from bot.protocols.fivem.errors import FiveMError
from bot.protocols.fivem.oob import parse_infostring as fivem_infostring
from bot.protocols.minecraft.errors import MinecraftError
from bot.protocols.minecraft.legacy import decode_legacy_text
from bot.protocols.minecraft.status_json import MAX_MOTD_CHARS, MAX_NAME_CHARS, parse_status
from bot.protocols.palworld import codec as palworld
from bot.protocols.palworld.errors import PalworldError
from bot.protocols.quake3.packets import MAX_EXTRA_CHARS, parse_player_line
from bot.protocols.quake3.packets import MAX_NAME_CHARS as Q3_MAX_NAME
from bot.protocols.quake3.text import parse_infostring as q3_infostring
from bot.protocols.rcon.convars import parse_cvarlist
from bot.protocols.sdtd import models as sdtd_models
from bot.protocols.sdtd import parse_bans, parse_event, parse_log_line, parse_players, parse_total
from bot.protocols.webrcon import codec as webrcon_codec
from bot.protocols.webrcon import events as webrcon_events
from bot.protocols.webrcon import models as webrcon_models
from bot.protocols.webrcon.errors import WebRconError

FUZZ = settings(max_examples=200, deadline=None)
LONG_DIGITS = "9" * 5000
MARK = "\x01"  # where a template takes a drawn field

# What a hostile server puts in a field.
_ATOMS = [
    "", " ", "0", "7", "-1", "²", "١٢٣", "٢٣٠٢", "１２", "𝟗", LONG_DIGITS, "1" + LONG_DIGITS,
    '"', "'", "(", ")", "[", "]", "{", "}", ",", ":", ";", "|", "/", "\\", "=", "-", "§", "^1",
    " (", ") ", ": ", " - ", "', '", '" "', "\r", "\n", "\r\n", "\u2028", "\u2029", "\u0085",
    "\x00", "\x1b", "\ufeff", "\ud800", "N" * 5000, "(" * 3000, ":" * 3000, " " * 3000,
]  # fmt: skip
atoms = st.sampled_from(_ATOMS)
fields = st.one_of(
    atoms,
    st.text(max_size=16),
    st.lists(st.one_of(atoms, st.text(max_size=4)), max_size=6).map("".join),
)


def filled(templates: list[str]) -> st.SearchStrategy[str]:
    """A template with each MARK replaced by a hostile field, or plain text."""

    @st.composite
    def one(draw: st.DrawFn) -> str:
        parts = draw(st.sampled_from(templates)).split(MARK)
        out = [parts[0]]
        for part in parts[1:]:
            out += [draw(fields), part]
        return "".join(out)

    return st.one_of(one(), one(), one(), st.text())


def lines_of(templates: list[str]) -> st.SearchStrategy[str]:
    return st.lists(filled(templates), max_size=6).map("\n".join)


def _bounded(number: int | float | None, bound: float = 10**19) -> bool:
    return number is None or -bound < number < bound


# BattlEye ---------------------------------------------------------------------------------

GUID = "394e2c09af98b00fd4094f86c7921622"
BE_LINES = [
    "Player #\x01 \x01 disconnected",
    "Player #\x01 \x01 (\x01:\x01) connected",
    f"Player #\x01 \x01 - BE GUID: {GUID}",
    f"Verified GUID ({GUID}) of player #\x01 \x01",
    f"Player #\x01 \x01 ({GUID}) has been kicked by BattlEye: \x01",
    "Player #\x01 \x01 has been kicked by BattlEye: \x01",
    "RCon admin #\x01 (\x01:\x01) logged in",
    "RCon admin #\x01: (\x01) \x01",
    "(\x01) \x01: \x01",
    "\x01",
]
BE_LISTS = [
    "\x01   \x01:\x01 \x01 \x01(\x01) \x01",
    f"\x01   1.2.3.4:\x01 \x01 {GUID}(OK) \x01 (Lobby)",
    f"\x01 {GUID} \x01 \x01",
    "\x01 \x01 perm \x01",
    "\x01 \x01:\x01",
    "GUID Bans:",
    "IP Bans:",
    "Missions on server:",
    "[#] [IP Address]:[Port] [Ping] [GUID] [Name]",
]


@FUZZ
@given(filled(BE_LINES))
def test_battleye_event_lines(line: str) -> None:
    event = be_events.parse_message(line)
    for name in ("player_id", "admin_id", "port"):
        assert _bounded(getattr(event, name, None), 10**9)
    # Names are kept whole here (a datagram bounds them); the adapter clips them to MAX_NAME.


@FUZZ
@given(lines_of(BE_LISTS))
def test_battleye_listings(text: str) -> None:
    for player in be_models.parse_players(text):
        assert 0 <= player.id < 10**9 and 0 <= player.port < 10**5 and abs(player.ping) < 10**9
    for ban in be_models.parse_bans(text):
        assert 0 <= ban.index < 10**9 and _bounded(ban.duration, 10**12)
    for admin in be_models.parse_admins(text):
        assert 0 <= admin.id < 10**9 and 0 <= admin.port < 10**5
    be_models.parse_missions(text)


# 7 Days to Die ----------------------------------------------------------------------------

SDTD_HEAD = "2017-08-06T12:15:24 20963.531 INF "
SDTD_MESSAGES = [
    "Chat (from '\x01', entity id '\x01', to '\x01'): '\x01': \x01",
    "Chat handled by mod '\x01': Chat (from '\x01', entity id '\x01', to 'Global'): \x01",
    "Chat: '\x01': \x01",
    "PlayerSpawnedInWorld (reason: \x01, position: \x01, \x01, \x01): EntityID=\x01, "
    "PltfmId='\x01', CrossId='\x01', OwnerID='\x01', PlayerName='\x01'",
    "Player disconnected: EntityID=\x01, PltfmId='\x01', CrossId='\x01', OwnerID='\x01', "
    "PlayerName='\x01', ClientNumber='\x01'",
    "[NET] PlayerConnected EntityID=\x01, PltfmId='\x01', OwnerID='\x01', PlayerName='\x01'",
    "Player connected, entityid=\x01, name=\x01, steamid=\x01, steamOwner=\x01, ip=\x01",
    "GMSG: Player '\x01' \x01",
    "Entity \x01 \x01 killed by \x01 \x01",
    "Executing command '\x01' by \x01",
]
SDTD_ANSWERS = [
    "\x01. id=\x01, \x01, pos=(\x01, \x01, \x01), rot=(\x01), remote=\x01, health=\x01, "
    "deaths=\x01, zombies=\x01, players=\x01, score=\x01, level=\x01, steamid=\x01, ip=\x01, "
    "ping=\x01",
    "0. id=171, \x01, pos=(1.0, 2.0, 3.0), \x01=\x01",
    "Total of \x01 in the game",
    "  2030-01-01 00:00:00 - \x01 (\x01) - \x01",
    "\x01",
]


@FUZZ
@given(st.one_of(filled([SDTD_HEAD + m for m in SDTD_MESSAGES]), filled(["\x01 \x01 \x01 \x01"])))
def test_sdtd_log_lines(line: str) -> None:
    parsed = parse_log_line(line)
    if parsed is None:
        return
    event = parse_event(parsed)
    for name in ("entity_id", "victim_id", "killer_id"):
        assert _bounded(getattr(event, name, None), 10**11)
    for name in ("name", "sender_id", "platform_id", "cross_id", "owner_id", "killer"):
        value = getattr(event, name, None)
        assert value is None or len(value) <= sdtd_models.MAX_ID_CHARS
    text = getattr(event, "text", None) or getattr(event, "command", None)
    assert text is None or len(text) <= sdtd_models.MAX_TEXT_CHARS


@FUZZ
@given(lines_of(SDTD_ANSWERS))
def test_sdtd_answers(text: str) -> None:
    for player in parse_players(text):
        assert _bounded(player.entity_id, 10**11) and len(player.name) <= 64
        for value in (player.health, player.level, player.deaths, player.score, player.ping):
            assert _bounded(value, 10**13)
        assert len(player.fields) <= sdtd_models.MAX_FIELDS
    assert _bounded(parse_total(text), 10**10)
    for ban in parse_bans(text):
        assert len(ban.name) <= sdtd_models.MAX_NAME_CHARS
        assert len(ban.reason) <= sdtd_models.MAX_TEXT_CHARS


# Rust WebRCON -----------------------------------------------------------------------------

RUST_CONSOLE = [
    "\x01:\x01/\x01/\x01 joined [\x01/\x01]",
    "\x01:\x01/\x01/\x01 disconnecting: \x01",
    "Saved \x01 ents, \x01",
    "Restarting in \x01 seconds",
    "\x01",
]
RUST_CHAT = [
    "Kickbanning \x01 for \x01 (\x01)",
    "Kicking \x01 (\x01)",
    "\x01",
]


def _json_field(value: str) -> object:
    # A JSON number where the field is digits (json.dumps cannot write past 4,300 digits).
    return int(value) if value.isascii() and value.isdigit() and len(value) < 4000 else value


@FUZZ
@given(filled(RUST_CONSOLE), st.sampled_from(list(webrcon_codec.MessageType)))
def test_rust_console_lines(line: str, type_: webrcon_codec.MessageType) -> None:
    event = webrcon_events.parse_console_line(line, type_)
    assert 0 <= getattr(event, "port", 0) <= 65535
    assert _bounded(getattr(event, "entities", None)) and _bounded(getattr(event, "seconds", 0))
    assert len(getattr(event, "name", "")) <= webrcon_events.MAX_NAME
    assert len(getattr(event, "steam_id", "")) <= 20


@FUZZ
@given(filled(RUST_CHAT), fields, fields)
def test_rust_chat(text: str, user: str, channel: str) -> None:
    payload = {
        "Message": text,
        "Username": "SERVER",
        "UserId": "0",
        "Channel": _json_field(channel),
    }
    for name in (user, "SERVER"):
        payload["Username"] = name
        message = webrcon_codec.ServerMessage(
            0, json.dumps(payload), webrcon_codec.MessageType.CHAT
        )
        event = webrcon_events.parse_push(message)
        assert len(getattr(event, "name", "")) <= webrcon_events.MAX_NAME
        assert len(getattr(event, "text", "")) <= webrcon_events.MAX_CONSOLE


@FUZZ
@given(fields, fields, fields, fields)
def test_rust_json_answers(steam: str, name: str, address: str, number: str) -> None:
    entry = {"SteamID": steam, "DisplayName": name, "Address": address, "Ping": _json_field(number)}
    for text in (json.dumps([entry]), name, f'[{{"Address": "{address}"}}]', number):
        try:
            players = webrcon_models.parse_playerlist(text)
        except WebRconError:
            continue
        for player in players:
            assert 0 <= player.port < 10**5 and len(player.name) <= webrcon_models.MAX_NAME
    info = {"Hostname": name, "Players": _json_field(number), "Map": address}
    for text in (json.dumps(info), number):
        try:
            webrcon_models.parse_serverinfo(text)
        except WebRconError:
            pass
    for raw in (
        json.dumps({"Message": name, "Identifier": _json_field(number), "Type": steam}),
        name,
    ):
        try:
            webrcon_codec.decode_message(raw)
        except WebRconError:
            pass


# Minecraft, Bedrock -----------------------------------------------------------------------


@FUZZ
@given(fields, fields, fields, fields)
def test_minecraft_status_json(name: str, online: str, maximum: str, motd: str) -> None:
    docs = [
        {
            "version": {"name": name, "protocol": _json_field(online)},
            "players": {"online": _json_field(online), "max": _json_field(maximum),
                        "sample": [{"name": name, "id": motd}]},
            "description": {"text": motd, "extra": [{"text": name}, motd]},
        },
        {"description": motd, "players": {"online": online}},
    ]  # fmt: skip
    for text in [json.dumps(d) for d in docs] + [motd, "{" + motd]:
        try:
            status = parse_status(text)
        except MinecraftError:
            continue
        assert len(status.motd) <= MAX_MOTD_CHARS and len(status.version.name) <= MAX_NAME_CHARS
        assert all(len(p.name) <= MAX_NAME_CHARS for p in status.players.sample)


@FUZZ
@given(filled(["§1\0\x01\0\x01\0\x01\0\x01\0\x01", "\x01§\x01§\x01", "\x01"]))
def test_minecraft_legacy_text(text: str) -> None:
    try:
        status = decode_legacy_text(text)
    except MinecraftError:
        return
    assert abs(status.players.online) < 10**11 and abs(status.players.max) < 10**11


@FUZZ
@given(filled(["MCPE;\x01;\x01;\x01;\x01;\x01;\x01;\x01;\x01;\x01;\x01;\x01;", "\x01;\x01"]))
def test_bedrock_motd(text: str) -> None:
    try:
        motd = parse_motd(text)
    except BedrockError:
        return
    assert _bounded(motd.players, 10**21) and _bounded(motd.max_players, 10**21)
    assert len(motd.name) <= MAX_FIELD_CHARS and len(motd.level_name) <= MAX_FIELD_CHARS


# Quake 3, FiveM, Palworld, Source cvarlist ------------------------------------------------


@FUZZ
@given(filled(['\x01 \x01 "\x01"', '\x01 \x01 "\x01" \x01', "\x01 \x01 \x01", "\x01"]))
def test_quake3_text(line: str) -> None:
    player = parse_player_line(line)
    if player is not None:
        assert abs(player.score) < 10**11 and abs(player.ping) < 10**11
        assert len(player.name_raw) <= Q3_MAX_NAME and len(player.extra) <= MAX_EXTRA_CHARS
    q3_infostring("\\" + line)
    fivem_infostring("\\" + line)


@FUZZ
@given(fields, fields, fields)
def test_fivem_json(name: str, number: str, ident: str) -> None:
    info = {
        "vars": {name: number, "sv_maxClients": _json_field(number)},
        "resources": [name],
        "server": name,
        "version": _json_field(number),
        "icon": ident,
    }
    players = [
        {
            "name": name,
            "id": _json_field(number),
            "ping": number,
            "identifiers": [ident],
            "endpoint": ident,
        }
    ]
    dynamic = {"hostname": name, "clients": _json_field(number), "sv_maxclients": number,
               "gametype": ident, "mapname": name}  # fmt: skip
    docs = {fivem.decode_info: info, fivem.decode_players: players, fivem.decode_dynamic: dynamic}
    _decode_or_refuse(docs, name, FiveMError)


@FUZZ
@given(fields, fields, fields)
def test_palworld_json(name: str, number: str, ident: str) -> None:
    player = {
        "name": name,
        "accountName": ident,
        "playerId": number,
        "userId": ident,
        "ip": ident,
        "ping": _json_field(number),
        "level": _json_field(number),
    }
    docs = {
        palworld.decode_info: {"version": name, "servername": name, "description": ident},
        palworld.decode_players: {"players": [player]},
        palworld.decode_metrics: {"currentplayernum": _json_field(number), "maxplayernum": 1,
                                  "uptime": _json_field(number)},
        palworld.decode_settings: {name: number, ident: _json_field(number)},
    }  # fmt: skip
    _decode_or_refuse(docs, number, PalworldError)


def _decode_or_refuse(docs: Mapping[Any, object], raw: str, error: type[Exception]) -> None:
    """Each decoder, fed its document as JSON and ``raw`` as bytes, answers or raises ``error``."""
    for decode, doc in docs.items():
        for body in (json.dumps(doc).encode(), raw.encode("utf-8", "surrogatepass")):
            try:
                decode(body)
            except error:
                pass


@FUZZ
@given(lines_of(["\x01 : \x01 : , \x01 : \x01", "---------", "\x01"]))
def test_source_cvarlist(text: str) -> None:
    list(parse_cvarlist(f"cvar list\n--------------\n{text}\n--------------\n"))
    list(parse_cvarlist(text))
