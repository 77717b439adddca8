"""Failures nobody awaits are not swallowed: the expected ones keep their quiet handling, any
other exception (a bug) is logged, with its traceback, once per kind where it could repeat every
round."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections import deque
from typing import Any

import pytest

from bot.adapters.admin_errors import RconUnavailable
from bot.adapters.query import QueryResult
from bot.crypto import DecryptionError
from bot.protocols import battleye
from bot.services.feed.console_link import ConsoleLink
from bot.services.feed.ingest import EventWriter
from bot.services.servers.resolver import Resolver
from bot.services.status.player_names import PollContext, RconAccess
from bot.services.status.status_source import AdapterStatusSource
from bot.services.unexpected import UnexpectedErrors
from bot.snapshots import ServerInfo, Target
from bot.storage import NewServer, Server, Store
from tests.bot.test_feed_console import Hub


def errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


async def dayz(store: Store) -> Server:
    return await store.servers.add(
        NewServer(1, "dayz", "dayz", "127.0.0.1", 2302, 27016, 2306, "tok", 1)
    )


class FailingHub(Hub):
    def __init__(self, error: BaseException, *, hold: bool = False) -> None:
        super().__init__(None)
        self.error = error
        self.holds = hold

    def hold(self, server: Server) -> None:
        if not self.holds:
            raise self.error
        super().hold(server)

    async def session(self, server: Server) -> Any:
        raise self.error


@pytest.mark.parametrize(
    "error", [DecryptionError("bad key"), RconUnavailable(key="rcon.shutting_down")]
)
async def test_an_expected_console_failure_stays_a_warning(
    store: Store, error: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    server = await dayz(store)
    hub = FailingHub(error)
    link = ConsoleLink(hub, lambda _: None, lambda: 1.0, lambda: None)
    link.sync({server.id: server})
    assert not link.linked(server.id) and hub.listeners == {server.id: []}
    assert not errors(caplog)
    assert f"no console connection for server {server.id} ({type(error).__name__})" in caplog.text


async def test_a_bug_holding_a_console_is_logged_with_its_traceback(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    server = await dayz(store)
    hub = FailingHub(RuntimeError("bug"))
    link = ConsoleLink(hub, lambda _: None, lambda: 1.0, lambda: None)
    link.sync({server.id: server})  # does not raise: the other servers are still bound
    assert not link.linked(server.id) and hub.listeners == {server.id: []}
    [record] = errors(caplog)
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError


async def test_a_bug_listing_a_consoles_players_is_logged(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    server = await dayz(store)
    hub = FailingHub(RuntimeError("bug"), hold=True)
    link = ConsoleLink(hub, lambda _: None, lambda: 1.0, lambda: None)
    link.sync({server.id: server})
    hub.fire(server.id, "login")
    await asyncio.gather(*link.roster_tasks)
    [record] = errors(caplog)
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError

    caplog.clear()
    hub.error = TimeoutError()
    with caplog.at_level(logging.INFO):
        hub.fire(server.id, "login")
        await asyncio.gather(*link.roster_tasks)
    assert not errors(caplog) and "unavailable (TimeoutError)" in caplog.text


async def test_removed_servers_unchecked_is_said(
    store: Store, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = EventWriter(store, lambda _: None)

    async def broken() -> list[Server]:
        raise RuntimeError("database gone")

    monkeypatch.setattr(store.servers, "all", broken)
    pending: Any = deque()
    with caplog.at_level(logging.WARNING):
        await writer.forget_removed_servers(pending)
    assert "removed servers not checked (RuntimeError)" in caplog.text


async def test_a_broken_lookup_function_is_logged_once_per_kind(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def broken(host: str) -> str:
        if host.startswith("bad"):
            raise UnicodeError("label too long")
        raise KeyError(host)

    resolver = Resolver(broken, negative_ttl=0.0)
    for name in ("a.example", "b.example", "bad.example"):
        with pytest.raises(socket.gaierror, match="lookup failed"):
            await resolver.resolve(name, 1)
    [record] = errors(caplog)  # KeyError once; a name IDNA refuses is no bug
    assert "KeyError" in record.getMessage() and record.exc_info is not None


class Names:
    def __init__(self, error: BaseException) -> None:
        self.error = error

    async def names(self, context: PollContext) -> list[str]:
        raise self.error


class Adapters:
    def adapter(self, protocol: str) -> Any:
        return self

    async def query(self, host: str, port: int, **_: Any) -> QueryResult:
        info = ServerInfo("n", "m", 1, 10, 0, False, False, "1", "dayz", 1.0, players_known=False)
        return QueryResult(info)


@pytest.mark.parametrize(
    ("error", "logged"), [(battleye.LoginRefused("no"), 0), (OSError(), 0), (KeyError("x"), 1)]
)
async def test_player_name_failures_keep_the_answer_and_a_bug_is_logged_once(
    error: BaseException, logged: int, caplog: pytest.LogCaptureFixture
) -> None:
    source = AdapterStatusSource(Adapters(), Names(error))  # type: ignore[arg-type]
    target = Target("127.0.0.1", 27016)
    context = PollContext(target, battleye=RconAccess("127.0.0.1", 2306, "pw"))
    for _ in range(3):
        info = await source.fetch(target, context, 1.0)
        assert info.name == "n" and info.private_lists == ()
    assert len(errors(caplog)) == logged


def test_unexpected_errors_are_logged_once_per_kind(caplog: pytest.LogCaptureFixture) -> None:
    seen = UnexpectedErrors(logging.getLogger("test.unexpected"), "raised %s")
    for exc in (KeyError("a"), KeyError("b"), ValueError("c"), KeyError("d")):
        seen.report(exc)
    assert [r.getMessage() for r in errors(caplog)] == ["raised KeyError", "raised ValueError"]
    assert all(r.exc_info is not None for r in errors(caplog))
