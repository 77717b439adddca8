"""opengsq (``Palworld``) against our fake Palworld REST API (``tests/fakes/palworld_server.py``),
our own ``PalworldClient`` on the same fake: both must read the same /info, /metrics and
/players. Differences are checked against protocol-notes-2.md §6."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest
from opengsq.protocols import Palworld

from bot.protocols.palworld import AuthRefused, PalworldClient
from tests.fakes.palworld_server import FakePalworldServer, sample_players

pytestmark = [
    pytest.mark.timeout(10),
    # opengsq still uses aiohttp's BasicAuth/auth=, deprecated in aiohttp 3.14: not ours to fix.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:opengsq.protocols.palworld"),
]

TIMEOUT = 2.0
PASSWORD = "peer-secret"
INFO = {
    "version": "v0.4.12.0",
    "servername": "Peer Pals",
    "description": "opengsq meets the fake",
    "worldguid": "0123456789ABCDEF0123456789ABCDEF",
}
METRICS: dict[str, Any] = {
    "serverfps": 58,
    "currentplayernum": 2,
    "serverframetime": 17.2,
    "maxplayernum": 24,
    "uptime": 7200,
}


async def test_status_and_players_opengsq_agrees_with_ours() -> None:
    async with FakePalworldServer(password=PASSWORD, info=INFO, metrics=METRICS) as server:
        host, port = server.address
        peer = Palworld(host, port, "admin", PASSWORD, TIMEOUT)
        # Notes §6: opengsq sets no timeout on its aiohttp session; bound the calls here.
        async with asyncio.timeout(TIMEOUT):
            theirs = await peer.get_status()
            their_players = await peer.get_players()
        ours = await PalworldClient(host, port, password=PASSWORD, timeout=TIMEOUT).status()

    assert theirs.server_name == ours.info.servername == "Peer Pals"
    assert theirs.num_players == ours.metrics.currentplayernum == 2
    assert theirs.max_players == ours.metrics.maxplayernum == 24
    assert ours.players is not None
    expected = [(p["name"], p["ping"], p["level"]) for p in sample_players()]
    assert [(p.name, p.ping, p.level) for p in their_players] == expected
    assert [(p.name, p.ping, p.level) for p in ours.players] == expected
    assert [p.user_id for p in ours.players] == [
        "steam_76561197999054170",
        "ps5_4591469878499095569",
    ]
    assert server.auth_failures == 0  # both sent Basic admin:<AdminPassword>


async def test_wrong_password_opengsq_parses_the_401_text_as_json() -> None:
    # Notes §6: a wrong password is 401 with the plain-text body "Unauthorized", and bodies
    # are not always JSON ("don't call .json() blindly"); opengsq does.
    async with FakePalworldServer(password=PASSWORD) as server:
        host, port = server.address
        async with asyncio.timeout(TIMEOUT):
            with pytest.raises(aiohttp.ContentTypeError):
                await Palworld(host, port, "admin", "wrong", TIMEOUT).get_status()
        with pytest.raises(AuthRefused):
            await PalworldClient(host, port, password="wrong", timeout=TIMEOUT).info()
        assert server.auth_failures == 2
