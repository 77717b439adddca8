"""Player records on both engines: found by any identifier, merged when two are seen together,
a name alone never merging two players, sessions carried over, notes, guild isolation."""

from __future__ import annotations

from bot.storage import NewServer, Store
from bot.storage.events import PlayerIds
from bot.storage.players import Identifier, identifiers_of

GUID = "0123456789abcdef0123456789abcdef"
STEAM = "76561198000000042"


async def servers(store: Store) -> tuple[int, int, int]:
    """Two servers of guild 1, one of guild 2."""
    ids = []
    for guild, name, port in ((1, "A", 1), (1, "B", 2), (2, "C", 3)):
        server = await store.servers.add(
            NewServer(guild, name, "dayz", "127.0.0.1", port, port, None, None, 1)
        )
        ids.append(server.id)
    return ids[0], ids[1], ids[2]


async def test_identifiers_seen_together_merge_records(backend_store: Store) -> None:
    store = backend_store
    a, b, _ = await servers(store)
    players = store.players
    by_guid = await players.observe(a, "Survivor", identifiers_of("Survivor", guid=GUID), 10.0)
    by_steam = await players.observe(b, "Hans", identifiers_of("Hans", steam=STEAM), 20.0)
    assert by_guid is not None and by_steam is not None and by_guid != by_steam
    # Both ids in one line (Rust's list, a DayZ server with Steam ids): one player.
    both = identifiers_of("Hans", guid=GUID, steam=STEAM)
    merged = await players.observe(b, "Hans", both, 30.0)
    assert merged == min(by_guid, by_steam)
    record = await players.get(merged)
    assert record is not None
    assert [i.kind for i in record.identifiers] == ["steam", "guid", "name", "name"]
    assert [n.name for n in record.names] == ["Hans", "Survivor"]
    assert (record.name, record.first_seen, record.last_seen) == ("Hans", 10.0, 30.0)
    other = max(by_guid, by_steam)
    assert await players.get(other) is None
    assert await players.find(1, [Identifier("steam", STEAM)], "") == [merged]
    assert await players.find(1, [], "survivor") == [merged]


async def test_a_name_never_merges_two_players_with_ids(backend_store: Store) -> None:
    store = backend_store
    a, _, _ = await servers(store)
    players = store.players
    name_only = await players.observe(a, "Bob", identifiers_of("Bob"), 1.0)
    first = await players.observe(a, "Bob", identifiers_of("Bob", steam=STEAM), 2.0)
    assert first == name_only  # the name-only record was this player
    second = await players.observe(a, "Bob", identifiers_of("Bob", guid=GUID), 3.0)
    assert second != first  # another Bob, with an id of his own
    assert sorted(await players.find(1, [], "bob")) == sorted([first, second])  # type: ignore[type-var]


async def test_guilds_are_isolated(backend_store: Store) -> None:
    store = backend_store
    a, _, c = await servers(store)
    mine = await store.players.observe(a, "Eve", identifiers_of("Eve", steam=STEAM), 1.0)
    theirs = await store.players.observe(c, "Eve", identifiers_of("Eve", steam=STEAM), 1.0)
    assert mine != theirs
    assert await store.players.find(2, [Identifier("steam", STEAM)], "") == [theirs]
    assert await store.players.names_like(1, "e") == ["Eve"]
    assert await store.players.observe(9999, "Ghost", identifiers_of("Ghost"), 1.0) is None


async def test_sessions_are_carried_into_records_and_notes_kept(backend_store: Store) -> None:
    store = backend_store
    a, b, _ = await servers(store)
    await store.sessions.open(a, "Ann", GUID.upper(), "battleye", 100.0)
    await store.sessions.close(a, "Ann", 400.0)
    await store.sessions.open(b, "ann", None, "a2s", 500.0)  # a name alone: that Ann
    await store.sessions.open(b, "Ann", None, "rcon", 550.0, PlayerIds(steam_id=STEAM))
    await store.sessions.open(b, "", None, "a2s", 600.0)  # names nobody: no record
    assert await store.players.backfill({a, b}) == 3
    assert await store.players.backfill({a, b}) == 0  # done once
    (found,) = await store.players.find(1, [Identifier("guid", GUID)], "")
    sessions = await store.sessions.of_player(found)
    assert [s.server_id for s in sessions] == [b, a]  # "Ann" and "ann": one name, one record
    record = await store.players.get(found)
    assert record is not None and (record.first_seen, record.last_seen) == (100.0, 500.0)
    # Another Ann, with a SteamID of her own: a record of her own.
    (steam_ann,) = await store.players.find(1, [Identifier("steam", STEAM)], "")
    assert steam_ann != found
    note = await store.players.add_note(found, 42, "warned for spawn camping", 700.0)
    (saved,) = await store.players.notes(found)
    assert (saved.id, saved.author_id, saved.text) == (note, 42, "warned for spawn camping")
