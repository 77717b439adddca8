"""The FiveM query adapter: neutral status, raw fields, the iv cache and typed failures."""

from __future__ import annotations

import json

from bot.adapters.fivem import MAX_CACHED_INFO, FiveMAdapter
from bot.adapters.query import QueryAdapter
from bot.protocols.fivem import FiveMInfo
from tests.fakes.fivem_server import FakeFiveMServer, tiny_png


def test_it_is_a_query_adapter() -> None:
    adapter: QueryAdapter = FiveMAdapter()
    assert (adapter.protocol, adapter.transport) == ("fivem", "TCP")


async def test_status_is_neutral_and_raw_fields_are_json() -> None:
    adapter = FiveMAdapter()
    async with FakeFiveMServer() as server:
        result = await adapter.query(*server.address, timeout=2.0)
    status = result.status
    assert status.name == "Outpost RP | discord.gg/outpost"
    assert (status.map, status.players, status.max_players, status.bots) == (
        "San Andreas",
        2,
        48,
        0,
    )
    assert status.version == "FXServer-master SERVER v1.0.0.7290 linux"
    assert status.product == "Freeroam"
    assert [p.name for p in status.player_list] == ["Alice", "Bob"] and status.players_known
    assert status.ping_ms > 0 and not status.password
    assert result.icon == tiny_png() and result.notes == ()
    fields = adapter.raw_fields(result.raw)
    text = json.dumps(fields)  # JSON-ready as the CLI prints it
    assert fields["info"]["icon_bytes"] == len(tiny_png()) and "iVBOR" not in text
    assert fields["info"]["vars"]["sv_projectName"] == "^1Outpost ^7RP"
    assert fields["dynamic"]["info_version"] == 1234567890
    assert fields["players"][0]["identifiers"][0].startswith("license:")
    assert adapter.raw_fields("not ours") == {}


async def test_second_poll_reuses_info_while_iv_matches() -> None:
    adapter = FiveMAdapter()
    async with FakeFiveMServer() as server:
        await adapter.query(*server.address, timeout=2.0)
        server.requests.clear()
        result = await adapter.query(*server.address, timeout=2.0)
        assert "/info.json" not in server.requests
        server.dynamic = server.dynamic | {"iv": "5"}
        server.requests.clear()
        await adapter.query(*server.address, timeout=2.0)
        assert "/info.json" in server.requests
    assert adapter.raw_fields(result.raw)["info_reused"] is True


async def test_info_cache_is_bounded() -> None:
    adapter = FiveMAdapter()
    info = FiveMInfo("s", 1, "", "", None, (), 0, {})
    for port in range(MAX_CACHED_INFO + 10):
        adapter._remember(("h", port), info)
    assert len(adapter._info) == MAX_CACHED_INFO and ("h", 0) not in adapter._info


async def test_players_false_and_missing_dynamic_json() -> None:
    adapter = FiveMAdapter()
    async with FakeFiveMServer(modes={"/dynamic.json": "missing"}) as server:
        result = await adapter.query(*server.address, timeout=2.0, players=False)
    assert not result.status.players_known and result.status.player_list == ()
    assert result.status.name == "Outpost RP" and result.status.players == 0
    assert result.notes and "sv_projectName" in result.notes[0]
