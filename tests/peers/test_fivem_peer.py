"""opengsq (``FiveM``) against our fake FXServer (``tests/fakes/fivem_server.py``), our own
``fivem.fetch_status`` on the same fake: both must read the same info.json, dynamic.json and
players.json. Differences are checked against protocol-notes-2.md §3.

mcstatus has no FiveM client; opengsq has no OOB ``getinfo`` for FiveM, so only HTTP is compared.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from opengsq.protocols import FiveM

from bot.protocols import fivem
from bot.protocols.fivem import FiveMRateLimited
from tests.fakes.fivem_server import FakeFiveMServer, sample_info

pytestmark = pytest.mark.timeout(10)

TIMEOUT = 2.0
DYNAMIC: dict[str, Any] = {
    "clients": 3,
    "gametype": "Roleplay",
    "hostname": "^2Peer ^7Test ~g~City~s~",
    "iv": "987654321",
    "mapname": "Los Santos",
    "sv_maxclients": "64",  # a convar string, as FXServer sends it (notes §3.1)
}
PLAYERS: list[dict[str, Any]] = [
    {
        "endpoint": "127.0.0.1",
        "id": 3,
        "identifiers": ["license:abcdef0123456789abcdef0123456789abcdef01", "discord:42"],
        "name": "^1Carla",
        "ping": 35,
    },
    {
        "endpoint": "127.0.0.1",
        "id": 9,
        "identifiers": ["steam:110000100000001"],
        "name": "Dan",
        "ping": 80,
    },
    {"endpoint": "127.0.0.1", "id": 12, "identifiers": [], "name": "Eve", "ping": -1},
]
INFO: dict[str, Any] = sample_info() | {"version": 987654321, "server": "FXServer-peer v1.0.0.9999"}


async def test_http_endpoints_opengsq_agrees_with_ours() -> None:
    async with FakeFiveMServer(info=INFO, dynamic=DYNAMIC, players=PLAYERS) as server:
        host, port = server.address
        peer = FiveM(host, port, TIMEOUT)
        # opengsq does not pass its timeout to aiohttp: bound the calls here.
        async with asyncio.timeout(TIMEOUT):
            info = await peer.get_info()
            dynamic = await peer.get_dynamic()
            players = await peer.get_players()
        ours = await fivem.fetch_status(host, port, timeout=TIMEOUT)

    # opengsq hands back the JSON as sent; ours strips ^n and ~x~ codes (notes §3.3).
    assert dynamic["hostname"] == ours.dynamic.raw_hostname == DYNAMIC["hostname"]
    assert ours.hostname == "Peer Test City"
    assert dynamic["clients"] == ours.clients == 3
    assert int(dynamic["sv_maxclients"]) == ours.max_clients == 64
    assert (dynamic["gametype"], dynamic["mapname"]) == (ours.gametype, ours.mapname)
    assert int(dynamic["iv"]) == info["version"] == ours.dynamic.info_version == 987654321
    assert info["server"] == ours.server_version == "FXServer-peer v1.0.0.9999"
    assert info["vars"] == ours.info.vars
    assert info["resources"] == list(ours.info.resources)
    assert ours.players is not None
    assert [(p["id"], p["ping"]) for p in players] == [(p.id, p.ping) for p in ours.players]
    assert [p["identifiers"] for p in players] == [list(p.identifiers) for p in ours.players]
    assert [p["name"] for p in players] == ["^1Carla", "Dan", "Eve"]
    assert [p.name for p in ours.players] == ["Carla", "Dan", "Eve"]
    assert ours.ping > 0
    assert sorted(server.requests[:3]) == ["/dynamic.json", "/info.json", "/players.json"]


async def test_rate_limited_players_json() -> None:
    # Notes §3.1: players.json is rate-limited per IP, 429 with the plain-text body
    # "Rate limit exceeded.". opengsq parses every body as JSON without looking at the status.
    async with FakeFiveMServer(modes={"/players.json": "rate-limited"}) as server:
        host, port = server.address
        async with asyncio.timeout(TIMEOUT):
            with pytest.raises(json.JSONDecodeError):
                await FiveM(host, port, TIMEOUT).get_players()
        with pytest.raises(FiveMRateLimited):
            await fivem.fetch_status(host, port, timeout=TIMEOUT)
        # Without the player list ours still reads the rest.
        ours = await fivem.fetch_status(host, port, timeout=TIMEOUT, players=False)
    assert ours.clients == 2 and ours.players is None
