"""The Satisfactory query adapter: neutral status, notes and raw fields.

Its failures, shared with the other UDP query adapters, are tested in
tests/adapters/test_udp_query_adapters.py.
"""

from __future__ import annotations

import json

import pytest

from bot.adapters.query import QueryAdapter
from bot.adapters.satisfactory import SatisfactoryAdapter
from tests.adapters.statuses import headline
from tests.fakes.satisfactory_server import FakeSatisfactoryServer


async def test_status_is_neutral_and_raw_fields_are_json() -> None:
    adapter: QueryAdapter = SatisfactoryAdapter()
    async with FakeSatisfactoryServer(name="Fabrik ü") as server:
        result = await adapter.query(*server.address, timeout=2.0)
    status = result.status
    assert headline(status) == ("Fabrik ü", "", 0, 0, 0)
    assert not status.players_known  # the UDP query carries no player counts
    assert status.version == "CL 366202" and status.product == "Satisfactory"
    assert 0 < status.ping_ms < 1000 and result.notes == ()
    fields = adapter.raw_fields(result.raw)
    assert fields["state_name"] == "playing" and fields["modded"] is False
    assert fields["sub_states"][0] == {"id": 0, "version": 17, "kind": "server_game_state"}
    json.dumps(fields)
    assert adapter.raw_fields("x") == {}


@pytest.mark.parametrize(
    ("state", "note"),
    [(1, "no save loaded"), (2, "loading a save"), (7, "unknown server state 7")],
)
async def test_states_other_than_playing_become_notes(state: int, note: str) -> None:
    async with FakeSatisfactoryServer(state=state, flags=1) as server:
        result = await SatisfactoryAdapter().query(*server.address, timeout=2.0)
    assert len(result.notes) == 1 and note in result.notes[0]
    assert result.status.product == "Satisfactory (modded)"
    json.dumps(SatisfactoryAdapter().raw_fields(result.raw))
