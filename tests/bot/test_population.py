"""Population pings decided by the clock and the counts alone: one ping per crossing, the
hysteresis band, the cooldown, a count already past the threshold at the start."""

from __future__ import annotations

from dataclasses import replace

from bot.services.status.population import band, decide, ping_text
from bot.storage.population import PopulationPing

ABOVE = PopulationPing(1, 1, 1, 2, 3, "above", 30, 3600.0, None, None)


def run(ping: PopulationPing, counts: list[int], step: float = 60.0) -> list[int]:
    """The rounds (indexes) that ping, feeding each decision back as the stored state."""
    fired = []
    for i, players in enumerate(counts):
        now = 1000.0 + i * step
        decision = decide(ping, players, now)
        if decision.fire:
            fired.append(i)
        ping = replace(
            ping, armed=decision.armed, last_fired=now if decision.fire else ping.last_fired
        )
    return fired


def test_one_ping_per_crossing_with_hysteresis() -> None:
    assert band(30) == 3 and band(5) == 1
    # 29 30 31 29 30: one ping (29 is inside the band, not back).
    assert run(ABOVE, [10, 29, 30, 31, 29, 30]) == [2]
    # Back to 27 re-arms; within the cooldown the next crossing stays quiet.
    assert run(ABOVE, [10, 30, 27, 30, 31]) == [1]
    # With the cooldown over, the next crossing pings again.
    assert run(ABOVE, [10, 30, 27, 30], step=3600.0) == [1, 3]


def test_a_count_already_past_is_not_a_crossing() -> None:
    assert run(ABOVE, [35, 40, 31]) == []
    assert run(ABOVE, [35, 26, 30]) == [2]


def test_below_pings_when_it_empties() -> None:
    below = replace(ABOVE, direction="below", threshold=5)
    assert run(below, [20, 6, 5, 4, 6, 5], step=7200.0) == [2, 5]
    assert run(below, [20, 5, 6, 5], step=7200.0) == [1, 3]  # 6 is back: one past the band
    text = ping_text(below, "**Main**", 4, 32)
    assert text == "<@&3> 📉 **\\*\\*Main\\*\\*** is down to **4/32** players."


async def test_storage_on_both_engines(backend_store: object) -> None:
    from bot.storage import NewServer, Store

    assert isinstance(backend_store, Store)
    store = backend_store
    server = await store.servers.add(
        NewServer(1, "Main", "cs2", "127.0.0.1", 27015, 27015, None, None, 1)
    )
    ping = await store.population.add(1, server.id, 2, 3, "above", 20, 9)
    assert (ping.armed, ping.last_fired, ping.cooldown) == (None, None, 3600.0)
    again = await store.population.add(1, server.id, 2, 4, "above", 20, 9, cooldown=0.0)
    assert again.id == ping.id and again.role_id == 4 and again.cooldown == 0.0
    await store.population.set_state(ping.id, False, 1234.5)
    (stored,) = await store.population.for_guild(1)
    assert (stored.armed, stored.last_fired) == (False, 1234.5)
    assert await store.population.count(1) == 1 and await store.population.count(2) == 0
    assert not await store.population.remove(2, ping.id)  # another guild's: untouched
    assert await store.population.remove(1, ping.id)
    assert await store.population.all() == []
