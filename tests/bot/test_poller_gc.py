"""The poll round pauses the cycle collector while it fans out (bench/results/poller.md: full
collections over a 10,000-server heap cost a third of the round), and always turns it back on."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.adapters.a2s import player_infos
from bot.protocols.a2s import Player
from bot.services.status.player_names import PollContext
from bot.services.status.poller import Poller
from bot.snapshots import PlayerInfo, ServerInfo, Target
from bot.storage import NewServer, Store


class RecordingSource:
    """Answers every target; records whether automatic collection was on during each fetch."""

    def __init__(self, hang: bool = False) -> None:
        self.enabled_during_fetch: list[bool] = []
        self.hang = hang
        self.started = asyncio.Event()

    async def fetch(self, target: Target, context: PollContext, timeout: float) -> ServerInfo:
        self.enabled_during_fetch.append(gc.isenabled())
        self.started.set()
        if self.hang:
            await asyncio.Event().wait()
        await asyncio.sleep(0)  # other tasks run while this one waits, as on the network
        self.enabled_during_fetch.append(gc.isenabled())
        return ServerInfo("srv", "map", 1, 10, 0, False, True, "1", "game", 12.0)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await Store.open(tmp_path / "db.sqlite3")
    for port in range(1, 6):
        await s.servers.add(
            NewServer(1, f"s{port}", "other", "127.0.0.1", port, port, None, None, 1)
        )
    yield s
    await s.close()


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.mark.usefixtures("collector_on")
async def test_round_fans_out_with_the_collector_paused_and_turns_it_back_on(
    store: Store,
) -> None:
    source = RecordingSource()
    poller = Poller(store, source, interval=60, query_timeout=1.0)
    report = await poller.run_round()
    assert report.answered == 5
    assert source.enabled_during_fetch == [False] * 10
    assert gc.isenabled()
    # Between rounds (Discord events, commands) the collector runs as usual.
    await poller.run_round()
    assert gc.isenabled() and source.enabled_during_fetch == [False] * 20


@pytest.mark.usefixtures("collector_on")
async def test_a_cancelled_round_turns_the_collector_back_on(store: Store) -> None:
    source = RecordingSource(hang=True)
    poller = Poller(store, source, interval=60, query_timeout=30.0)
    task = asyncio.create_task(poller.run_round())
    await source.started.wait()
    assert not gc.isenabled()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert gc.isenabled()


async def test_a_collector_the_application_turned_off_stays_off(store: Store) -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        source = RecordingSource()
        await Poller(store, source, interval=60, query_timeout=1.0).run_round()
        assert not gc.isenabled()
        assert source.enabled_during_fetch == [False] * 10
    finally:
        if was:
            gc.enable()


def test_player_values_from_a2s_players_equal_constructed_ones() -> None:
    raw = [Player(0, "Ann", 3, 12.5), Player(0, b"B\xffb", -1, 0.0)]
    built = player_infos(raw)
    assert built == [PlayerInfo("Ann", 3, 12.5), PlayerInfo("B\ufffdb", -1, 0.0)]
    assert hash(built[0]) == hash(PlayerInfo("Ann", 3, 12.5))
    with pytest.raises(AttributeError):  # still frozen
        built[0].name = "x"  # type: ignore[misc]
