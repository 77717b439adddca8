"""The ban list's rules on both engines, with consoles that record what they are sent: the
native command per console, retries for unreachable servers, expiry (native or by unban), a
lift racing an apply, the sharded claim, permissions and guild isolation. The clock is a
variable; nothing waits."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pytest

from bot.services.audit import Actor, AuditLog
from bot.services.bans import identity
from bot.services.bans.sending import RETRY_FIRST
from bot.services.bans.service import BanService
from bot.services.errors import UserError
from bot.services.rcon.errors import RconUnavailable
from bot.services.rcon.permissions import Action, Caller, PermissionService
from bot.storage import NewServer, Server, Store
from bot.storage.audit import AuditFilter

STEAM = "76561198017965694"
GUID = identity.battleye_guid(STEAM)
T0 = 1_800_000_000.0
ADMIN = Caller(guild_id=1, user_id=5, is_admin=True, role_ids=())
MOD_ROLE = 77


@dataclass
class Consoles:
    """What each server's console was sent; servers in ``down`` do not answer."""

    sent: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    down: set[int] = field(default_factory=set)
    answers: dict[tuple[int, str], str] = field(default_factory=dict)

    async def execute(self, server: Server, command: str) -> str:
        if server.id in self.down:
            raise RconUnavailable(f"{server.name!r} is offline.")
        self.sent[server.id].append(command)
        return self.answers.get((server.id, command), "")

    def password_for(self, server: Server) -> str | None:
        return "Rc0n-S3cret"


@dataclass
class World:
    store: Store
    consoles: Consoles
    servers: dict[str, Server]
    now: list[float]

    def service(self) -> BanService:
        by_id = {s.id: s for s in self.servers.values()}
        return BanService(
            self.store,
            self.consoles,  # type: ignore[arg-type]
            PermissionService(self.store),
            AuditLog(self.store),
            lambda guild: [s for s in by_id.values() if s.guild_id == guild],
            by_id.get,
            clock=lambda: self.now[0],
        )

    def sent(self, name: str) -> list[str]:
        return self.consoles.sent[self.servers[name].id]


async def world(store: Store) -> World:
    servers = {}
    for guild, name, game in (
        (1, "CS", "css"),
        (1, "DayZ", "dayz"),
        (1, "Rust", "rust"),
        (1, "MC", "minecraft"),
        (2, "Other", "css"),
    ):
        servers[name] = await store.servers.add(
            NewServer(guild, name, game, "127.0.0.1", 27015, 27015, 27015, "enc", 1)
        )
    return World(store, Consoles(), servers, [T0])


async def audit_actions(store: Store) -> list[tuple[str, str, str]]:
    """Guild 1's audit rows, oldest first: action, server, outcome."""
    entries = await store.audit.search(AuditFilter(1), limit=100)
    return [(e.action, e.server_name, e.outcome) for e in reversed(entries)]


async def test_one_ban_reaches_every_console_in_its_own_command(backend_store: Store) -> None:
    w = await world(backend_store)
    report = await w.service().add(ADMIN, "mod", STEAM, "Aimbot")
    states = {o.server_name: o.state for o in report.outcomes}
    assert states == {"CS": "applied", "DayZ": "applied", "Rust": "applied", "MC": "kick"}
    assert w.sent("CS") == ["banid 0 STEAM_0:0:28849983", "writeid"]
    assert w.sent("DayZ") == [f"addBan {GUID} 0 Aimbot"]
    assert w.sent("Rust") == [f'banid {STEAM} "" "Aimbot"']
    assert w.sent("MC") == []  # no name: enforced by a kick on join
    assert w.consoles.sent[w.servers["Other"].id] == []  # another guild's server
    actions = await audit_actions(backend_store)
    assert actions[0] == ("ban add", "", "ok")
    assert sorted(a for a in actions[1:]) == [
        ("ban apply", "CS", "ok"),
        ("ban apply", "DayZ", "ok"),
        ("ban apply", "Rust", "ok"),
    ]
    # The same player again is refused: one active ban per player.
    with pytest.raises(UserError, match="already banned"):
        await w.service().add(ADMIN, "mod", "STEAM_1:0:28849983", "Again")


async def test_an_unreachable_server_gets_the_ban_when_it_is_back(backend_store: Store) -> None:
    w = await world(backend_store)
    w.consoles.down.add(w.servers["DayZ"].id)
    service = w.service()
    report = await service.add(ADMIN, "mod", STEAM, "Aimbot")
    assert {o.server_name: o.state for o in report.outcomes}["DayZ"] == "pending"
    await service.run_round()
    assert w.sent("DayZ") == []  # not due yet
    w.consoles.down.clear()
    w.now[0] += RETRY_FIRST + 1
    await service.run_round()
    assert w.sent("DayZ") == [f"addBan {GUID} 0 Aimbot"]
    targets = await backend_store.bans.targets(report.ban.id)
    assert {t.state for t in targets} == {"applied", "kick"}
    await service.run_round()
    assert w.sent("DayZ") == [f"addBan {GUID} 0 Aimbot"]  # once


async def test_a_timed_ban_is_lifted_everywhere_at_expiry(backend_store: Store) -> None:
    w = await world(backend_store)
    service = w.service()
    report = await service.add(ADMIN, "mod", STEAM, "Toxic", "1h", ["CS", "Rust", "MC"])
    assert w.sent("CS") == ["banid 60 STEAM_0:0:28849983", "writeid"]
    w.now[0] += 3599
    await service.run_round()
    assert w.sent("Rust") == [f'banid {STEAM} "" "Toxic"']
    w.now[0] += 2
    await service.run_round()
    # srcds ended its own timed ban; Rust's banid is permanent: unbanned by us.
    assert w.sent("CS") == ["banid 60 STEAM_0:0:28849983", "writeid"]
    assert w.sent("Rust")[-1] == f"unban {STEAM}"
    ban = await backend_store.bans.get(report.ban.id)
    assert ban is not None and ban.lift_reason == "expired"
    assert {t.state for t in await backend_store.bans.targets(ban.id)} == {"lifted"}
    # A restart of the bot (a new service on the same database) lifts nothing twice.
    await w.service().run_round()
    assert w.sent("Rust").count(f"unban {STEAM}") == 1


async def test_an_expiry_while_a_server_is_down_waits_for_it(backend_store: Store) -> None:
    w = await world(backend_store)
    service = w.service()
    await service.add(ADMIN, "mod", STEAM, "Toxic", "30m", ["Rust"])
    w.consoles.down.add(w.servers["Rust"].id)
    w.now[0] += 1801
    await service.run_round()
    assert w.sent("Rust") == [f'banid {STEAM} "" "Toxic"']
    w.consoles.down.clear()
    w.now[0] += RETRY_FIRST + 1
    await service.run_round()
    assert w.sent("Rust")[-1] == f"unban {STEAM}"


async def test_battleye_lifts_by_the_numbers_in_its_ban_list(backend_store: Store) -> None:
    w = await world(backend_store)
    service = w.service()
    report = await service.add(ADMIN, "mod", STEAM, "Aimbot", "", ["DayZ"])
    dayz = w.servers["DayZ"].id
    w.consoles.answers[(dayz, "bans")] = (
        f"GUID Bans:\n[#] [GUID] [Minutes left] [Reason]\n{'-' * 40}\n"
        f"0   {'1' * 32} perm Other\n1   {GUID} perm Aimbot"
    )
    lifted = await service.remove(ADMIN, "mod", f"#{report.ban.id}")
    assert [o.state for o in lifted.outcomes] == ["lifted"]
    assert w.sent("DayZ")[-2:] == ["bans", "removeBan 1"]


async def test_a_lift_during_the_apply_takes_the_ban_back(backend_store: Store) -> None:
    w = await world(backend_store)
    service = w.service()
    w.consoles.down.add(w.servers["Rust"].id)
    report = await service.add(ADMIN, "mod", STEAM, "Aimbot", "", ["Rust"])
    w.consoles.down.clear()
    ban = report.ban
    rust = w.servers["Rust"]
    # The round's apply and a /ban remove interleave: the remove lands while the command is
    # on its way; the server has the ban, so it is taken back.
    original = w.consoles.execute

    async def slow(server: Server, command: str) -> str:
        if command.startswith("banid"):
            await backend_store.bans.lift(ban.id, w.now[0], 5, "removed")
            await backend_store.bans.set_target(ban.id, rust.id, "cancelled", w.now[0])
        return await original(server, command)

    w.consoles.execute = slow  # type: ignore[method-assign]
    w.now[0] += RETRY_FIRST + 1
    await service.run_round()
    (target,) = await backend_store.bans.targets(ban.id)
    assert target.state == "lifting"
    w.now[0] += 1
    await service.run_round()
    assert w.sent("Rust")[-1] == f"unban {STEAM}"
    (target,) = await backend_store.bans.targets(ban.id)
    assert target.state == "lifted"


async def test_two_processes_lift_an_expired_ban_once(backend_store: Store) -> None:
    w = await world(backend_store)
    await w.service().add(ADMIN, "mod", STEAM, "Toxic", "10m", ["Rust"])
    w.now[0] += 601
    first, second = w.service(), w.service()
    ban = (await backend_store.bans.expired(w.now[0]))[0]

    one = await first.lift(ban, "expired", Actor(1, 0, "ban list"))
    two = await second.lift(ban, "expired", Actor(1, 0, "ban list"))
    assert (len(one), len(two)) == (1, 0)
    assert w.sent("Rust").count(f"unban {STEAM}") == 1


async def test_permissions_decide_where_a_member_may_ban_and_lift(backend_store: Store) -> None:
    w = await world(backend_store)
    service = w.service()
    member = Caller(guild_id=1, user_id=9, is_admin=False, role_ids=(MOD_ROLE,))
    with pytest.raises(UserError, match="not permitted"):
        await service.add(member, "m", STEAM, "x")
    grants = PermissionService(backend_store)
    await grants.grant(1, MOD_ROLE, Action.BAN, w.servers["CS"].id, 5)
    report = await service.add(member, "m", STEAM, "x")
    assert [o.server_name for o in report.outcomes] == ["CS"]
    assert sorted(report.refused) == ["DayZ", "MC", "Rust"]
    assert not report.ban.all_servers  # new servers do not inherit a partial ban
    with pytest.raises(UserError, match="unban"):
        await service.remove(member, "m", STEAM)
    await grants.grant(1, MOD_ROLE, Action.UNBAN, None, 5)
    lifted = await service.remove(member, "m", STEAM)
    assert [o.state for o in lifted.outcomes] == ["lifted"]


async def test_guilds_are_isolated_and_slots_refused(backend_store: Store) -> None:
    w = await world(backend_store)
    service = w.service()
    report = await service.add(ADMIN, "mod", STEAM, "x", "", ["CS"])
    other = Caller(guild_id=2, user_id=6, is_admin=True, role_ids=())
    with pytest.raises(UserError, match="No ban"):
        await service.find(2, f"#{report.ban.id}")
    assert await backend_store.bans.matching(2, list(report.ban.identifiers), w.now[0]) == []
    # Guild 2 bans the same player on its own.
    mine = await service.add(other, "admin2", STEAM, "y")
    assert [o.server_name for o in mine.outcomes] == ["Other"]
    for slot in ("3", "#12"):
        with pytest.raises(UserError, match="slot"):
            await service.add(ADMIN, "mod", slot, "x")


async def test_a_server_added_later_gets_the_all_servers_bans(backend_store: Store) -> None:
    w = await world(backend_store)
    report = await w.service().add(ADMIN, "mod", STEAM, "Aimbot")
    late = await backend_store.servers.add(
        NewServer(1, "CS2", "css", "127.0.0.1", 27016, 27016, 27016, "enc", 1)
    )
    w.servers["CS2"] = late
    await w.service().run_round()
    assert w.sent("CS2") == ["banid 0 STEAM_0:0:28849983", "writeid"]
    assert len(await backend_store.bans.targets(report.ban.id)) == 5


async def test_servers_without_a_console_are_left_out(backend_store: Store) -> None:
    w = await world(backend_store)
    quiet = await backend_store.servers.add(
        NewServer(1, "Quiet", "css", "127.0.0.1", 27017, 27017, None, None, 1)
    )
    w.servers["Quiet"] = quiet
    report = await w.service().add(ADMIN, "mod", STEAM, "Aimbot")
    assert "Quiet" not in {o.server_name for o in report.outcomes}
    await w.service().run_round()  # nor does a round give it the ban
    assert all(t.server_id != quiet.id for t in await backend_store.bans.targets(report.ban.id))
    with pytest.raises(UserError, match="no console set up"):
        await w.service().add(ADMIN, "mod", "76561198000000042", "x", "", ["Quiet"])
