"""mcstatus (``JavaServer.query``) and opengsq (``GameSpy4``) against our fake Minecraft Query
server (``tests/fakes/minecraft_query_server.py``), our own ``minecraft.query`` on the same fake:
all must decode the same full stat. Differences are checked against protocol-notes-2.md §1.3."""

from __future__ import annotations

import pytest
from mcstatus import JavaServer
from opengsq.protocols import GameSpy4

from bot.protocols import minecraft
from tests.fakes.minecraft_query_server import DEFAULT_KV, FakeQueryServer

pytestmark = pytest.mark.timeout(10)

TIMEOUT = 2.0
PLAYERS: list[str | bytes] = ["Alex", "Steve", "Notch"]


def mcstatus_peer(host: str, port: int) -> JavaServer:
    # The TCP port is never used by query(); query_port is the fake's UDP port.
    return JavaServer(host, 25565, timeout=TIMEOUT, query_port=port)


async def test_full_stat_all_three_agree() -> None:
    kv = [(k, v) for k, v in DEFAULT_KV if k not in ("numplayers", "hostport")]
    kv += [("numplayers", "3"), ("hostport", "25570")]
    async with FakeQueryServer(kv=kv, players=PLAYERS) as server:
        host, port = server.address
        theirs = await mcstatus_peer(host, port).async_query(tries=1)
        opengsq = await GameSpy4(host, port, TIMEOUT).get_status()
        ours = await minecraft.query(host, port, timeout=TIMEOUT)

    assert theirs.motd.to_plain() == opengsq.info["hostname"] == ours.motd == "A Minecraft Server"
    assert theirs.map_name == opengsq.info["map"] == ours.map_name == "world"
    assert theirs.game_type == ours.game_type == "SMP"
    assert theirs.game_id == ours.game_id == "MINECRAFT"
    assert theirs.software.version == opengsq.info["version"] == ours.version == "1.21.4"
    assert theirs.software.brand == ours.software == "Paper on 1.21.4-R0.1"
    assert theirs.software.plugins == list(ours.plugins) == ["WorldEdit 7.3.9", "LuckPerms 5.4.1"]
    assert (theirs.players.online, theirs.players.max) == (ours.online, ours.max_players) == (3, 20)
    assert theirs.players.list == [p["name"] for p in opengsq.players] == list(ours.players)
    assert list(ours.players) == PLAYERS
    assert (theirs.ip, theirs.port) == (ours.host_ip, ours.host_port) == ("127.0.0.1", 25570)
    # Each did one handshake and one stat request. mcstatus draws a fresh session id for the
    # stat (notes §1.3) and is answered all the same: the token is keyed on the address.
    kinds = [request[2] for request in server.requests]
    assert kinds == [9, 0, 9, 0, 9, 0]
    # Full stat = token + 4 padding bytes: mcstatus sends 00 00 00 00, opengsq FF FF FF 01.
    assert server.requests[1][-4:] == b"\x00\x00\x00\x00"
    assert server.requests[3][-4:] == b"\xff\xff\xff\x01"


async def test_motd_with_a_nul_byte_opengsq_loses_the_keys() -> None:
    # Notes §1.3 "Encoding quirks": vanilla writes one byte per char, so "⨀other" arrives as
    # "\x00other"; mcstatus scans the hostname forward to the next known key, as ours does.
    kv = [("hostname", "⨀other"), *DEFAULT_KV[1:]]
    async with FakeQueryServer(kv=kv) as server:
        host, port = server.address
        theirs = await mcstatus_peer(host, port).async_query(tries=1)
        opengsq = await GameSpy4(host, port, TIMEOUT).get_status()
        ours = await minecraft.query(host, port, timeout=TIMEOUT)
    assert theirs.raw["hostname"] == ours.motd == "\x00other"
    assert theirs.players.list == list(ours.players) == ["Alex", "Steve"]
    assert theirs.map_name == ours.map_name == "world"
    # opengsq reads NUL-terminated pairs blindly: every key after the NUL is shifted by one.
    assert opengsq.info["hostname"] == "" and opengsq.info["other"] == "gametype"
    assert "map" not in opengsq.info and opengsq.players == []


async def test_geyser_padding_and_unordered_keys() -> None:
    # Notes §1.3: Geyser's padding is not "splitnum" and its keys come in no fixed order (key
    # order and padding of mcstatus's fixture test_query_handles_unorderd_map_response, whose
    # 11 padding bytes are "GeyserMC\0\x80\0" after the 5-byte header). Skip it by length.
    order = ("hostname", "hostip", "plugins", "numplayers", "gametype", "maxplayers")
    order += ("hostport", "version", "map", "game_id")
    values = dict(DEFAULT_KV) | {"plugins": ""}
    kv: list[tuple[str, str | bytes]] = [(key, values[key]) for key in order]
    async with FakeQueryServer(kv=kv, padding=b"GeyserMC\x00\x80\x00") as server:
        host, port = server.address
        theirs = await mcstatus_peer(host, port).async_query(tries=1)
        opengsq = await GameSpy4(host, port, TIMEOUT).get_status()
        ours = await minecraft.query(host, port, timeout=TIMEOUT)
    assert theirs.motd.to_plain() == opengsq.info["hostname"] == ours.motd == "A Minecraft Server"
    assert theirs.players.list == [p["name"] for p in opengsq.players] == list(ours.players)
    assert (theirs.players.online, ours.online, opengsq.info["numplayers"]) == (2, 2, "2")
    assert theirs.software.version == ours.version == "1.21.4"
    # An empty plugins value: vanilla software, no plugin list.
    assert (theirs.software.brand, theirs.software.plugins) == ("vanilla", [])
    assert ours.plugins == ()
