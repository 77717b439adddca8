"""The poller: isolation of each server's query, dedupe by address, history, listeners."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable

import pytest

from bot.adapters.registry import default_query_adapters
from bot.crypto import DecryptionError
from bot.services.status.player_names import PollContext
from bot.services.status.poller import Poller, RoundReport
from bot.services.status.status_source import AdapterStatusSource
from bot.snapshots import Hysteresis, PlayerInfo, ServerInfo, State, Target
from bot.storage import NewServer, Store
from bot.storage.history import Sample
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec, PlayerSpec
from tests.fakes.waiting import round_heard


def info(players: int = 3, name: str = "srv") -> ServerInfo:
    return ServerInfo(name, "map", players, 10, 0, False, True, "1", "game", 12.0)


Behaviour = Callable[[Target], ServerInfo]


class ScriptedSource:
    """Answers per port: a callable, ``"dead"`` (times out), ``"raise"`` or ``"hang"``."""

    def __init__(self) -> None:
        self.plan: dict[int, object] = {}
        self.calls: Counter[Target] = Counter()
        self.contexts: dict[Target, PollContext] = {}

    async def fetch(self, target: Target, context: PollContext, timeout: float) -> ServerInfo:
        self.calls[target] += 1
        self.contexts[target] = context
        what = self.plan.get(target.port, "ok")
        if what == "dead":
            raise TimeoutError
        if what == "raise":
            raise RuntimeError("hostile answer")
        if what == "hang":
            await asyncio.Event().wait()  # ignores its time limit: the poller must cut it
        if callable(what):
            result: ServerInfo = what(target)
            return result
        return info()


async def add(
    store: Store, guild: int, name: str, port: int, host: str = "127.0.0.1", game: str = "other"
) -> None:
    await store.servers.add(NewServer(guild, name, game, host, port, port, None, None, 1))


async def test_dead_and_hostile_servers_do_not_delay_or_break_others(store: Store) -> None:
    source = ScriptedSource()
    source.plan = {2: "dead", 3: "raise", 4: "hang"}
    for port in (1, 2, 3, 4, 5):
        await add(store, 1, f"s{port}", port)
    poller = Poller(store, source, interval=60, query_timeout=0.2)
    started = time.monotonic()
    report = await poller.run_round()
    assert time.monotonic() - started < 2.0  # the hanging one was cut at its bound
    assert report.targets == 5 and report.answered == 2
    servers = {s.name: s for s in await store.servers.all()}
    assert poller.snapshot(servers["s1"]).online
    assert poller.snapshot(servers["s5"]).online
    for name, why in (("s2", "no answer"), ("s3", "bad answer"), ("s4", "no answer")):
        snap = poller.snapshot(servers[name])
        assert snap.state is State.UNKNOWN and snap.failures == 1 and snap.error == why
    # The next round goes on, and the failing ones are now offline (2 failures).
    await poller.run_round()
    assert poller.snapshot(servers["s3"]).state is State.OFFLINE


async def test_an_exception_no_adapter_should_raise_is_logged_once_per_kind(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    source = ScriptedSource()
    source.plan = {1: "raise", 2: "raise", 3: "dead"}
    for port in (1, 2, 3):
        await add(store, 1, f"s{port}", port)
    poller = Poller(store, source, interval=60, query_timeout=0.2)
    with caplog.at_level(logging.ERROR, logger="bot.services.status.failures"):
        await poller.run_round()
        await poller.run_round()
    bugs = [r for r in caplog.records if "no adapter should" in r.getMessage()]
    # Two servers, two rounds: one line, with the traceback; a timeout is no bug.
    assert len(bugs) == 1 and "RuntimeError" in bugs[0].getMessage() and bugs[0].exc_info


async def test_same_address_in_two_guilds_is_queried_once(store: Store) -> None:
    source = ScriptedSource()
    await add(store, 1, "Main", 7000, host="Game.Example")
    await add(store, 2, "Theirs", 7000, host="game.example")
    await add(store, 2, "Other", 7001, host="game.example")
    poller = Poller(store, source, interval=60)
    report = await poller.run_round()
    assert report.targets == 2
    assert source.calls == {Target("game.example", 7000): 1, Target("game.example", 7001): 1}
    assert source.contexts[Target("game.example", 7000)].games == frozenset({"other"})
    assert await store.history.count() == 2  # one sample per address
    assert poller.total_players() == 6  # each address counted once
    assert poller.total_players([1]) == 3


async def test_history_samples_and_pruning(store: Store) -> None:
    now = [1_000_000.0]
    source = ScriptedSource()
    source.plan = {2: "dead"}
    await add(store, 1, "up", 1)
    await add(store, 1, "down", 2)
    old = Sample("127.0.0.1:1", now[0] - 40 * 86400, True, 1, 2, 0, "m", 1.0)
    await store.history.add_many([old])
    poller = Poller(store, source, interval=60, retention_days=30, clock=lambda: now[0])
    await poller.run_round()
    up = await store.history.between("127.0.0.1:1", now[0] - 10, now[0] + 10)
    down = await store.history.between("127.0.0.1:2", now[0] - 10, now[0] + 10)
    assert [(s.online, s.players, s.max_players, s.map) for s in up] == [(True, 3, 10, "map")]
    assert [(s.online, s.players, s.ping_ms) for s in down] == [(False, 0, None)]
    assert await store.history.between("127.0.0.1:1", 0, now[0] - 86400) == []  # pruned


async def test_listener_errors_and_round_errors_never_stop_the_loop(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = ScriptedSource()
    await add(store, 1, "a", 1)
    poller = Poller(store, source, interval=0.01)
    seen: list[RoundReport] = []

    async def broken(report: RoundReport) -> None:
        raise RuntimeError("listener bug")

    async def recorder(report: RoundReport) -> None:
        seen.append(report)

    poller.add_listener(broken)
    poller.add_listener(recorder)
    original = store.servers.all
    calls = 0

    async def flaky_all() -> list:  # type: ignore[type-arg]
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("database hiccup")
        return await original()

    monkeypatch.setattr(store.servers, "all", flaky_all)
    task = asyncio.create_task(poller.run())
    try:
        await asyncio.wait_for(round_heard(poller, 3), 10)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert len(seen) >= 3 and calls >= 4  # the failed round was skipped, not fatal


async def test_transitions_reported_once(store: Store) -> None:
    source = ScriptedSource()
    await add(store, 1, "a", 1)
    poller = Poller(store, source, interval=60, hysteresis=Hysteresis(2, 2))
    reports = [await poller.run_round()]
    source.plan = {1: "dead"}
    reports += [await poller.run_round() for _ in range(3)]
    source.plan = {}
    reports += [await poller.run_round() for _ in range(3)]
    changes = [(r.number, t.after.state) for r in reports for t in r.transitions]
    assert changes == [(1, State.ONLINE), (3, State.OFFLINE), (6, State.ONLINE)]


async def test_removed_servers_are_forgotten_and_autocomplete_is_from_memory(
    store: Store,
) -> None:
    source = ScriptedSource()
    for name, port in (("Alpha", 1), ("beta", 2), ("Alphabet", 3)):
        await add(store, 1, name, port)
    await add(store, 2, "Alpine", 4)
    poller = Poller(store, source, interval=60)
    await poller.run_round()
    assert poller.names(1, "alp") == ["Alpha", "Alphabet"]
    assert poller.names(1, "ta") == ["beta"]
    assert poller.names(2, "") == ["Alpine"]
    await store.servers.remove(1, "beta")
    await poller.run_round()
    assert Target("127.0.0.1", 2) not in poller._snapshots
    assert len(poller.names(1, "", limit=1)) == 1


async def test_live_query_folds_into_the_snapshot(store: Store) -> None:
    source = ScriptedSource()
    await add(store, 1, "a", 1)
    poller = Poller(store, source, interval=60)
    await poller.refresh_roster()
    (server,) = await store.servers.all()
    assert not poller.is_fresh(poller.snapshot(server))
    snap = await poller.query_now(server, 0.5)
    assert snap.online and poller.is_fresh(snap)
    source.plan = {1: "hang"}
    started = time.monotonic()
    snap = await poller.query_now(server, 0.1)
    assert time.monotonic() - started < 2 and snap.failures == 1


class FixedNames:
    def __init__(self, names: list[str] | Exception) -> None:
        self.result = names
        self.contexts: list[PollContext] = []

    async def names(self, context: PollContext) -> list[str]:
        self.contexts.append(context)
        if isinstance(self.result, Exception):
            raise self.result
        return list(self.result)


async def test_a2s_source_reads_info_and_players_from_the_engine() -> None:
    from bot.protocols.a2s import A2SEngine

    spec = InfoSpec(
        server_name="Real",
        map_name="de_nuke",
        player_count=2,
        max_players=8,
        bot_count=1,
        password_protected=True,
    )
    players = [PlayerSpec("alice", 3, 61.0), PlayerSpec("bob", 1, 5.0)]
    async with FakeA2SServer(info=spec, players=players) as server, A2SEngine() as engine:
        target = Target.of(*server.address)
        got = await AdapterStatusSource(default_query_adapters(engine)).fetch(
            target, PollContext(target), 2.0
        )
    assert (got.name, got.map, got.players, got.max_players, got.bots, got.password) == (
        "Real",
        "de_nuke",
        2,
        8,
        1,
        True,
    )
    assert got.player_list == (PlayerInfo("alice", 3, 61.0), PlayerInfo("bob", 1, 5.0))
    assert got.ping_ms >= 0


async def test_dayz_names_come_from_battleye_when_a2s_names_are_empty() -> None:
    from bot.protocols.a2s import A2SEngine
    from bot.services.status.player_names import RconAccess

    players = [PlayerSpec("", 0, 10.0), PlayerSpec("", 0, 20.0)]
    async with (
        FakeA2SServer(info=InfoSpec(player_count=2), players=players) as server,
        A2SEngine() as engine,
    ):
        target = Target.of(*server.address)
        access = RconAccess("127.0.0.1", 2305, "pw", key="2305:token")
        names = FixedNames(["Survivor", "Bambi"])
        source = AdapterStatusSource(default_query_adapters(engine), names)
        with_be = await source.fetch(target, PollContext(target, frozenset({"dayz"}), access), 2)
        without = await source.fetch(target, PollContext(target, frozenset({"dayz"})), 2)
        names.result = OSError("rcon down")
        failing = await source.fetch(target, PollContext(target, frozenset({"dayz"}), access), 2)
    # The names are the credentials' owner's only: the public list stays A2S's.
    assert [p.name for p in with_be.player_list] == ["", ""]
    assert [p.name for p in with_be.seen_with("2305:token").player_list] == ["Survivor", "Bambi"]
    assert [p.name for p in with_be.seen_with("2305:other").player_list] == ["", ""]
    assert [p.name for p in with_be.seen_with(None).player_list] == ["", ""]
    assert [p.name for p in without.player_list] == ["", ""]
    assert [p.name for p in failing.player_list] == ["", ""]  # A2S answer kept
    assert len(names.contexts) == 2


async def test_poller_builds_battleye_access_only_for_battleye_games(store: Store) -> None:
    source = ScriptedSource()
    await store.servers.add(
        NewServer(1, "Chernarus", "dayz", "127.0.0.1", 2302, 27016, 2305, "token", 1)
    )
    await store.servers.add(
        NewServer(1, "Broken", "dayz", "127.0.0.1", 2402, 27116, 2405, "bad-token", 1)
    )
    await store.servers.add(NewServer(1, "CS", "cs2", "127.0.0.1", 27015, 27015, 27015, "token", 1))

    def password_of(server: object) -> str | None:
        if getattr(server, "rcon_password", None) == "bad-token":
            raise DecryptionError("wrong key")
        return "secret-pw"

    poller = Poller(store, source, interval=60, password_of=password_of)
    await poller.run_round()
    dayz = source.contexts[Target("127.0.0.1", 27016)]
    assert dayz.battleye is not None and dayz.battleye.port == 2305
    assert "secret-pw" not in repr(dayz)
    assert source.contexts[Target("127.0.0.1", 27116)].battleye is None
    assert source.contexts[Target("127.0.0.1", 27015)].battleye is None


async def test_battleye_player_names_against_the_fake_battleye_server() -> None:
    from bot.protocols.battleye import Player
    from bot.services.status.player_names import BattlEyePlayerNames, RconAccess
    from tests.fakes.battleye_server import FakeBattlEyeServer

    roster = [
        Player(0, "Survivor", "10.0.0.1", 2304, 30, "a" * 32, True),
        Player(1, "Lobby Guy", "10.0.0.2", 2304, 40, "b" * 32, True, in_lobby=True),
    ]
    async with FakeBattlEyeServer("be-pass", players=roster) as be:
        host, port = be.address
        target = Target.of("127.0.0.1", 1)
        context = PollContext(target, frozenset({"dayz"}), RconAccess(host, port, "be-pass"))
        names = await BattlEyePlayerNames(login_timeout=1.0).names(context)
        assert await BattlEyePlayerNames().names(PollContext(target)) == []
    assert names == ["Survivor"]
    assert "players" in be.received_commands
