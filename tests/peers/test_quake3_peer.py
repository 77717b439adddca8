"""opengsq (``Quake3``) against our fake Quake 3 server (``tests/fakes/quake3_server.py``), our
own ``quake3.get_status``/``get_info`` on the same fake: both must read the same infostring and
player lines. Differences are checked against protocol-notes-2.md §4."""

from __future__ import annotations

import pytest
from opengsq.protocols import Quake3

from bot.protocols import quake3
from tests.fakes.quake3_server import NOTES_STATUS, FakeQuake3Server

pytestmark = pytest.mark.timeout(10)

TIMEOUT = 2.0
SERVERINFO = {
    "sv_hostname": "^1Peer ^7Arena",
    "mapname": "q3tourney2",
    "sv_maxclients": "12",
    "g_gametype": "1",
    "gamename": "baseq3",
    "protocol": "68",
    "g_needpass": "1",
    "version": "ioq3 1.36_GIT linux-x86_64",
}
PLAYERS = [(12, 48, "^1No^7va"), (3, 0, "Sarge"), (-1, 999, "spec ^2guy")]


async def test_getstatus_and_getinfo_agree_with_ours() -> None:
    async with FakeQuake3Server(SERVERINFO, PLAYERS) as server:
        host, port = server.address
        peer = Quake3(host, port, TIMEOUT)
        status = await peer.get_status()
        info = await peer.get_info()
        ours = await quake3.get_status(host, port, timeout=TIMEOUT)
        our_info = await quake3.get_info(host, port, timeout=TIMEOUT)

    assert status.info["sv_hostname"] == info["hostname"] == ours.hostname == "Peer Arena"
    assert status.info["mapname"] == info["mapname"] == ours.map == our_info.map == "q3tourney2"
    assert int(status.info["sv_maxclients"]) == ours.max_players == our_info.max_players == 12
    assert status.info["g_gametype"] == info["gametype"] == ours.gametype == "1"
    assert status.info["version"] == ours.version
    assert status.info["g_needpass"] == "1" and ours.needs_password and our_info.needs_password
    theirs_players = [(p.frags, p.ping, p.name) for p in status.players]
    assert theirs_players == [(p.score, p.ping, p.name) for p in ours.players]
    assert theirs_players == [(12, 48, "Nova"), (3, 0, "Sarge"), (-1, 999, "spec guy")]
    assert int(info["clients"]) == our_info.clients == 3
    assert int(info["g_humanplayers"]) == our_info.humans == 2  # ping 0 = bot (fake's rule)
    # opengsq sends "getstatus\0" with no challenge (the request line ends at the NUL, as
    # ioq3's MSG_ReadStringLine reads it), so no challenge key comes back: ioq3 drops
    # empty-valued keys. Its getinfo sends the challenge "opengsq"; ours sends random ones
    # and checks the echo.
    assert "challenge" not in status.info and info["challenge"] == "opengsq"
    assert ours.challenge is not None and our_info.challenge is not None
    assert server.received[:2] == [
        b"\xff\xff\xff\xffgetstatus\x00",
        b"\xff\xff\xff\xffgetinfo opengsq\x00",
    ]
    assert ours.latency > 0


async def test_notes_example() -> None:
    async with FakeQuake3Server(raw=NOTES_STATUS) as server:
        host, port = server.address
        status = await Quake3(host, port, TIMEOUT).get_status()
        ours = await quake3.get_status(host, port, timeout=TIMEOUT)
    assert status.info["sv_hostname"] == ours.hostname == "EU Race"
    assert status.info["mapname"] == ours.map == "aurora-speed1"
    assert [(p.frags, p.ping, p.name) for p in status.players] == [(12, 48, "Nova")]
    assert [(p.score, p.ping, p.name) for p in ours.players] == [(12, 48, "Nova")]


async def test_caret_caret_opengsq_eats_the_literal_caret() -> None:
    # Notes §4.2: opengsq strips \^(X.{6}|.), so "^^" goes as if it were a colour code; the
    # notes' rule (strip \^[^\^\x00], keep "^^" as a caret) leaves "^" and strips "^7".
    async with FakeQuake3Server(SERVERINFO, [(1, 20, "^^7caret")]) as server:
        host, port = server.address
        status = await Quake3(host, port, TIMEOUT).get_status()
        raw = await Quake3(host, port, TIMEOUT).get_status(strip_color=False)
        ours = await quake3.get_status(host, port, timeout=TIMEOUT)
    assert raw.players[0].name == ours.players[0].name_raw == "^^7caret"
    assert status.players[0].name == "7caret"
    assert ours.players[0].name == "^caret"
