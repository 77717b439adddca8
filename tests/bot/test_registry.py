from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.crypto import DecryptionError, SecretBox, generate_key
from bot.logsetup import secrets
from bot.services.errors import ServerNotFoundError, UserError
from bot.services.servers import diagnostics
from bot.services.servers.changes import MAX_SERVERS_PER_GUILD
from bot.services.servers.diagnostics import CheckResult, CheckStatus
from bot.services.servers.probes import LoginStatus
from bot.services.servers.registry import ServerRegistry
from bot.storage import Store
from tests.bot.stubs import StubLogin, StubQuery

G1, G2, USER = 111111111111111111, 222222222222222222, 42
PASSWORD = "s3cret-pass"


@pytest.fixture
async def store(backend_store: Store) -> AsyncIterator[Store]:
    # Parametrised over SQLite and PostgreSQL (tests/bot/conftest.py).
    yield backend_store
    secrets.clear()


async def no_dns(host: str) -> list[str]:
    return []  # offline tests: names resolve to nothing (so count as public)


def make(
    store: Store, query: StubQuery, login: StubLogin | None = None, **options: Any
) -> ServerRegistry:
    options.setdefault("resolver", no_dns)
    return ServerRegistry(store, SecretBox(generate_key()), query, login or StubLogin(), **options)


async def test_add_source_server_stores_encrypted_password(store: Store, tmp_path: Path) -> None:
    query, login = StubQuery(answering={27015}), StubLogin()
    registry = make(store, query, login)
    prepared = await registry.prepare_add(G1, "Main", "127.0.0.1", "cs2")
    assert prepared.needs_password and prepared.game_port == 27015
    assert prepared.rcon_port == 27015
    outcome = await registry.add(prepared, PASSWORD, USER)
    assert outcome.server.query_port == 27015
    assert outcome.login is not None and outcome.login.ok
    assert any("RCON login OK" in n for n in outcome.notes)
    assert registry.password_of(outcome.server) == PASSWORD
    assert outcome.server.rcon_password is not None
    assert PASSWORD not in outcome.server.rcon_password
    assert PASSWORD in secrets  # registered for log redaction
    if store.dialect == "sqlite":
        raw = (tmp_path / "db.sqlite3").read_bytes() + (tmp_path / "db.sqlite3-wal").read_bytes()
        assert PASSWORD.encode() not in raw
    stored = await store.database.fetch_val("SELECT rcon_password FROM servers")
    assert PASSWORD not in stored


async def test_query_port_rule_then_probe(store: Store) -> None:
    # DayZ: the rule says 27016; nothing answers there, the probe finds 27017.
    query = StubQuery(answering={27017}, probe_result=27017)
    registry = make(store, query)
    prepared = await registry.prepare_add(G1, "Day", "dayz.example.com:2402", "dayz")
    assert prepared.rcon_port == 2405  # BattlEye on game + 3
    outcome = await registry.add(prepared, PASSWORD, USER)
    assert query.calls[0] == ("dayz.example.com", 27016)
    assert query.probes == [("dayz.example.com", 2402, "dayz")]
    assert outcome.server.query_port == 27017
    assert any("found the query port by probing: 27017" in n for n in outcome.notes)


async def test_nothing_answers_saves_with_warning(store: Store) -> None:
    registry = make(store, StubQuery(), StubLogin(offline=True))
    prepared = await registry.prepare_add(G1, "Off", "10.0.0.1:2302", "arma3")
    outcome = await registry.add(prepared, PASSWORD, USER)
    assert outcome.server.query_port == 2303
    assert any("No A2S answer on port 2303" in n for n in outcome.notes)
    assert any("Could not verify the RCON login" in n for n in outcome.notes)


async def test_explicit_query_port_is_not_probed(store: Store) -> None:
    query = StubQuery(probe_result=1234)
    registry = make(store, query)
    prepared = await registry.prepare_add(G1, "V", "h.example:2456", "valheim", query_port=3000)
    assert not prepared.needs_password
    outcome = await registry.add(prepared, None, USER)
    assert outcome.server.query_port == 3000 and query.probes == []
    assert outcome.server.rcon_port is None and outcome.server.rcon_password is None


async def test_wrong_password_saves_nothing(store: Store) -> None:
    registry = make(store, StubQuery(answering={27015}))
    prepared = await registry.prepare_add(G1, "Main", "127.0.0.1", "cs2")
    refused = r"refused: the password is wrong\. Nothing was saved"
    with pytest.raises(UserError, match=refused) as info:
        await registry.add(prepared, "wrong-password", USER)
    assert "wrong-password" not in str(info.value)
    assert "ban" not in str(info.value)  # a ban drops the login: not this case
    assert await registry.servers_of(G1) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "bad`name"}, "server name may use"),
        ({"game_key": "nope"}, "Unknown game"),
        ({"address": "1.2.3"}, "address must be"),
        ({"game_key": "valheim", "rcon_port": 5}, "no RCON"),
        ({"query_port": 0}, "Ports must be"),
    ],
)
async def test_prepare_add_validation(
    store: Store, kwargs: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {"name": "Ok", "address": "127.0.0.1", "game_key": "cs2"}
    args.update(kwargs)
    registry = make(store, StubQuery())
    with pytest.raises(UserError, match=message):
        await registry.prepare_add(
            G1,
            str(args["name"]),
            str(args["address"]),
            str(args["game_key"]),
            args.get("query_port"),  # type: ignore[arg-type]
            args.get("rcon_port"),  # type: ignore[arg-type]
        )


async def test_duplicates_and_limit(store: Store) -> None:
    registry = make(store, StubQuery())
    await registry.add(await registry.prepare_add(G1, "A", "h.example", "other"), None, USER)
    with pytest.raises(UserError, match="already exists"):
        await registry.prepare_add(G1, "a", "h.example", "other")
    # Same name in another guild is fine.
    await registry.prepare_add(G2, "A", "h.example", "other")
    for i in range(MAX_SERVERS_PER_GUILD - 1):
        await registry.add(await registry.prepare_add(G1, f"S{i}", "h.example", "other"), None, 1)
    with pytest.raises(UserError, match=f"already has {MAX_SERVERS_PER_GUILD}"):
        await registry.prepare_add(G1, "One more", "h.example", "other")


async def test_password_required_for_rcon_games(store: Store) -> None:
    registry = make(store, StubQuery())
    prepared = await registry.prepare_add(G1, "Main", "127.0.0.1", "cs2")
    with pytest.raises(UserError, match="password is required"):
        await registry.add(prepared, None, USER)
    with pytest.raises(UserError, match="line breaks"):
        await registry.add(prepared, "a\nb", USER)


async def test_edit_address_reprobes_and_asks_for_the_password_again(store: Store) -> None:
    query, login = StubQuery(answering={27015, 27025}), StubLogin()
    registry = make(store, query, login)
    await registry.add(await registry.prepare_add(G1, "Main", "127.0.0.1", "cs2"), PASSWORD, 1)
    logins_before = len(login.calls)
    prepared = await registry.prepare_edit(G1, "main", address="127.0.0.2:27025", new_name="Prime")
    # A changed target needs the password typed again: the stored one is never sent there.
    assert prepared.rcon_target_changed and prepared.needs_password
    with pytest.raises(UserError, match="password must be entered again"):
        await registry.edit(prepared, None)
    assert len(login.calls) == logins_before
    stored = await registry.get(G1, "main")
    assert (stored.host, stored.game_port) == ("127.0.0.1", 27015)  # nothing changed
    outcome = await registry.edit(prepared, PASSWORD)
    server = outcome.server
    assert (server.name, server.host, server.game_port, server.query_port, server.rcon_port) == (
        "Prime",
        "127.0.0.2",
        27025,
        27025,
        27025,
    )
    assert login.calls[-1][1:] == ("127.0.0.2", 27025)  # tested with the typed password only
    assert login.passwords[logins_before:] == [PASSWORD]


@pytest.mark.parametrize(
    "change",
    [
        {"address": "203.0.113.9:27015"},  # same port, other host
        {"rcon_port": 27099},
        {"game_key": "csgo"},
    ],
)
async def test_any_rcon_target_change_drops_the_stored_password(
    store: Store, change: dict[str, Any]
) -> None:
    login = StubLogin()
    registry = make(store, StubQuery(answering={27015}), login)
    await registry.add(await registry.prepare_add(G1, "Main", "127.0.0.1", "cs2"), PASSWORD, 1)
    calls = len(login.calls)
    prepared = await registry.prepare_edit(G1, "Main", **change)
    assert prepared.needs_password
    with pytest.raises(UserError, match="entered again"):
        await registry.edit(prepared, None)
    assert len(login.calls) == calls  # nothing was sent anywhere
    # The new password replaces the old token.
    login.password = "new-pass"
    outcome = await registry.edit(prepared, "new-pass")
    assert registry.password_of(outcome.server) == "new-pass"


async def test_edit_of_the_query_port_only_keeps_the_password_and_sends_nothing(
    store: Store,
) -> None:
    login = StubLogin()
    registry = make(store, StubQuery(answering={27015, 27020}), login)
    await registry.add(await registry.prepare_add(G1, "Main", "127.0.0.1", "cs2"), PASSWORD, 1)
    calls = len(login.calls)
    prepared = await registry.prepare_edit(G1, "Main", query_port=27020)
    assert not prepared.needs_password
    outcome = await registry.edit(prepared, None)
    assert outcome.server.query_port == 27020
    assert registry.password_of(outcome.server) == PASSWORD
    assert len(login.calls) == calls


async def test_edit_new_password_and_game_change(store: Store) -> None:
    registry = make(store, StubQuery(answering={27015}))
    await registry.add(await registry.prepare_add(G1, "Main", "127.0.0.1", "cs2"), PASSWORD, 1)
    registry.rcon_login = StubLogin(password="other-pass")  # the server's password changed
    prepared = await registry.prepare_edit(G1, "Main")
    with pytest.raises(UserError, match="refused"):
        await registry.edit(prepared, "bad-password")
    outcome = await registry.edit(prepared, "other-pass")
    assert registry.password_of(outcome.server) == "other-pass"
    # Switching to a game without RCON drops port and password.
    dropped = await registry.edit(await registry.prepare_edit(G1, "Main", game_key="other"), None)
    assert dropped.server.rcon_port is None and dropped.server.rcon_password is None
    # And back to an RCON game: a password must be asked for.
    again = await registry.prepare_edit(G1, "Main", game_key="cs2")
    assert again.needs_password and again.rcon_port == 27015


async def test_edit_rename_collision_and_missing(store: Store) -> None:
    registry = make(store, StubQuery())
    for name in ("A", "B"):
        await registry.add(await registry.prepare_add(G1, name, "h.example", "other"), None, 1)
    with pytest.raises(UserError, match="already exists"):
        await registry.prepare_edit(G1, "A", new_name="b")
    with pytest.raises(ServerNotFoundError):
        await registry.prepare_edit(G2, "A")  # another guild's server is invisible


async def test_remove_and_autocomplete_are_guild_scoped(store: Store) -> None:
    registry = make(store, StubQuery())
    await registry.add(await registry.prepare_add(G1, "Alpha", "h.example", "other"), None, 1)
    assert await registry.autocomplete(G1, "al") == ["Alpha"]
    assert await registry.autocomplete(G2, "al") == []
    with pytest.raises(ServerNotFoundError):
        await registry.remove(G2, "Alpha")
    await registry.remove(G1, "alpha")
    assert await registry.servers_of(G1) == []


async def test_wrong_key_is_reported_not_crashing(store: Store, tmp_path: Path) -> None:
    registry = make(store, StubQuery(answering={27015}))
    await registry.add(await registry.prepare_add(G1, "Main", "127.0.0.1", "cs2"), PASSWORD, 1)
    other = make(store, StubQuery())
    bad = await other.undecryptable()
    assert [s.name for s in bad] == ["Main"]
    with pytest.raises(DecryptionError):
        other.password_of(bad[0])
    stored = await store.database.fetch_val("SELECT rcon_password FROM servers")
    assert stored.startswith("gAAAA")  # a Fernet token, not the password


async def test_probed_query_port_is_confirmed_before_saving(store: Store) -> None:
    query = StubQuery(answering={27017}, probe_result=27017)
    registry = make(store, query)
    pending = await registry.check_add(
        await registry.prepare_add(G1, "Day", "dayz.example.com:2402", "dayz"), PASSWORD
    )
    assert pending.needs_confirmation and pending.query.port == 27017
    assert pending.query.answer is not None and pending.query.answer.name == "Stub Server"
    assert await registry.servers_of(G1) == []  # nothing saved yet
    outcome = await registry.save_add(pending, USER)
    assert outcome.server.query_port == 27017 and outcome.answered


async def test_rule_port_answering_needs_no_confirmation(store: Store) -> None:
    registry = make(store, StubQuery(answering={27015}))
    pending = await registry.check_add(
        await registry.prepare_add(G1, "Main", "h.example", "other"), None
    )
    assert not pending.needs_confirmation and pending.query.answer is not None


async def test_private_addresses_refused_when_not_allowed(store: Store) -> None:
    async def lan(host: str) -> list[str]:
        return ["192.168.1.5"] if host == "lan.example" else ["8.8.8.8"]

    login = StubLogin()
    registry = make(store, StubQuery(answering={27015}), login, allow_private=False, resolver=lan)
    for literal in ("127.0.0.1", "10.0.0.1:2302", "[fe80::1]:27015", "239.1.1.1", "[::1]"):
        with pytest.raises(UserError, match="ALLOW_PRIVATE_ADDRESSES"):
            await registry.prepare_add(G1, "Main", literal, "cs2")
    # A name is checked after DNS, before anything is sent to it.
    prepared = await registry.prepare_add(G1, "Main", "lan.example", "cs2")
    with pytest.raises(UserError, match="ALLOW_PRIVATE_ADDRESSES"):
        await registry.add(prepared, PASSWORD, USER)
    assert login.calls == [] and await registry.servers_of(G1) == []
    public = await registry.add(
        await registry.prepare_add(G1, "Pub", "pub.example", "cs2"), PASSWORD, USER
    )
    assert public.server.host == "pub.example"
    with pytest.raises(UserError, match="ALLOW_PRIVATE_ADDRESSES"):
        await registry.prepare_edit(G1, "Pub", address="192.168.0.1")


async def test_internal_targets_get_one_failure_text(store: Store) -> None:
    notes = set()
    for i, login in enumerate(
        (
            StubLogin(offline=True),
            StubLogin(password="x", status_if_wrong=LoginStatus.UNREACHABLE),
            StubLogin(password="x", status_if_wrong=LoginStatus.DROPPED),
        )
    ):
        registry = make(store, StubQuery(), login)
        outcome = await registry.add(
            await registry.prepare_add(G1, f"S{i}", "10.0.0.1:2302", "arma3"),
            PASSWORD,
            USER,
        )
        assert not outcome.answered
        notes.add(tuple(n.replace(f"S{i}", "") for n in outcome.notes))
    assert len(notes) == 1
    assert all("not reachable or not a game server" in n for n in notes.pop())


async def test_a_login_the_server_closes_is_saved_with_the_squad_hint(store: Store) -> None:
    # Not a refusal (a restart looks the same), but the member learns what it may mean.
    registry = make(
        store,
        StubQuery(answering={27165}),
        StubLogin(password="x", status_if_wrong=LoginStatus.DROPPED),
    )
    outcome = await registry.add(
        await registry.prepare_add(G1, "Sq", "squad.example:7787", "squad"), PASSWORD, USER
    )
    note = next(n for n in outcome.notes if "Could not verify the RCON login" in n)
    assert "closed the connection at login" in note and "Squad" in note


async def test_probes_and_login_go_to_the_address_that_was_checked(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DNS rebinding: the name answers a public address to the check and an internal one to
    # whatever looks it up next. With internal addresses refused, the query, the port probe
    # and the login all go to the checked address (the name is what is saved).
    answers = iter([["93.184.216.34"]])

    async def rebinding(host: str) -> list[str]:
        return next(answers, ["10.0.0.7"])

    query = StubQuery(answering=set(), probe_result=None)
    login = StubLogin()
    registry = make(store, query, login, allow_private=False, resolver=rebinding)
    outcome = await registry.add(
        await registry.prepare_add(G1, "Main", "rebind.example", "arma3"), PASSWORD, USER
    )
    assert outcome.server.host == "rebind.example"
    assert {host for host, _ in query.calls} == {"93.184.216.34"}
    assert {host for host, _, _ in query.probes} == {"93.184.216.34"}
    assert [host for _, host, _ in login.calls] == ["93.184.216.34"]

    # /server test the same way: one checked lookup, the traffic to its address.
    async def dns_ok(host: str, timeout: float = 5.0, language: str = "en") -> CheckResult:
        return CheckResult("DNS", CheckStatus.OK, "resolves")

    monkeypatch.setattr(diagnostics, "check_dns", dns_ok)
    answers = iter([["93.184.216.35"]])
    query.calls.clear()
    login.calls.clear()
    await diagnostics.diagnose(outcome.server, registry)
    assert {host for host, _ in query.calls} == {"93.184.216.35"}
    assert [host for _, host, _ in login.calls] == ["93.184.216.35"]
