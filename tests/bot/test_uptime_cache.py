"""Boards' 7-day uptime: one grouped read per hour for the addresses due, on both engines."""

from __future__ import annotations

from bot.rendering.embeds import compact_embed, detailed_embed
from bot.rendering.text import percent_up
from bot.rendering.views import ServerView
from bot.services.status.uptime_cache import REFRESH, UptimeCache
from bot.snapshots import Snapshot, State, Target
from bot.storage import Server, Store
from bot.storage.history import Sample

NOW = 1_800_000_000.0


def samples(target: str, states: str) -> list[Sample]:
    return [
        Sample(target, NOW - 60 * (len(states) - i), c == "u", 1, 10, 0, "m", None)
        for i, c in enumerate(states)
    ]


async def test_counts_are_read_once_an_hour(backend_store: Store) -> None:
    history = backend_store.history
    await history.add_many(samples("a:1", "uuud") + samples("b:2", "uu"))
    clock = [NOW]
    cache = UptimeCache(history, lambda: clock[0])
    assert await cache.counts(["a:1", "b:2", "c:3"]) == {
        "a:1": (3, 4),
        "b:2": (2, 2),
        "c:3": (0, 0),
    }
    await history.add_many([Sample("a:1", NOW + 1, False, 0, 10, 0, "m", None)])
    clock[0] = NOW + REFRESH - 1
    assert (await cache.counts(["a:1"]))["a:1"] == (3, 4)  # within the hour: no read
    assert cache.reads == 1
    clock[0] = NOW + REFRESH
    assert (await cache.counts(["a:1"]))["a:1"] == (3, 5)
    assert cache.reads == 2


def test_board_embeds_show_the_weeks_uptime() -> None:
    server = Server(1, 1, "Main", "cs2", "127.0.0.1", 27015, 27015, None, None, 1, "", "")
    down = Snapshot(
        Target.of("127.0.0.1", 27015), State.OFFLINE, None, last_seen=NOW, down_since=NOW
    )
    view = ServerView(server, down, uptime=(9_995, 10_000))
    for embed in (compact_embed(view), detailed_embed(view)):
        assert "· ⏱️ 99.9 % up (7 d)" in (embed.description or "").split("\n")[0]
    assert "⏱️" not in (compact_embed(ServerView(server, down, uptime=(0, 0))).description or "")
    assert percent_up(10, 10) == "100" and percent_up(0, 0) == "-" and percent_up(1, 3) == "33.3"
