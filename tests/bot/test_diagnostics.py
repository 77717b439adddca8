from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.crypto import SecretBox, generate_key
from bot.games import RconKind
from bot.logsetup import secrets
from bot.services.diagnostics import CheckStatus, check_dns, check_ping, diagnose
from bot.services.probes import LoginStatus, QueryAnswer
from bot.services.registry import ServerRegistry
from bot.storage import NewServer, Server, Store
from tests.bot.stubs import StubLogin, StubQuery

G1 = 111111111111111111
PASSWORD = "s3cret-pass"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "db.sqlite3")
    yield store
    await store.close()
    secrets.clear()


async def add(
    store: Store, box: SecretBox, game: str, *, host: str = "127.0.0.1", query_port: int = 27015,
    rcon_port: int | None = 27015, password: str | None = PASSWORD,
) -> Server:
    return await store.servers.add(
        NewServer(
            guild_id=G1, name=game, game=game, host=host, game_port=27015,
            query_port=query_port, rcon_port=rcon_port,
            rcon_password=box.encrypt(password) if password else None, created_by=1,
        )
    )


def registry_for(
    store: Store, box: SecretBox, query: StubQuery, login: StubLogin
) -> ServerRegistry:
    return ServerRegistry(store, box, query, login, query_timeout=0.1, login_timeout=0.1)


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
        ("cs2", LoginStatus.REFUSED, "srcds banned the bot's IP"),
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


async def test_battleye_ok_mentions_restrictrcon(store: Store) -> None:
    box = SecretBox(generate_key())
    server = await add(store, box, "dayz")
    login = StubLogin()
    report = await diagnose(server, registry_for(store, box, StubQuery({27015}), login))
    assert "RestrictRCon" in report.check("RCON login").detail
    assert login.calls == [(RconKind.BATTLEYE, "127.0.0.1", 27015)]


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
