"""Console events of any protocol as feed events: what each kind is stored as (pure), and the
console link: which servers it holds and listens to, which of them report joins and leaves
(the poll-derived ones are not wanted there), and the player list after each login."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.adapters.admin import CONSOLE_EVENT, ConsoleEvent, ConsolePlayer, Listener
from bot.adapters.battleye import ADMIN_ID, GUID_ID
from bot.crypto import SecretBox, generate_key
from bot.services.feed import console
from bot.services.feed import model as m
from bot.services.feed.console_link import ConsoleLink, reports_joins, uses_console
from bot.storage import NewServer, Server, Store
from bot.storage.events import Event, PlayerIds

GUID = "0123456789abcdef0123456789abcdef"
STEAM = (("steam", "76561198000000000"),)
STEAM_IDS = PlayerIds(steam_id="76561198000000000")


def events(event: ConsoleEvent, source: str = "sdtd_telnet") -> list[Event]:
    return console.events_of(7, 5.0, event, source)


def test_players_coming_and_going() -> None:
    assert events(ConsoleEvent("join", "Cata", STEAM)) == [
        Event(7, 5.0, m.JOIN, "Cata", None, "", "sdtd_telnet", ids=STEAM_IDS)
    ]
    assert events(ConsoleEvent("leave", "Cata", ((GUID_ID, GUID.upper()),)), "battleye") == [
        Event(7, 5.0, m.LEAVE, "Cata", GUID, "", "battleye")
    ]
    assert events(ConsoleEvent("kick", "Cata", text="afk")) == [
        Event(7, 5.0, m.KICK, "Cata", None, "afk", "sdtd_telnet")
    ]
    assert events(ConsoleEvent("ban", "EOS_1", text="for 1d"))[0].kind == m.BAN
    # A session is keyed by the name: a nameless arrival says nothing.
    assert events(ConsoleEvent("join", "")) == []


def test_chat_says_its_channel_and_admins_speak_as_admins() -> None:
    (chat,) = events(ConsoleEvent("chat", "Cata", STEAM, "hi", "global"))
    assert (chat.kind, chat.player, chat.text) == (m.CHAT, "Cata", "(Global) hi")
    assert events(ConsoleEvent("chat", "Foo", text="gg", channel="team"))[0].text == "(Team) gg"
    assert events(ConsoleEvent("chat", "Foo", text="gg"))[0].text == "gg"  # no channel
    admin = ((ADMIN_ID, "2"),)
    (said,) = events(ConsoleEvent("chat", "admin #2", admin, "soon", "To Bob"), "battleye")
    assert said == Event(7, 5.0, m.ADMIN_MESSAGE, "admin #2", None, "(To Bob) soon", "battleye")
    (login,) = events(ConsoleEvent("admin_login", "admin #2", admin))
    assert (login.kind, login.player) == (m.ADMIN_LOGIN, "admin #2")


def test_a_guid_line_is_the_stored_guid_event_and_other_lines_are_not_stored() -> None:
    (guid,) = events(ConsoleEvent("line", "Bob", ((GUID_ID, GUID),), "… BE GUID …"), "battleye")
    assert guid == Event(7, 5.0, m.GUID, "Bob", GUID, "", "battleye")
    assert events(ConsoleEvent("line", "Cata", STEAM, "x")) == []
    assert events(ConsoleEvent("line", text="Foo has possessed admin camera.")) == []


def test_deaths_saves_and_restarts_are_stored() -> None:
    (death,) = events(ConsoleEvent("death", "Cata", STEAM))
    assert death == Event(7, 5.0, m.DEATH, "Cata", None, "", "sdtd_telnet", ids=STEAM_IDS)
    assert events(ConsoleEvent("death", "Cata", text="fell"))[0].text == "fell"
    (saved,) = events(ConsoleEvent("save", text="12,345 entities"), "webrcon")
    assert saved == Event(7, 5.0, m.SAVE, "", None, "12,345 entities", "webrcon")
    # 7 Days to Die's echo of the command says nothing more than "saved".
    assert events(ConsoleEvent("save", text="saveworld"))[0].text == ""
    (restart,) = events(ConsoleEvent("restart", text="in 300 s"), "webrcon")
    assert (restart.kind, restart.text) == (m.RESTART, "in 300 s")
    # Who ran "shutdown" from where: the admin's address stays out of the feed.
    (down,) = events(ConsoleEvent("restart", text="shutdown (Telnet from 203.0.113.7:50802)"))
    assert down.text == "shutdown (Telnet)"


def test_player_ids_are_kept_by_kind_and_shape() -> None:
    eos = "0002b5d970954287afdcb5dc35af0424"
    squad = (("eos", eos.upper()), ("steam", "76561198000000000"))
    (chat,) = events(ConsoleEvent("chat", "Foo", squad, "hi", "global"), "source_rcon")
    assert chat.ids == PlayerIds("76561198000000000", eos)
    sdtd = (("steam", "76561198028175941"), ("eos", f"EOS_{eos}"))
    assert events(ConsoleEvent("join", "Cata", sdtd))[0].ids == PlayerIds("76561198028175941", eos)
    notch = "069A79F444E94726A5BEFCA90E38AAF5"
    (mc,) = events(ConsoleEvent("join", "Notch", (("minecraft_uuid", notch),)))
    assert mc.ids.mc_uuid == "069a79f4-44e9-4726-a5be-fca90e38aaf5"
    # Not of the shape: dropped, never stored (a URL, a too-short or out-of-range SteamID).
    hostile = (
        ("steam", "https://evil.example/7656119"),
        ("steam", "76561190000000000"),
        ("eos", "EOS_" + "z" * 32),
        ("eos", "a" * 100_000),
        ("uuid", "not-a-uuid"),
    )
    assert events(ConsoleEvent("join", "X", hostile))[0].ids == PlayerIds()
    # The first valid id of a kind wins; at most a few pairs are read.
    many = (*(("xbl", str(i)) for i in range(50)), ("steam", "76561198000000000"))
    assert events(ConsoleEvent("join", "X", many))[0].ids == PlayerIds()


def test_stored_text_is_clipped() -> None:
    (chat,) = events(ConsoleEvent("chat", "N" * 5000, (), "t" * 100_000, "c" * 5000))
    assert len(chat.player) == console.MAX_NAME and len(chat.text) == console.MAX_TEXT
    (kick,) = events(ConsoleEvent("kick", "x", ((GUID_ID, "A" * 500),), "r" * 100_000))
    assert len(kick.text) == console.MAX_TEXT and kick.guid == "a" * 32


class Lister:
    def __init__(self, names: list[str]) -> None:
        self.names = names

    async def players(self, *, timeout: float) -> list[ConsolePlayer]:
        return [ConsolePlayer(n, str(i)) for i, n in enumerate(self.names)]


class Hub:
    def __init__(self, session: object) -> None:
        self._session = session
        self.held: list[int] = []
        self.listeners: dict[int, list[tuple[str, Listener]]] = {}

    async def session(self, server: Server) -> Any:
        return self._session

    def hold(self, server: Server) -> None:
        self.held.append(server.id)

    def release(self, server: Server) -> None:
        self.held.remove(server.id)

    def add_listener(self, server_id: int, event: str, listener: Listener) -> None:
        self.listeners.setdefault(server_id, []).append((event, listener))

    def remove_listener(self, server_id: int, event: str, listener: Listener) -> None:
        self.listeners[server_id].remove((event, listener))

    def fire(self, server_id: int, event: str, *args: object) -> None:
        for name, listener in list(self.listeners.get(server_id, [])):
            if name == event:
                listener(*args)


async def add(store: Store, name: str, game: str, password: bool = True) -> Server:
    token = SecretBox(generate_key()).encrypt("pw") if password else None
    return await store.servers.add(
        NewServer(1, name, game, "127.0.0.1", 2302, 27016, 2306 if password else None, token, 1)
    )


async def test_which_servers_have_a_console_and_which_report_joins(store: Store) -> None:
    dayz, squad, cs2 = [await add(store, n, n) for n in ("dayz", "squad", "cs2")]
    bare = await add(store, "bare", "dayz", password=False)
    assert uses_console(dayz) and uses_console(squad) and not uses_console(bare)
    # srcds pushes nothing over RCON: the feed keeps no idle connection to a CS2 server.
    assert not uses_console(cs2)
    assert reports_joins(dayz) and not reports_joins(squad) and not reports_joins(cs2)
    assert not uses_console(await add(store, "valheim", "valheim", password=False))


async def test_the_link_holds_listens_and_lists_players_after_a_login(store: Store) -> None:
    dayz, squad = await add(store, "dayz", "dayz"), await add(store, "squad", "squad")
    submitted: list[Event | m.Roster] = []
    hub = Hub(Lister(["Ann", "Bob"]))
    link = ConsoleLink(hub, submitted.append, lambda: 9.0, lambda: None)
    assert link.sync({dayz.id: dayz, squad.id: squad}) == []
    assert sorted(hub.held) == sorted([dayz.id, squad.id])
    assert [e for e, _ in hub.listeners[dayz.id]] == [CONSOLE_EVENT, "login"]
    # Squad's console does not report joins: no player list after its logins, and its joins
    # and leaves stay the poller's.
    assert [e for e, _ in hub.listeners[squad.id]] == [CONSOLE_EVENT]
    assert link.linked(dayz.id) and not link.linked(squad.id)

    hub.fire(squad.id, CONSOLE_EVENT, ConsoleEvent("chat", "Foo", STEAM, "hi", "team"))
    hub.fire(dayz.id, "login")
    async with asyncio.timeout(5):
        while link.roster_tasks:
            await asyncio.wait(link.roster_tasks)
    assert submitted == [
        Event(squad.id, 9.0, m.CHAT, "Foo", None, "(Team) hi", "source_rcon", ids=STEAM_IDS),
        m.Roster(dayz.id, ("Ann", "Bob"), 9.0, "battleye"),
    ]
    # Released: A2S takes over the joins and leaves of the server whose console reported them.
    assert link.sync({}) == [dayz.id]
    assert hub.held == [] and hub.listeners == {dayz.id: [], squad.id: []}


async def test_a_console_that_lists_no_players_keeps_the_sessions(store: Store) -> None:
    dayz = await add(store, "dayz", "dayz")
    submitted: list[Event | m.Roster] = []
    hub = Hub(object())  # no players(): not a PlayerLister
    link = ConsoleLink(hub, submitted.append, lambda: 9.0, lambda: None)
    link.sync({dayz.id: dayz})
    hub.fire(dayz.id, "login")
    await asyncio.gather(*link.roster_tasks)
    assert submitted == []
    link.close()
    assert hub.held == []
