from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.crypto import SecretBox, generate_key
from bot.games import RconKind
from bot.logsetup import secrets
from bot.services.servers.diagnostics import CheckStatus, check_dns, check_ping, diagnose
from bot.services.servers.probes import LoginStatus, QueryAnswer
from bot.services.servers.registry import ServerRegistry
from bot.storage import NewServer, Server, Store
from tests.bot.stubs import StubLogin, StubQuery

G1 = 111111111111111111
PASSWORD = "s3cret-pass"
# A public address (the stubs never touch the network): the detailed hints are for these; an
# internal target's failures all read the same (test_internal_targets_fail_uniformly).
PUBLIC = "1.2.3.4"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "db.sqlite3")
    yield store
    await store.close()
    secrets.clear()


async def add(
    store: Store,
    box: SecretBox,
    game: str,
    *,
    host: str = PUBLIC,
    query_port: int = 27015,
    rcon_port: int | None = 27015,
    password: str | None = PASSWORD,
) -> Server:
    return await store.servers.add(
        NewServer(
            guild_id=G1,
            name=game,
            game=game,
            host=host,
            game_port=27015,
            query_port=query_port,
            rcon_port=rcon_port,
            rcon_password=box.encrypt(password) if password else None,
            created_by=1,
        )
    )


def registry_for(
    store: Store,
    box: SecretBox,
    query: StubQuery,
    login: StubLogin,
    *,
    allow_private: bool = True,
) -> ServerRegistry:
    return ServerRegistry(
        store,
        box,
        query,
        login,
        query_timeout=0.1,
        login_timeout=0.1,
        allow_private=allow_private,
    )


async def test_all_green(store: Store) -> None:
    box = SecretBox(generate_key())
    server = await add(store, box, "cs2")
    report = await diagnose(server, registry_for(store, box, StubQuery({27015}), StubLogin()))
    assert report.ok
    assert [c.name for c in report.checks] == ["DNS", "A2S query", "Ping", "RCON login"]
    assert report.check("DNS").status is CheckStatus.SKIPPED  # an IP literal
    assert "Stub Server" in report.check("A2S query").detail
    assert report.check("Ping").detail == "12 ms from the bot"
    assert "Source RCON login OK on TCP 27015" in report.check("RCON login").detail


async def test_wrong_query_port_found_elsewhere(store: Store) -> None:
    box = SecretBox(generate_key())
    server = await add(store, box, "cs2")
    query = StubQuery(probe_result=27016)
    report = await diagnose(server, registry_for(store, box, query, StubLogin()))
    check = report.check("A2S query")
    assert check.status is CheckStatus.FAIL
    assert "port 27016 answers" in check.detail and "query_port:27016" in check.detail
    assert report.check("Ping").status is CheckStatus.SKIPPED
    assert not report.ok


async def test_no_answer_lists_usual_causes(store: Store) -> None:
    box = SecretBox(generate_key())
    server = await add(store, box, "arma_reforger", query_port=17777, rcon_port=19999)
    report = await diagnose(server, registry_for(store, box, StubQuery(), StubLogin()))
    detail = report.check("A2S query").detail
    for cause in ("wrong query port", "query disabled", "firewall", "offline", "a2s"):
        assert cause in detail
    # The config line that enables Reforger's query, from its catalogue row.
    assert '"a2s": { "address": "0.0.0.0", "port": 17777 }' in detail


@pytest.mark.parametrize(
    ("game", "line"),
    [("valheim", "-port 2456 gives A2S on 2457"), ("squad", "QueryPort=27165")],
)
async def test_no_answer_says_how_the_game_enables_its_query(
    store: Store, game: str, line: str
) -> None:
    box = SecretBox(generate_key())
    server = await add(store, box, game)
    report = await diagnose(server, registry_for(store, box, StubQuery(), StubLogin()))
    assert line in report.check("A2S query").detail


@pytest.mark.parametrize(
    ("game", "line"),
    [("squad", "Rcon.cfg"), ("palworld", "RCONEnabled=True"), ("cs2", "rcon_password")],
)
async def test_rcon_no_answer_says_how_the_game_enables_its_console(
    store: Store, game: str, line: str
) -> None:
    box = SecretBox(generate_key())
    server = await add(store, box, game)
    login = StubLogin(password="another", status_if_wrong=LoginStatus.NO_ANSWER)
    login.offline = True
    report = await diagnose(server, registry_for(store, box, StubQuery({27015}), login))
    detail = report.check("RCON login").detail
    assert line in detail and PASSWORD not in detail


async def test_not_a2s(store: Store) -> None:
    box = SecretBox(generate_key())
    server = await add(store, box, "cs2")
    report = await diagnose(
        server, registry_for(store, box, StubQuery(not_a2s={27015}), StubLogin())
    )
    assert "not with A2S" in report.check("A2S query").detail


@pytest.mark.parametrize(
    ("game", "status", "expected"),
    [
        ("cs2", LoginStatus.REFUSED, "the password is wrong"),
        ("cs2", LoginStatus.DROPPED, "Squad closes on a wrong password"),
        ("cs2", LoginStatus.DROPPED, "srcds dropping the bot's IP it banned"),
        ("cs2", LoginStatus.NO_ANSWER, "RCON disabled"),
        ("cs2", LoginStatus.UNREACHABLE, "connection was refused"),
        ("dayz", LoginStatus.REFUSED, "RConPassword"),
        ("dayz", LoginStatus.NO_ANSWER, "BattlEye RCon disabled"),
    ],
)
async def test_rcon_failure_hints(
    store: Store, game: str, status: LoginStatus, expected: str
) -> None:
    box = SecretBox(generate_key())
    server = await add(store, box, game)
    login = StubLogin(password="another", status_if_wrong=status)
    if status is LoginStatus.NO_ANSWER:
        login.offline = True
    report = await diagnose(server, registry_for(store, box, StubQuery({27015}), login))
    check = report.check("RCON login")
    assert check.status is CheckStatus.FAIL
    assert expected in check.detail
    assert PASSWORD not in check.detail
    # A refusal is an answer about the password; a ban shows as a dropped login instead.
    if status is not LoginStatus.DROPPED:
        assert "ban" not in check.detail


async def test_battleye_ok_mentions_restrictrcon(store: Store) -> None:
    box = SecretBox(generate_key())
    server = await add(store, box, "dayz")
    login = StubLogin()
    report = await diagnose(server, registry_for(store, box, StubQuery({27015}), login))
    assert "RestrictRCon" in report.check("RCON login").detail
    assert login.calls == [(RconKind.BATTLEYE, PUBLIC, 27015)]


async def test_rcon_skipped_or_failed_without_usable_password(store: Store) -> None:
    box = SecretBox(generate_key())
    none = await add(store, box, "cs2", password=None)
    query_only = await store.servers.add(
        NewServer(G1, "v", "valheim", "127.0.0.1", 2456, 27015, None, None, 1)
    )
    registry = registry_for(store, box, StubQuery({27015}), StubLogin())
    assert (await diagnose(none, registry)).check("RCON login").status is CheckStatus.SKIPPED
    assert (await diagnose(query_only, registry)).check("RCON login").status is CheckStatus.SKIPPED
    other_key = registry_for(store, SecretBox(generate_key()), StubQuery({27015}), StubLogin())
    locked = await add(store, box, "tf2")
    check = (await diagnose(locked, other_key)).check("RCON login")
    assert check.status is CheckStatus.FAIL and "OUTPOST_SECRET_KEY" in check.detail


async def test_dns_failure_skips_the_rest(store: Store) -> None:
    box = SecretBox(generate_key())
    server = await add(store, box, "cs2", host="no-such-host.invalid")
    login = StubLogin()
    report = await diagnose(server, registry_for(store, box, StubQuery(), login))
    assert report.check("DNS").status is CheckStatus.FAIL
    assert "does not resolve" in report.check("DNS").detail
    assert {c.status for c in report.checks[1:]} == {CheckStatus.SKIPPED}
    assert login.calls == []


async def test_dns_ok_and_ping_levels() -> None:
    result = await check_dns("localhost")
    assert result.status is CheckStatus.OK and "localhost →" in result.detail
    slow = QueryAnswer(1, "s", "m", 0, 1, 400.0)
    assert check_ping(slow).status is CheckStatus.WARN


@pytest.mark.parametrize("host", ["127.0.0.1", "10.1.2.3", "192.168.0.9", "169.254.1.1", "::1"])
async def test_internal_targets_fail_uniformly_and_probe_nothing(store: Store, host: str) -> None:
    box = SecretBox(generate_key())
    server = await add(store, box, "cs2", host=host)
    details = set()
    # Silent, refused or not A2S, and a login unanswered or refused at TCP level: one text.
    cases = [
        (StubQuery(probe_result=27016), StubLogin(offline=True)),
        (
            StubQuery(not_a2s={27015}, probe_result=27016),
            StubLogin(password="x", status_if_wrong=LoginStatus.UNREACHABLE),
        ),
    ]
    for query, login in cases:
        report = await diagnose(server, registry_for(store, box, query, login))
        assert query.probes == []  # no other port is tried
        details.add((report.check("A2S query").detail, report.check("RCON login").detail))
    assert len(details) == 1
    query_detail, rcon_detail = details.pop()
    assert "not reachable or not a game server" in query_detail
    assert "not reachable or not a game server" in rcon_detail
    # The operator (python -m bot check) still gets the detailed hints.
    query = StubQuery()
    report = await diagnose(
        server, registry_for(store, box, query, StubLogin(offline=True)), operator=True
    )
    assert "No A2S answer on UDP 27015" in report.check("A2S query").detail


async def test_internal_target_refused_when_private_addresses_are_off(store: Store) -> None:
    box = SecretBox(generate_key())
    server = await add(store, box, "cs2", host="10.0.0.5")
    query, login = StubQuery({27015}), StubLogin()
    report = await diagnose(server, registry_for(store, box, query, login, allow_private=False))
    assert "ALLOW_PRIVATE_ADDRESSES" in report.check("Address").detail
    assert query.calls == [] and login.calls == []


async def test_server_name_is_escaped(store: Store) -> None:
    box = SecretBox(generate_key())
    server = await add(store, box, "cs2")
    query = StubQuery({27015}, server_name="[Verify your account](https://evil)")
    report = await diagnose(server, registry_for(store, box, query, StubLogin()))
    assert r"\[Verify your account\](https://evil)" in report.check("A2S query").detail


def test_every_console_login_hint_is_in_the_catalogue_as_the_adapter_says_it() -> None:
    # The catalogue's English is the adapters' own text: a change there shows up here.
    from bot.adapters.admin import LoginStatus
    from bot.adapters.registry import admin_hints, default_admin_adapters
    from bot.i18n import t
    from bot.services.servers.diagnostics import login_hint

    protocols = list(default_admin_adapters())
    assert set(protocols) == {"battleye", "source_rcon", "webrcon", "sdtd_telnet", "palworld_rest"}
    for protocol in protocols:
        hints = admin_hints(protocol)
        assert hints is not None
        for status in LoginStatus:
            english = hints.for_status(status)
            if english:
                assert t("en", f"serverui.login.{protocol}.{status.value}") == english
                assert login_hint(protocol, status, english, "de") != english
    assert login_hint("new_protocol", LoginStatus.REFUSED, "as written", "de") == "as written"
