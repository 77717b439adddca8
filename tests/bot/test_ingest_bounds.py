"""A hostile game server cannot make the bot store huge strings or lists (issue 12)."""

from __future__ import annotations

from dataclasses import replace

from bot import snapshots
from bot.adapters.registry import default_query_adapters
from bot.protocols.a2s import A2SEngine
from bot.services.status.poller import Poller
from bot.services.status.status_source import AdapterStatusSource
from bot.snapshots import (
    MAX_LISTED_PLAYERS,
    MAX_MAP,
    MAX_PLAYER_NAME,
    MAX_SERVER_NAME,
    Hysteresis,
    PlayerInfo,
    ServerInfo,
    Snapshot,
    Target,
)
from bot.storage import NewServer, Store
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec, PlayerSpec


async def test_huge_a2s_strings_are_clipped_before_snapshots_and_history(store: Store) -> None:
    # Measured on main: a 100 KB map name and 255 names of 900 characters grew the database
    # by 3.1 MB in 35 s.
    spec = InfoSpec(
        server_name="N" * 5000,
        map_name="M" * 100_000,
        version="9" * 3000,
        game="G" * 3000,
        player_count=255,
        max_players=255,
    )
    players = [PlayerSpec(f"{i:03d}" + "x" * 897, i, 10.0) for i in range(255)]
    async with (
        FakeA2SServer(info=spec, players=players, split_size=1248) as server,
        A2SEngine() as engine,
    ):
        host, port = server.address
        await store.servers.add(NewServer(1, "evil", "other", host, port, port, None, None, 1))
        poller = Poller(
            store,
            AdapterStatusSource(default_query_adapters(engine)),
            interval=60,
            query_timeout=3.0,
        )
        report = await poller.run_round()
        assert report.answered == 1
        (registered,) = await store.servers.all()
        snap = poller.snapshot(registered)
    assert snap.online and snap.info is not None
    info = snap.info
    assert len(info.name) <= MAX_SERVER_NAME and info.name.startswith("NNN")
    assert len(info.map) <= MAX_MAP and info.map.endswith("…")
    assert len(info.version) <= snapshots.MAX_VERSION
    assert len(info.product) <= snapshots.MAX_PRODUCT
    assert len(info.player_list) == 255
    assert all(len(p.name) <= MAX_PLAYER_NAME for p in info.player_list)
    assert info.player_list[7].name.startswith("007xx")  # clipped, still told apart
    (sample,) = await store.history.between(Target.of(host, port).key, 0, float("inf"))
    assert len(sample.map) <= MAX_MAP


def _info(**kw: object) -> ServerInfo:
    base = ServerInfo("srv", "map", 3, 10, 0, False, True, "1", "game", 12.0)
    return replace(base, **kw)  # type: ignore[arg-type]


def test_every_protocol_goes_through_the_bounds_at_the_snapshot() -> None:
    many = tuple(PlayerInfo("p" * 500, 0, 0.0) for _ in range(10_000))
    hostile = _info(player_list=many, players=10**9, max_players=-5, bots=10**7)
    snap = Hysteresis().success(Snapshot(Target.of("h", 1)), hostile, 1.0)
    assert snap.info is not None
    assert len(snap.info.player_list) == MAX_LISTED_PLAYERS
    assert all(len(p.name) == MAX_PLAYER_NAME for p in snap.info.player_list)
    assert (snap.info.players, snap.info.max_players, snap.info.bots) == (65535, 0, 65535)


def test_answers_within_bounds_are_kept_as_they_are() -> None:
    fine = _info(player_list=(PlayerInfo("alice", 1, 2.0),), name="x" * MAX_SERVER_NAME)
    assert snapshots.bounded(fine) is fine
    snap = Hysteresis().success(Snapshot(Target.of("h", 1)), fine, 1.0)
    assert snap.info is fine


async def test_probe_answers_for_server_add_are_bounded_too() -> None:
    from bot.services.servers.network import AdapterQueryClient

    spec = InfoSpec(server_name="S" * 20_000, map_name="M" * 20_000)
    async with FakeA2SServer(info=spec, split_size=1248) as server:
        answer = await AdapterQueryClient(default_query_adapters()).info(
            *server.address, timeout=3.0
        )
    assert len(answer.name) <= MAX_SERVER_NAME and len(answer.map) <= MAX_MAP
