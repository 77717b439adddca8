"""Feed storage: subscriptions with forward-only cursors, events, sessions, retention."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.storage import NewServer, Server, Store
from bot.storage.events import Event


@pytest.fixture
async def store(backend_store: Store) -> AsyncIterator[Store]:
    # Parametrised over SQLite and PostgreSQL (tests/bot/conftest.py).
    yield backend_store


async def add_server(store: Store, name: str = "Main", guild: int = 1) -> Server:
    return await store.servers.add(
        NewServer(guild, name, "cs2", "127.0.0.1", 27015, 27015, None, None, 1)
    )


async def test_events_get_increasing_ids_and_are_read_after_a_cursor(store: Store) -> None:
    server = await add_server(store)
    stored = await store.events.add_many(
        [Event(server.id, 100.0 + n, "join", f"p{n}") for n in range(5)]
        + [Event(server.id, 200.0, "chat", "p0", text="hi")]
    )
    ids = [e.id for e in stored]
    assert ids == sorted(ids) and len(set(ids)) == 6
    after = await store.events.after(server.id, ids[1], 0.0, ["join"])
    assert [e.player for e in after] == ["p2", "p3", "p4"]
    assert await store.events.after(server.id, 0, 103.5, ["join"]) == [stored[4]]
    assert await store.events.after(server.id, 0, 0.0, []) == []
    await store.events.set_join_guid(server.id, "p4", "g" * 32)
    assert (await store.events.recent(server.id, 2))[0].guid == "g" * 32
    assert await store.events.prune(102.0) == 2


async def test_new_subscriptions_start_after_existing_events(store: Store) -> None:
    server = await add_server(store)
    stored = await store.events.add_many([Event(server.id, 1.0, "join", "a")])
    feed = await store.feeds.upsert(1, server.id, 10, frozenset({"joins"}), 5)
    assert feed.delivered_through == stored[0].id
    again = await store.feeds.upsert(1, server.id, 10, frozenset({"chat", "joins"}), 5)
    assert again.id == feed.id and again.kinds == {"chat", "joins"}
    watch = await store.watches.upsert(1, server.id, "Bob", "bob", 10, None, 5)
    assert watch.delivered_through == stored[0].id


async def test_cursors_only_move_forward(store: Store) -> None:
    server = await add_server(store)
    feed = await store.feeds.upsert(1, server.id, 10, frozenset({"joins"}), 5)
    watch = await store.watches.upsert(1, server.id, "Bob", "bob", 10, 3, 5)
    await store.feeds.advance({feed.id: 9})
    await store.feeds.advance({feed.id: 4})
    await store.watches.advance({watch.id: 7})
    await store.watches.advance({watch.id: 2})
    assert (await store.feeds.all())[0].delivered_through == 9
    assert (await store.watches.all())[0].delivered_through == 7


async def test_feeds_and_watches_are_scoped_by_guild_and_removed(store: Store) -> None:
    main = await add_server(store)
    other = await add_server(store, "Other", guild=2)
    await store.feeds.upsert(1, main.id, 10, frozenset({"joins"}), 5)
    await store.feeds.upsert(1, main.id, 11, frozenset({"chat"}), 5)
    await store.feeds.upsert(2, other.id, 12, frozenset({"joins"}), 5)
    assert len(await store.feeds.for_guild(1)) == 2
    assert await store.feeds.remove(2, main.id, None) == []
    removed = await store.feeds.remove(1, main.id, 11)
    assert [f.channel_id for f in removed] == [11]
    await store.watches.upsert(1, main.id, "Bob", "bob", 10, None, 5)
    assert await store.watches.remove(2, main.id, "bob") is None
    assert (await store.watches.remove(1, main.id, "bob")) is not None
    # Removing the server removes its subscriptions.
    await store.servers.remove(2, "Other")
    assert await store.feeds.for_guild(2) == []


async def test_sessions_open_close_lookup_and_prune(store: Store) -> None:
    main = await add_server(store)
    other = await add_server(store, "Other")
    sessions = store.sessions
    await sessions.open(main.id, "Bob", None, "a2s", 100.0)
    await sessions.open(main.id, "Player", None, "a2s", 100.0)
    await sessions.open(main.id, "Player", None, "a2s", 110.0)
    assert sorted(await sessions.open_names(main.id, "a2s")) == ["Bob", "Player", "Player"]
    assert await sessions.close(main.id, "bob", 160.0)
    assert not await sessions.close(main.id, "bob", 170.0)
    await sessions.open(other.id, "BOB", None, "battleye", 200.0)
    await sessions.set_guid(other.id, "Bob", "a" * 32)
    found = await sessions.lookup([main.id, other.id], "bob")
    assert [(s.server_id, s.left_at) for s in found] == [(other.id, None), (main.id, 160.0)]
    assert await sessions.lookup([main.id, other.id], "A" * 32) == [found[0]]
    assert await sessions.lookup([main.id], "nobody") == []
    assert await sessions.names_like([main.id, other.id], "o", 10) == ["BOB"]
    assert await sessions.close_all(main.id, 300.0) == 2
    assert await sessions.open_names(main.id, "a2s") == []
    assert await sessions.prune(200.0) == 1


async def test_reconcile_matches_the_open_sessions_to_a_player_list(store: Store) -> None:
    server = await add_server(store)
    sessions = store.sessions
    for name in ("Ann", "Bob", "Bob", "Cid"):
        await sessions.open(server.id, name, None, "battleye", 10.0)
    ended, opened = await sessions.reconcile(
        server.id, ["bob", "Cid", "Dee", "Dee"], "battleye", 50.0
    )
    assert (ended, opened) == (2, 2)  # Ann and one Bob ended; two Dees opened
    assert sorted(await sessions.open_names(server.id, "battleye")) == ["Bob", "Cid", "Dee", "Dee"]
    (ann,) = await sessions.lookup([server.id], "ann")
    assert ann.left_at == 50.0
    assert await sessions.reconcile(server.id, ["Bob", "Cid", "Dee", "Dee"], "battleye", 60.0) == (
        0,
        0,
    )
