"""Deaths, server lifecycle and player ids in the feed: their lines and categories, ids read
by shape, watches and lookups by id, and their storage (migration 0006) on both engines."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.feed import ids
from bot.services.feed import model as m
from bot.services.feed.lookup import id_lines
from bot.services.feed.model import ALL, CATEGORIES, kinds_of, parse_categories
from bot.services.feed.render import line
from bot.services.feed.watch import id_kind, matches, pattern_key
from bot.storage import NewServer, Store
from bot.storage.events import Event, PlayerIds, Session
from bot.storage.feeds import Watch
from bot.storage.migrations import MIGRATIONS_DIR, POSTGRES_MIGRATIONS_DIR
from tests.bot.pgtest import fresh_database

STEAM = "76561198000000042"
EOS = "0002b5d970954287afdcb5dc35af0424"
UUID = "069a79f4-44e9-4726-a5be-fca90e38aaf5"
OLD_ALL = "admin,bans,chat,joins,kicks,leaves,status"


def test_the_category_set_and_what_each_delivers() -> None:
    assert list(CATEGORIES) == [
        "joins",
        "leaves",
        "chat",
        "kicks",
        "bans",
        "admin",
        "status",
        "deaths",
        "server",
    ]
    assert kinds_of(frozenset({"deaths"})) == {m.DEATH}
    assert kinds_of(frozenset({"server"})) == {m.SAVE, m.RESTART}
    assert parse_categories("deaths, server") == {"deaths", "server"}
    assert parse_categories("all") == ALL and {"deaths", "server"} <= ALL


def test_death_and_lifecycle_lines() -> None:
    def ev(kind: str, player: str = "", text: str = "") -> Event:
        return Event(1, 1700000000.0, kind, player, text=text)

    assert line(ev(m.DEATH, "Cata"), "Nav") == "<t:1700000000:T> **Nav** · 💀 **Cata** died"
    assert line(ev(m.DEATH, "@everyone", "fell *far*"), "S").endswith(
        "💀 **@\u200beveryone** died: fell \\*far\\*"
    )
    assert line(ev(m.SAVE, text="12,345 entities"), "S").endswith("💾 world saved: 12,345 entities")
    assert line(ev(m.SAVE), "S").endswith("💾 world saved")
    assert line(ev(m.RESTART, text="in 60 s"), "S").endswith("🔄 server restart announced: in 60 s")


def test_ids_by_shape() -> None:
    assert ids.steam_id(f" {STEAM} ") == STEAM
    assert ids.steam_id("76561197960265728") is None  # account 0
    assert ids.steam_id("7656119800000004") is None and ids.steam_id("1" * 17) is None
    assert ids.eos_id(f"EOS_{EOS.upper()}") == EOS and ids.eos_id("EOS_x") is None
    assert ids.mc_uuid(UUID.replace("-", "").upper()) == UUID
    assert ids.mc_uuid("069a79f4-44e9-4726-a5be-fca90e38aaf") is None
    assert ids.typed(STEAM) == PlayerIds(steam_id=STEAM)
    assert ids.typed(EOS) == PlayerIds(eos_id=EOS)  # (or a GUID: looked up apart)
    assert ids.typed(UUID) == PlayerIds(mc_uuid=UUID)
    assert ids.typed("Bob") == PlayerIds()
    assert ids.steam_profile(STEAM) == f"https://steamcommunity.com/profiles/{STEAM}"
    assert ids.steam_profile("https://evil.example/") is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=20), st.text(max_size=60)), max_size=12))
def test_any_pairs_give_only_well_shaped_ids(pairs: list[tuple[str, str]]) -> None:
    found = ids.from_console(pairs)
    assert found.steam_id is None or ids.steam_id(found.steam_id) == found.steam_id
    assert found.eos_id is None or ids.eos_id(found.eos_id) == found.eos_id
    assert found.mc_uuid is None or ids.mc_uuid(found.mc_uuid) == found.mc_uuid


def watch(key: str) -> Watch:
    return Watch(1, 1, 5, key, key, 10, None, 0)


def test_watches_by_steam_eos_and_uuid() -> None:
    assert pattern_key(f" {STEAM} ") == STEAM and id_kind(STEAM) == "SteamID"
    assert pattern_key(f"EOS_{EOS.upper()}") == EOS and id_kind(f"EOS_{EOS}") == "EOS id"
    assert pattern_key(UUID.upper()) == UUID and id_kind(UUID) == "Minecraft UUID"
    assert id_kind(EOS) == "GUID or EOS id" and id_kind("Bob") is None

    def join(player: str, found: PlayerIds, server: int = 5) -> Event:
        return Event(server, 1.0, m.JOIN, player, ids=found)

    by_steam = watch(STEAM)
    assert matches(by_steam, join("Scrap", PlayerIds(steam_id=STEAM)))
    assert not matches(by_steam, join("Scrap", PlayerIds(steam_id=STEAM), server=6))
    assert not matches(by_steam, join(STEAM, PlayerIds()))  # a name is not an id
    left = Event(5, 1.0, m.LEAVE, "Scrap", ids=PlayerIds(steam_id=STEAM))
    assert not matches(by_steam, left)
    by_eos = watch(EOS)
    assert matches(by_eos, join("Cata", PlayerIds(eos_id=EOS)))
    assert matches(by_eos, Event(5, 1.0, m.GUID, "Cata", EOS))  # the same shape as a GUID
    assert matches(watch(UUID), join("Notch", PlayerIds(mc_uuid=UUID)))
    assert matches(watch("bob"), join("BOB", PlayerIds(steam_id=STEAM)))


def session(found: PlayerIds, guid: str | None = None) -> Session:
    return Session(1, 5, "Bob", guid, "webrcon", 1.0, None, found)


def test_lookup_lists_the_known_ids_with_a_steam_profile_link() -> None:
    sessions = [
        session(PlayerIds(STEAM, EOS)),
        session(PlayerIds(STEAM, mc_uuid=UUID), guid="A" * 32),
        # A value that is not of its shape (an old row, a bug) is not shown, never linked.
        session(PlayerIds("https://evil.example/x", "not-eos")),
    ]
    assert id_lines(sessions) == [
        f"SteamID: [{STEAM}](https://steamcommunity.com/profiles/{STEAM})",
        f"EOS id: `{EOS}`",
        f"Minecraft UUID: `{UUID}`",
        f"BattlEye GUID: `{'a' * 32}`",
    ]
    many = [session(PlayerIds(str(76561198000000000 + i))) for i in range(10)]
    assert len(id_lines(many)) == 3


@pytest.fixture
async def store(backend_store: Store) -> AsyncIterator[Store]:
    yield backend_store  # SQLite and PostgreSQL (tests/bot/conftest.py)


async def test_ids_are_stored_with_events_and_sessions(store: Store) -> None:
    server = await store.servers.add(
        NewServer(1, "Rusty", "rust", "127.0.0.1", 28015, 28015, None, None, 1)
    )
    both = PlayerIds(STEAM, EOS)
    await store.events.add_many([Event(server.id, 1.0, m.JOIN, "Scrap", ids=both)])
    (death,) = await store.events.add_many([Event(server.id, 2.0, m.DEATH, "Scrap")])
    assert [e.ids for e in await store.events.recent(server.id)] == [both, PlayerIds()]
    assert [e.id for e in await store.events.after(server.id, 0, 0, {m.DEATH})] == [death.id]

    sessions = store.sessions
    await sessions.open(server.id, "Scrap", None, "webrcon", 1.0, both)
    await sessions.open(server.id, "Notch", None, "webrcon", 1.0)  # from a player list
    await sessions.add_ids(server.id, "notch", PlayerIds(mc_uuid=UUID))
    await sessions.add_ids(server.id, "Scrap", PlayerIds(steam_id="76561198000000043"))
    ids_of = {s.player: s.ids for s in await sessions.lookup([server.id], "Scrap")}
    assert ids_of == {"Scrap": both}  # an id it had is not replaced
    for typed in (STEAM, EOS):
        found = await sessions.lookup([server.id], typed, ids=ids.typed(typed))
        assert [s.player for s in found] == ["Scrap"]
    found = await sessions.lookup([server.id], UUID, ids=ids.typed(UUID))
    assert [(s.player, s.ids.mc_uuid) for s in found] == [("Notch", UUID)]
    assert await sessions.lookup([server.id], STEAM) == []  # without ids: names and GUIDs only


@pytest.mark.parametrize("backend_name", ["sqlite", "postgresql"])
async def test_migration_0006_keeps_rows_and_gives_all_feeds_the_new_categories(
    backend_name: str, tmp_path: Path
) -> None:
    source = MIGRATIONS_DIR if backend_name == "sqlite" else POSTGRES_MIGRATIONS_DIR
    folder = tmp_path / "m"
    folder.mkdir()
    for path in sorted(source.glob("000[1-5]_*.sql")):
        shutil.copy(path, folder)

    async def run(where: Path | str) -> None:
        async def opened() -> Store:
            if isinstance(where, Path):
                return await Store.open(where, migrations_dir=folder)
            return await Store.open_url(where, migrations_dir=folder)

        store = await opened()
        try:
            assert await store.schema_version() == 5
            server = await store.servers.add(
                NewServer(1, "Old", "dayz", "127.0.0.1", 2302, 2303, None, None, 1)
            )
            await store.database.execute(
                "INSERT INTO feeds (guild_id, server_id, channel_id, kinds, created_by) "
                "VALUES (1, ?, 10, ?, 1), (1, ?, 11, 'chat,joins', 1)",
                (server.id, OLD_ALL, server.id),
            )
            await store.database.execute(
                "INSERT INTO feed_events (server_id, at, kind, player, source) "
                "VALUES (?, 1.0, 'join', 'Ann', 'battleye')",
                (server.id,),
            )
        finally:
            await store.close()
        shutil.copy(source / "0006_player_ids.sql", folder)
        store = await opened()
        try:
            assert await store.schema_version() == 6
            feeds = {f.channel_id: f.kinds for f in await store.feeds.for_guild(1)}
            assert feeds == {10: ALL, 11: frozenset({"chat", "joins"})}
            (event,) = await store.events.recent(server.id)
            assert (event.player, event.ids) == ("Ann", PlayerIds())
            # Bounded in the schema too: a value of another length is refused.
            with pytest.raises(Exception):  # noqa: B017 - each engine's own integrity error
                await store.database.execute(
                    "INSERT INTO player_sessions (server_id, player, player_key, source, "
                    "joined_at, steam_id) VALUES (?, 'x', 'x', 'a2s', 1.0, ?)",
                    (server.id, "7" * 500),
                )
        finally:
            await store.close()

    if backend_name == "sqlite":
        await run(tmp_path / "db.sqlite3")
        return
    async with fresh_database() as url:
        await run(url)


def test_steam_ids_as_people_type_them() -> None:
    from bot.services.feed.ids import steam_typed, typed
    from bot.services.feed.watch import pattern_key

    expected = "76561197960290419"  # account 24691 = 2 * 12345 + 1
    for text in ("STEAM_0:1:12345", "steam_1:1:12345", "[U:1:24691]", f" {expected} "):
        assert steam_typed(text) == expected
        assert typed(text).steam_id == expected
        assert pattern_key(text) == expected
    for bad in ("STEAM_0:0:0", "STEAM_2:1:5", "STEAM_0:1:99999999999", "[U:2:5]", "STEAM_0:1:"):
        assert steam_typed(bad) is None
