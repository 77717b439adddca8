"""The Palworld query adapter: neutral status, raw fields, typed failures, no password leaks."""

from __future__ import annotations

import json

import pytest

from bot.adapters.palworld import PalworldAdapter
from bot.adapters.query import QueryAdapter, QueryError, QueryFailure
from tests.fakes.palworld_server import FakePalworldServer

PASSWORD = "adapter-secret-pw"


def test_it_is_a_query_adapter() -> None:
    adapter: QueryAdapter = PalworldAdapter()
    assert (adapter.protocol, adapter.transport) == ("palworld", "TCP")


async def test_status_is_neutral_and_raw_fields_are_json() -> None:
    adapter = PalworldAdapter()
    async with FakePalworldServer(password=PASSWORD) as server:
        result = await adapter.query(*server.address, timeout=2.0, password=PASSWORD)
    status = result.status
    assert (status.name, status.players, status.max_players) == ("Outpost Pals", 2, 32)
    assert (status.version, status.product, status.map) == ("v0.3.11.0", "Palworld", "")
    assert [p.name for p in status.player_list] == ["Alice", "Bob"] and status.players_known
    assert status.ping_ms > 0
    fields = adapter.raw_fields(result.raw)
    json.dumps(fields)
    assert fields["metrics"]["days"] == 12
    assert fields["players"][1]["user_id"] == "ps5_4591469878499095569"
    assert fields["info"]["worldguid"] == "E5A1B2C3D4E5F60718293A4B5C6D7E8F"
    assert adapter.raw_fields(None) == {}


async def test_players_false_skips_the_player_list() -> None:
    async with FakePalworldServer(password=PASSWORD) as server:
        result = await PalworldAdapter().query(
            *server.address, timeout=2.0, players=False, password=PASSWORD
        )
    assert not result.status.players_known and result.status.players == 2
    assert ("GET", "players") not in server.requests


async def test_no_password_is_auth_required_and_sends_nothing() -> None:
    async with FakePalworldServer(password=PASSWORD) as server:
        for password in (None, ""):
            with pytest.raises(QueryError) as caught:
                await PalworldAdapter().query(*server.address, timeout=2.0, password=password)
            assert caught.value.failure is QueryFailure.AUTH_REQUIRED
    assert server.requests == []


async def test_wrong_password_is_auth_refused_and_never_shown() -> None:
    async with FakePalworldServer(password="the-right-one") as server:
        with pytest.raises(QueryError) as caught:
            await PalworldAdapter().query(*server.address, timeout=2.0, password=PASSWORD)
    assert caught.value.failure is QueryFailure.AUTH_REFUSED
    chain: BaseException | None = caught.value
    while chain is not None:
        assert PASSWORD not in str(chain) and PASSWORD not in repr(chain)
        chain = chain.__cause__ or chain.__context__


@pytest.mark.parametrize(
    ("modes", "info"), [({"info": "missing"}, None), ({}, {"no": "version or servername"})]
)
async def test_another_http_server_is_not_palworld(
    modes: dict[str, str], info: dict[str, str] | None
) -> None:
    # An Unreal HTTP server without these routes (Epic's route_handler_not_found 404), or one
    # whose /info has none of Palworld's fields.
    async with FakePalworldServer(password=PASSWORD, modes=modes, info=info) as server:
        with pytest.raises(QueryError) as caught:
            await PalworldAdapter().query(*server.address, timeout=2.0, password=PASSWORD)
    assert caught.value.failure is QueryFailure.NOT_THIS_PROTOCOL
