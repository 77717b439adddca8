"""Grants, permission decisions and the audit repository on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.services.audit import Actor, AuditLog
from bot.services.errors import UserError
from bot.services.rcon.permissions import Action, Caller, PermissionService, parse_action
from bot.storage import NewServer, Store
from bot.storage.audit import AuditFilter

GUILD, MODS, HELPERS = 10, 100, 200


@pytest.fixture
async def store(backend_store: Store) -> AsyncIterator[Store]:
    # Parametrised over SQLite and PostgreSQL (tests/bot/conftest.py).
    yield backend_store


async def add_server(store: Store, name: str) -> int:
    server = await store.servers.add(
        NewServer(GUILD, name, "cs2", "127.0.0.1", 27015, 27015, 27015, None, 1)
    )
    return server.id


async def test_decisions_by_role_action_and_server(store: Store) -> None:
    perms = PermissionService(store)
    main, other = await add_server(store, "Main"), await add_server(store, "Other")
    assert await perms.grant(GUILD, MODS, Action.KICK, main, 1)
    assert not await perms.grant(GUILD, MODS, Action.KICK, main, 1)  # already there
    assert await perms.grant(GUILD, HELPERS, Action.SAY, None, 1)
    assert not await perms.grant(GUILD, HELPERS, Action.SAY, None, 1)  # NULL server is unique
    mod = Caller(GUILD, 5, False, (MODS,))
    helper = Caller(GUILD, 6, False, (HELPERS, 999))
    admin = Caller(GUILD, 7, True, ())
    assert (await perms.decide(mod, Action.KICK, main)).allowed_by == f"role {MODS}"
    assert not (await perms.decide(mod, Action.KICK, other)).allowed
    assert not (await perms.decide(mod, Action.BAN, main)).allowed
    assert (await perms.decide(helper, Action.SAY, other)).allowed
    assert (await perms.decide(admin, Action.EXEC, main)).allowed_by == "administrator"
    other_guild = Caller(GUILD + 1, 5, False, (MODS,))
    assert not (await perms.decide(other_guild, Action.KICK, main)).allowed
    assert await perms.revoke(GUILD, MODS, Action.KICK, main)
    assert not (await perms.decide(mod, Action.KICK, main)).allowed
    assert not await perms.revoke(GUILD, MODS, Action.KICK, main)
    # Removing a server removes its grants.
    await perms.grant(GUILD, MODS, Action.BAN, other, 1)
    await store.servers.remove(GUILD, "Other")
    assert [g.action for g in await perms.grants_of(GUILD)] == ["say"]


def test_parse_action() -> None:
    assert parse_action(" Kick ") is Action.KICK
    with pytest.raises(UserError, match="players, say, kick, ban, unban, exec"):
        parse_action("shutdown")


async def test_audit_begin_complete_filters_and_track(store: Store) -> None:
    ticks = iter([1.0, 1.25, 2.0, 2.5, 3.0, 3.1])
    audit = AuditLog(store, clock=lambda: next(ticks))
    seen: list[str] = []

    async def listener(entry: object) -> None:
        seen.append(getattr(entry, "outcome", "?"))

    audit.add_listener(listener)
    alice = Actor(GUILD, 5, "alice")
    ticket = await audit.begin(alice, "rcon kick", "player='#2'", server_id=3, server_name="M")
    pending = await store.audit.search(AuditFilter(GUILD), limit=5)
    assert [e.outcome for e in pending] == ["pending"]  # written before the action runs
    done = await audit.complete(ticket, "ok", "x" * 1000, allowed_by="administrator")
    assert done is not None and done.latency_ms == 250.0
    assert len(done.excerpt) == 300 and done.allowed_by == "administrator"
    await audit.record(Actor(GUILD, 6, "bob"), "rcon say", outcome="denied")
    with pytest.raises(UserError):
        async with audit.track(alice, "server add"):
            raise UserError("refused")
    assert seen == ["ok", "denied", "denied"]
    everything = AuditFilter(GUILD)
    assert await store.audit.count(everything) == 3
    assert await store.audit.count(AuditFilter(GUILD, user_id=6)) == 1
    assert await store.audit.count(AuditFilter(GUILD, action="rcon")) == 2
    assert await store.audit.count(AuditFilter(GUILD, action="%")) == 0  # no LIKE wildcards
    assert await store.audit.count(AuditFilter(GUILD, server_id=3)) == 1
    assert await store.audit.count(AuditFilter(GUILD, since="2999-01-01")) == 0
    page, total = await audit.page(everything, 1, 2)
    assert total == 3 and [e.action for e in page] == ["rcon kick"]
    csv_text = (await audit.export_csv(everything)).decode()
    assert csv_text.splitlines()[0].startswith("id,at,guild_id,user_id,user_name")
    with pytest.raises(ValueError):
        await store.audit.complete(1, "maybe", "", None)


async def test_rcon_command_cancelled_mid_way_is_not_left_pending(store: Store) -> None:
    import asyncio

    from bot.services.rcon.actions import Plan
    from bot.services.rcon.commands import RconCommands
    from bot.services.rcon.pool import RconPool

    await add_server(store, "Main")
    server = await store.servers.get(GUILD, "Main")
    assert server is not None
    pool = RconPool(lambda _s: None)
    commands = RconCommands(pool, PermissionService(store), AuditLog(store))
    building = asyncio.Event()

    async def build() -> Plan:
        building.set()
        await asyncio.Event().wait()  # cancelled here, e.g. by a shutdown
        raise AssertionError("not reached")

    admin = Caller(GUILD, 7, True, ())
    task = asyncio.create_task(commands.run(admin, "Ann", Action.SAY, server, "hello", build))
    await building.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await pool.close()
    [entry] = await store.audit.search(AuditFilter(GUILD), limit=5)
    assert (entry.outcome, entry.excerpt) == ("error", "CancelledError")


async def test_a_plan_that_fails_half_way_is_partly_done(store: Store) -> None:
    from bot.services.rcon.actions import Plan
    from bot.services.rcon.commands import PartlyDone, RconCommands
    from bot.services.rcon.errors import RconTimeout
    from bot.storage import Server

    await add_server(store, "Main")
    server = await store.servers.get(GUILD, "Main")
    assert server is not None

    class HalfPool:
        """Runs the first command, times out on the second (a ban written, its kick not)."""

        sent: list[str] = []

        async def execute(self, _server: Server, command: str) -> str:
            self.sent.append(command)
            if len(self.sent) > 1:
                raise RconTimeout("no answer within 5 s")
            return ""

    commands = RconCommands(HalfPool(), PermissionService(store), AuditLog(store))  # type: ignore[arg-type]

    async def build() -> Plan:
        return Plan(Action.BAN, ("addBan x 0 r", "kick 3 r"), "player='Gus'")

    with pytest.raises(PartlyDone) as raised:
        await commands.run(Caller(GUILD, 7, True, ()), "Ann", Action.BAN, server, "gus", build)
    assert (raised.value.done, raised.value.total, raised.value.outcome) == (1, 2, "timeout")
    assert "Only 1 of 2 commands ran" in str(raised.value)
    [entry] = await store.audit.search(AuditFilter(GUILD), limit=5)
    assert entry.outcome == "timeout"  # audited as what happened to the failing command
