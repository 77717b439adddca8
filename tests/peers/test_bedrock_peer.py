"""mcstatus (``BedrockServer``) and opengsq (``RakNet``) against our fake Bedrock server
(``tests/fakes/bedrock_server.py``), our own ``bedrock.ping`` on the same fake: all must decode
the same pong. Differences are checked against protocol-notes-2.md §2."""

from __future__ import annotations

import pytest
from mcstatus import BedrockServer
from mcstatus.motd.components import BedrockFormatting, BedrockMinecraftColor
from opengsq.protocols import RakNet

from bot.protocols import bedrock
from tests.fakes.bedrock_server import NOTES_MOTD, FakeBedrockServer, motd_string

pytestmark = pytest.mark.timeout(10)

TIMEOUT = 2.0
GUID = 0x1122334455667788


async def test_pong_all_three_agree() -> None:
    motd = motd_string(
        name="Outpost Bedrock",
        protocol=766,
        version="1.21.50",
        players=7,
        max_players=40,
        server_id=GUID,
        level_name="Outpost world",
        game_mode="Creative",
        game_mode_id=2,
        port_v4=19132,
        port_v6=19133,
    )
    async with FakeBedrockServer(motd, server_guid=GUID) as server:
        host, port = server.address
        theirs = await BedrockServer(host, port, timeout=TIMEOUT).async_status(tries=1)
        opengsq = await RakNet(host, port, TIMEOUT).get_status()
        ours = await bedrock.ping(host, port, timeout=TIMEOUT)

    fields = ours.motd
    assert theirs.motd.to_plain() == opengsq.motd_line1 == fields.name == "Outpost Bedrock"
    assert theirs.version.brand == opengsq.edition == fields.edition.value == "MCPE"
    assert theirs.version.protocol == opengsq.protocol_version == fields.protocol == 766
    assert theirs.version.name == opengsq.version_name == fields.version == "1.21.50"
    assert (theirs.players.online, theirs.players.max) == (7, 40)
    assert (opengsq.num_players, opengsq.max_players) == (fields.players, fields.max_players)
    assert (fields.players, fields.max_players) == (7, 40)
    assert theirs.map_name == opengsq.motd_line2 == fields.level_name == "Outpost world"
    assert theirs.gamemode == opengsq.game_mode == fields.game_mode == "Creative"
    assert opengsq.game_mode_numeric == fields.game_mode_id == 2
    assert (opengsq.port_ipv4, opengsq.port_ipv6) == (fields.port_v4, fields.port_v6)
    assert int(opengsq.server_unique_id) == fields.server_id == ours.server_guid == GUID
    assert theirs.latency > 0 and ours.latency > 0
    # Every ping the fake got was a valid 33-byte Unconnected Ping (it ignores anything else).
    assert server.requests == 3 and all(len(ping) == 33 for ping in server.received)


async def test_notes_example_with_empty_fields() -> None:
    # The notes' real capture (mcstatus's fixture): empty version name and level name, IPv6
    # port -1, colour codes in the MOTD.
    async with FakeBedrockServer(NOTES_MOTD) as server:
        host, port = server.address
        theirs = await BedrockServer(host, port, timeout=TIMEOUT).async_status(tries=1)
        opengsq = await RakNet(host, port, TIMEOUT).get_status()
        ours = await bedrock.ping(host, port, timeout=TIMEOUT)

    assert theirs.motd.to_plain() == ours.motd.name == "GayBowser"
    assert opengsq.motd_line1 == ours.motd.name_raw  # opengsq keeps the codes
    assert theirs.version.name == opengsq.version_name == ours.motd.version == ""
    assert theirs.map_name == opengsq.motd_line2 == ours.motd.level_name == ""
    assert (theirs.players.online, theirs.players.max) == (ours.motd.players, 69) == (1, 69)
    assert theirs.gamemode == opengsq.game_mode == ours.motd.game_mode == "Default"
    # -1 = no IPv6 port: opengsq passes the number on, ours says there is none.
    assert opengsq.port_ipv6 == -1 and ours.motd.port_v6 is None


async def test_missing_trailing_fields_opengsq_fails() -> None:
    # Notes §2: fields may be missing at the end; mcstatus treats fields 8+ as optional, opengsq
    # calls int() on every numeric field and fails.
    async with FakeBedrockServer("MCPE;Short MOTD;422;1.20.1;3;10;") as server:
        host, port = server.address
        theirs = await BedrockServer(host, port, timeout=TIMEOUT).async_status(tries=1)
        ours = await bedrock.ping(host, port, timeout=TIMEOUT)
        with pytest.raises(ValueError, match="invalid literal for int"):
            await RakNet(host, port, TIMEOUT).get_status()
    assert theirs.motd.to_plain() == ours.motd.name == "Short MOTD"
    assert (theirs.players.online, theirs.players.max) == (ours.motd.players, 10) == (3, 10)
    assert theirs.map_name is None and theirs.gamemode is None
    assert ours.motd.server_id is None and ours.motd.level_name == ""


async def test_bedrock_m_and_n_are_colours_not_formatting() -> None:
    # Notes §2: on Bedrock §m/§n are material colours, not strikethrough/underline.
    motd = motd_string(name="§mRed§nCopper§lBold")
    async with FakeBedrockServer(motd) as server:
        host, port = server.address
        theirs = await BedrockServer(host, port, timeout=TIMEOUT).async_status(tries=1)
        ours = await bedrock.ping(host, port, timeout=TIMEOUT)
    assert theirs.motd.parsed == [
        BedrockMinecraftColor.MATERIAL_REDSTONE,
        "Red",
        BedrockMinecraftColor.MATERIAL_COPPER,
        "Copper",
        BedrockFormatting.BOLD,
        "Bold",
    ]
    assert theirs.motd.to_plain() == ours.motd.name == "RedCopperBold"
