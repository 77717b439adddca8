"""Channel counter names: fields filled and checked (no attribute access), cut to 100."""

from __future__ import annotations

import pytest

from bot.services.errors import UserError
from bot.services.status.counters import DEFAULT_FORMAT, check_format, render
from bot.snapshots import PlayerInfo, ServerInfo, Snapshot, State, Target


def snap(state: State = State.ONLINE) -> Snapshot:
    info = ServerInfo(
        "x", "chernarus\n", 42, 60, 2, False, False, "1", "dayz", 20.0, (PlayerInfo("a", 0, 0),)
    )
    return Snapshot(Target.of("h", 1), state, info)


def test_render_fills_the_fields() -> None:
    assert render(DEFAULT_FORMAT, "DayZ", snap()) == "🟢 DayZ: 42/60"
    assert (
        render("{status} {name} {map} ({bots} bots)", "D\u202eZ", snap())
        == "🟢 DZ chernarus (2 bots)"
    )
    assert render(DEFAULT_FORMAT, "DayZ", snap(State.OFFLINE)) == "🔴 DayZ: -/60"
    assert render(DEFAULT_FORMAT, "DayZ", None) == "🔴 DayZ: -/-"
    assert len(render("{name}" * 5, "N" * 90, snap())) == 100


UNSAFE = ["{name.__class__}", "{players!r}", "{max:>30}", "{0}", "{secret}", "{"]


@pytest.mark.parametrize("bad", [*UNSAFE, "x" * 101, " "])
def test_only_plain_known_fields(bad: str) -> None:
    with pytest.raises(UserError):
        check_format(bad)


@pytest.mark.parametrize("bad", UNSAFE)
def test_render_refuses_an_unchecked_format(bad: str) -> None:
    with pytest.raises(ValueError):
        render(bad, "n", snap())


async def test_storage_on_both_engines(backend_store: object) -> None:
    from bot.storage import NewServer, Store

    assert isinstance(backend_store, Store)
    store = backend_store
    server = await store.servers.add(
        NewServer(1, "Main", "cs2", "127.0.0.1", 27015, 27015, None, None, 1)
    )
    first = await store.counters.upsert(1, 77, server.id, DEFAULT_FORMAT, 9)
    await store.counters.set_shown(first.id, "🟢 Main: 1/2", 1000.0)
    moved = await store.counters.upsert(1, 77, server.id, "{name}", 9)
    assert moved.id == first.id and moved.format == "{name}"
    assert (moved.shown, moved.renamed_at) == ("🟢 Main: 1/2", 1000.0)  # the limit counts it
    assert [c.channel_id for c in await store.counters.for_guild(1)] == [77]
    assert not await store.counters.remove(2, 77)
    assert await store.counters.remove(1, 77) and await store.counters.all() == []
