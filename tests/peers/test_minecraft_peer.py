"""mcstatus and opengsq, two third-party Minecraft: Java clients, against our fake server
(``tests/fakes/minecraft_server.py``), and our own client against the same fake: all must decode
what the fake was told to serve. Where a peer disagrees, protocol-notes-2.md §1.1/§1.2 say who is
right, and the test asserts the documented difference."""

from __future__ import annotations

import base64
import struct
from typing import Any

import pytest
from mcstatus import JavaServer, LegacyServer
from opengsq.protocols import Minecraft

from bot.protocols import minecraft
from tests.fakes.fivem_server import tiny_png
from tests.fakes.minecraft_server import ALEX, STEVE, FakeMinecraftServer, LegacySpec

pytestmark = pytest.mark.timeout(10)

TIMEOUT = 2.0
FAVICON = "data:image/png;base64," + base64.b64encode(tiny_png()).decode("ascii")
STATUS: dict[str, Any] = {
    "version": {"name": "Paper 1.21.4", "protocol": 769},
    "players": {
        "max": 50,
        "online": 3,
        "sample": [ALEX, STEVE],
    },
    "description": {"text": "§aOutpost ", "extra": [{"text": "Survival", "bold": True}]},
    "favicon": FAVICON,
    "enforcesSecureChat": False,
}


def swapped(port: int) -> int:
    """The port as opengsq packs it: native (little-endian) order read back big-endian."""
    return int(struct.unpack(">H", struct.pack("<H", port))[0])


async def test_mcstatus_status_and_ping_agree_with_ours() -> None:
    async with FakeMinecraftServer(status=STATUS) as server:
        host, port = server.address
        peer = JavaServer(host, port, timeout=TIMEOUT)
        theirs = await peer.async_status(tries=1)
        their_ping = await peer.async_ping(tries=1)
        ours = await minecraft.status(host, port, timeout=TIMEOUT)

    assert theirs.version.name == ours.version.name == "Paper 1.21.4"  # type: ignore[union-attr]
    assert theirs.version.protocol == ours.version.protocol == 769  # type: ignore[union-attr]
    assert ours.players is not None and ours.players.sample is not None
    assert (theirs.players.online, theirs.players.max) == (ours.players.online, ours.players.max)
    assert (ours.players.online, ours.players.max) == (3, 50)
    their_sample = [(p.name, p.id) for p in theirs.players.sample or []]
    assert their_sample == [(p.name, p.uuid) for p in ours.players.sample]
    assert [name for name, _ in their_sample] == ["Alex", "Steve"]
    assert theirs.motd.to_plain() == ours.motd == "Outpost Survival"
    assert theirs.icon == FAVICON and ours.favicon == tiny_png()
    assert theirs.enforces_secure_chat is False and ours.enforces_secure_chat is False
    # Latency: mcstatus times the status exchange, ping() and ours the ping/pong.
    assert theirs.latency > 0 and their_ping > 0
    assert ours.latency_ms is not None and ours.latency_ms > 0
    # mcstatus sends protocol 47 (notes §1.1), ours -1 "by convention"; both pack the port BE.
    assert [(h.protocol_version, h.port) for h in server.handshakes] == [
        (47, port),
        (47, port),
        (-1, port),
    ]
    # ping() pings straight after the handshake (no status request): answered, as vanilla does.
    assert len(server.pings) == 2


async def test_opengsq_status_agrees_but_packs_the_port_little_endian() -> None:
    async with FakeMinecraftServer(status=STATUS) as server:
        host, port = server.address
        theirs = await Minecraft(host, port, TIMEOUT).get_status()
        ours = await minecraft.status(host, port, timeout=TIMEOUT)

    assert theirs["version"] == {"name": "Paper 1.21.4", "protocol": 769}
    assert theirs["players"]["online"] == ours.players.online == 3  # type: ignore[union-attr]
    assert theirs["players"]["max"] == 50
    assert [p["name"] for p in theirs["players"]["sample"]] == ["Alex", "Steve"]
    # opengsq strips the colour codes in place and leaves the components unflattened.
    description = theirs["description"]
    assert description["text"] + description["extra"][0]["text"] == ours.motd
    # Notes §1.1 "What existing clients get wrong": opengsq packs the handshake port with
    # struct.pack("H") (native order) instead of big-endian; ours sends it BE.
    assert [h.port for h in server.handshakes] == [swapped(port), port]


async def test_nested_components_opengsq_strips_one_level_only() -> None:
    status = {
        "version": {"name": "1.21.4", "protocol": 769},
        "players": {"max": 5, "online": 0},
        "description": {
            "text": "§aA",
            "extra": [{"text": "§bB", "extra": [{"text": "§cC"}]}, "§dD"],
        },
    }
    async with FakeMinecraftServer(status=status) as server:
        host, port = server.address
        mcstatus_motd = (await JavaServer(host, port, timeout=TIMEOUT).async_status(tries=1)).motd
        theirs = await Minecraft(host, port, TIMEOUT).get_status()
        ours = await minecraft.status(host, port, timeout=TIMEOUT)

    assert mcstatus_motd.to_plain() == ours.motd == "ABCD"
    assert ours.players is not None and ours.players.sample is None  # no sample sent
    # Notes §1.1: opengsq strips colours one level of `extra` deep only.
    assert theirs["description"]["extra"][0] == {"text": "B", "extra": [{"text": "§cC"}]}


@pytest.mark.parametrize(
    "description",
    ["§6Plain §lstring MOTD", ["", {"text": "Plain ", "color": "gold"}, "string MOTD"]],
    ids=["string", "list"],
)
async def test_string_and_list_descriptions(description: Any) -> None:
    # Notes §1.1: `description` may be a string, an object or a list of components/strings.
    status = {"version": {"name": "1.21.4", "protocol": 769}, "players": {"max": 1, "online": 0}}
    async with FakeMinecraftServer(status={**status, "description": description}) as server:
        host, port = server.address
        theirs = await JavaServer(host, port, timeout=TIMEOUT).async_status(tries=1)
        ours = await minecraft.status(host, port, timeout=TIMEOUT)
    assert theirs.motd.to_plain() == ours.motd == "Plain string MOTD"
    assert theirs.raw["description"] == ours.description == description


async def test_legacy_ping_all_three_agree_and_send_their_own_request() -> None:
    spec = LegacySpec(protocol=78, version="1.6.4", motd="§aOld server", online=4, max_players=12)
    async with FakeMinecraftServer(mode="legacy", legacy=spec) as server:
        host, port = server.address
        theirs = await LegacyServer(host, port, timeout=TIMEOUT).async_status(tries=1)
        opengsq = await Minecraft(host, port, TIMEOUT).get_status_pre17()
        ours = await minecraft.status(host, port, timeout=TIMEOUT)  # SLP kicked, then legacy

    assert ours.legacy and ours.version is not None and ours.players is not None
    assert theirs.version.name == opengsq.version == ours.version.name == "1.6.4"
    assert theirs.version.protocol == int(opengsq.protocol) == ours.version.protocol == 78
    assert theirs.motd.to_plain() == opengsq.motd == ours.motd == "Old server"
    assert (theirs.players.online, theirs.players.max) == (4, 12)
    assert (opengsq.num_players, opengsq.max_players) == (4, 12)
    assert (ours.players.online, ours.players.max) == (4, 12)
    assert theirs.latency > 0 and ours.latency_ms is not None
    # Notes §1.2: mcstatus sends only FE 01 FA, opengsq the 1.4 form FE 01; ours the whole 1.6
    # request with MC|PingHost. The fake answers each in the 1.4+ format, as 1.6 servers do.
    mcstatus_request, opengsq_request, ours_request = server.legacy_requests
    assert (mcstatus_request, opengsq_request) == (b"\x01\xfa", b"\x01")
    assert ours_request.startswith(b"\x01\xfa\x00\x0b" + "MC|PingHost".encode("utf-16-be"))


async def test_legacy_opengsq_splits_utf16_bytes_where_it_must_not() -> None:
    # Notes §1.2: opengsq splits the raw UTF-16 bytes on 00 00, which also matches across an
    # odd boundary: U+0100 then U+0041 is 01 00 00 41. Decode first, then split (mcstatus, ours).
    spec = LegacySpec(motd="ĀA")
    async with FakeMinecraftServer(mode="legacy", legacy=spec) as server:
        host, port = server.address
        theirs = await LegacyServer(host, port, timeout=TIMEOUT).async_status(tries=1)
        ours = await minecraft.legacy_status(host, port, timeout=TIMEOUT)
        with pytest.raises(UnicodeDecodeError):
            await Minecraft(host, port, TIMEOUT).get_status_pre17()
    assert theirs.motd.to_plain() == ours.motd == "ĀA"


async def test_pre_1_4_answer() -> None:
    spec = LegacySpec(motd="A Beta Server", online=1, max_players=8)
    async with FakeMinecraftServer(mode="pre14", legacy=spec) as server:
        host, port = server.address
        theirs = await LegacyServer(host, port, timeout=TIMEOUT).async_status(tries=1)
        ours = await minecraft.status(host, port, timeout=TIMEOUT)
        # Notes §1.2 "Pre-1.4 detection": text not starting with §1 is motd§online§max.
        # opengsq assumes the 1.4 fields and indexes past the end.
        with pytest.raises(IndexError):
            await Minecraft(host, port, TIMEOUT).get_status_pre17()
    assert ours.version is not None and ours.players is not None
    assert theirs.version.name == ours.version.name == "<1.4"
    assert theirs.version.protocol == ours.version.protocol == -1
    assert theirs.motd.to_plain() == ours.motd == "A Beta Server"
    assert (theirs.players.online, theirs.players.max) == (ours.players.online, 8) == (1, 8)
