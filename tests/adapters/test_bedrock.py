"""The Bedrock query adapter: neutral status and raw fields, against the fake.

Its failures, shared with the other UDP query adapters, are tested in
tests/adapters/test_udp_query_adapters.py.
"""

from __future__ import annotations

import json

from bot.adapters.bedrock import BedrockAdapter
from bot.adapters.query import QueryAdapter
from tests.adapters.statuses import headline
from tests.fakes.bedrock_server import NOTES_MOTD, FakeBedrockServer, motd_string


async def test_status_is_neutral_and_raw_fields_are_json() -> None:
    motd = motd_string(name="§aSky§r Wars", players=7, max_players=40, level_name="Lobby")
    adapter: QueryAdapter = BedrockAdapter()
    async with FakeBedrockServer(motd, server_guid=42) as server:
        result = await adapter.query(*server.address, timeout=2.0)
    status = result.status
    assert headline(status) == ("Sky Wars", "Lobby", 7, 40, 0)
    assert status.version == "1.21.2" and status.product == "Minecraft: Bedrock Edition"
    assert not status.password and not status.vac
    assert status.player_list == () and not status.players_known  # the pong names nobody
    assert 0 < status.ping_ms < 1000
    fields = adapter.raw_fields(result.raw)
    assert fields["server_guid"] == 42
    assert fields["motd"]["edition"] == "MCPE" and fields["motd"]["name_raw"] == "§aSky§r Wars"
    json.dumps(fields)
    assert adapter.raw_fields(object()) == {}


async def test_the_notes_capture_with_an_empty_version() -> None:
    async with FakeBedrockServer(NOTES_MOTD) as server:
        result = await BedrockAdapter().query(*server.address, timeout=2.0)
    # The version name is empty there: the protocol number stands in.
    assert result.status.version == "protocol 422"
    assert result.status.name == "GayBowser" and result.status.map == ""


async def test_education_edition_product() -> None:
    async with FakeBedrockServer(motd_string(edition="MCEE")) as server:
        result = await BedrockAdapter().query(*server.address, timeout=2.0)
    assert result.status.product == "Minecraft Education"
