"""The Quake 3 query adapter: neutral status and raw fields, against the fake.

Its failures, shared with the other UDP query adapters, are tested in
tests/adapters/test_udp_query_adapters.py.
"""

from __future__ import annotations

import json

from bot.adapters.quake3 import Quake3Adapter
from bot.adapters.query import QueryAdapter
from tests.adapters.statuses import headline
from tests.fakes.quake3_server import FakeQuake3Server, parse_request

SERVERINFO = {
    "sv_hostname": "^1CoD4 ^7Server",
    "mapname": "mp_crash",
    "sv_maxclients": "24",
    "g_gametype": "war",
    "gamename": "Call of Duty 4",
    "shortversion": "1.7",
    "pswrd": "1",
    "protocol": "6",
}
PLAYERS = [(12, 48, "^1No^7va"), (3, 0, "LanOrBot"), (0, 999, "joining")]


def _command(request: bytes) -> str:
    parsed = parse_request(request)
    assert parsed is not None
    return parsed[0]


async def test_status_with_players_is_neutral_and_raw_fields_are_json() -> None:
    adapter: QueryAdapter = Quake3Adapter()
    async with FakeQuake3Server(SERVERINFO, PLAYERS) as server:
        result = await adapter.query(*server.address, timeout=2.0)
        (request,) = server.received
    assert _command(request) == "getstatus"
    status = result.status
    # No bots: ping 0 is a bot or a LAN player, not guessed.
    assert headline(status) == ("CoD4 Server", "mp_crash", 3, 24, 0)
    assert status.password and status.version == "1.7" and status.product == "Call of Duty 4"
    assert [(p.name, p.score) for p in status.player_list] == [
        ("Nova", 12),
        ("LanOrBot", 3),
        ("joining", 0),
    ]
    assert status.players_known and 0 < status.ping_ms < 1000
    fields = adapter.raw_fields(result.raw)
    assert fields["info"]["sv_hostname"] == "^1CoD4 ^7Server"
    assert [p["name_raw"] for p in fields["players"]] == ["^1No^7va", "LanOrBot", "joining"]
    json.dumps(fields)
    assert adapter.raw_fields(None) == {}


async def test_players_false_asks_getinfo_and_gets_bots_from_humans() -> None:
    getinfo = {
        "hostname": "^2ET ^7Server",
        "mapname": "oasis",
        "clients": "5",
        "humans": "2",
        "sv_maxclients": "20",
        "needpass": "0",
        "gamename": "etmain",
        "protocol": "84",
    }
    async with FakeQuake3Server(getinfo=getinfo) as server:
        result = await Quake3Adapter().query(*server.address, timeout=2.0, players=False)
        (request,) = server.received
    assert _command(request) == "getinfo"
    status = result.status
    assert headline(status) == ("ET Server", "oasis", 5, 20, 3)
    assert not status.password and not status.players_known and status.version == "protocol 84"
    json.dumps(Quake3Adapter().raw_fields(result.raw))
