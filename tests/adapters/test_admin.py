"""The admin adapters (Source RCON, BattlEye RCon): sessions and login tests against the fakes."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.admin import (
    AdminTarget,
    LoginStatus,
    SessionOptions,
    SessionState,
)
from bot.adapters.admin_errors import RconAuthError, RconUnavailable
from bot.adapters.battleye import BattlEyeAdapter
from bot.adapters.registry import default_admin_adapters, words_for
from bot.adapters.source_rcon import SourceRconAdapter
from bot.catalogue import ADMIN_PROTOCOLS, GAMES
from tests.adapters.sessions import assert_renamed_refusal
from tests.fakes.battleye_server import FakeBattlEyeServer
from tests.fakes.network_faults import refuse_address
from tests.fakes.rcon_server import FakeRCONServer

FAST = SessionOptions(connect_timeout=2.0, backoff_initial=0.05, backoff_max=0.2)


def _target(address: tuple[str, int], password: str, **extra: object) -> AdminTarget:
    return AdminTarget(1, "Test", address[0], address[1], password, **extra)  # type: ignore[arg-type]


def test_every_catalogue_console_has_an_adapter() -> None:
    adapters = set(default_admin_adapters())
    assert set(ADMIN_PROTOCOLS) <= adapters
    assert {g.admin_protocol for g in GAMES.values()} - {None} <= adapters
    assert words_for("battleye").transport == "UDP" and words_for("source_rcon").label


async def test_source_session_runs_commands_and_keeps_one_connection() -> None:
    async with FakeRCONServer(password="pw", responses={"status": "hostname: x"}) as fake:
        session = SourceRconAdapter().open(_target(fake.address, "pw"), FAST)
        try:
            assert session.state is SessionState.IDLE
            assert await session.execute("status", timeout=2.0) == "hostname: x"
            assert await session.execute("echo hi", timeout=2.0) == "hi"
            assert session.state is SessionState.CONNECTED
            assert fake.connections_made == 1
        finally:
            await session.close()
        assert session.state is SessionState.IDLE


async def test_source_session_stops_on_a_refused_password() -> None:
    async with FakeRCONServer(password="right") as fake:
        session = SourceRconAdapter().open(_target(fake.address, "wrong"), FAST)
        try:
            with pytest.raises(RconAuthError) as caught:
                await session.execute("status", timeout=2.0)
            assert session.state is SessionState.AUTH_FAILED
            assert "wrong" not in str(caught.value)
            await asyncio.sleep(0.3)  # several backoff periods: no new login
            assert fake.connections_made == 1
        finally:
            await session.close()


async def test_a_refused_address_is_said_and_nothing_is_sent() -> None:
    async with FakeRCONServer(password="pw") as fake:
        session = SourceRconAdapter().open(
            _target(fake.address, "pw", resolve=refuse_address), FAST
        )
        try:
            with pytest.raises(RconUnavailable, match="does not accept private"):
                await session.execute("status", timeout=0.5)
            assert fake.connections_made == 0
        finally:
            await session.close()


async def test_rename_changes_the_name_in_messages() -> None:
    async with FakeRCONServer(password="right") as fake:
        session = SourceRconAdapter().open(_target(fake.address, "wrong"), FAST)
        await assert_renamed_refusal(session)


async def test_battleye_session_logs_in_and_forwards_events() -> None:
    messages: list[str] = []
    async with FakeBattlEyeServer(password="pw", responses={"players": "none"}) as fake:
        session = BattlEyeAdapter().open(_target(fake.address, "pw"), FAST)
        session.add_listener("raw_event", messages.append)
        try:
            assert await session.execute("players", timeout=2.0) == "none"
            assert session.state is SessionState.CONNECTED
            await fake.push_message("RCon admin #0 (127.0.0.1:1) logged in")
            for _ in range(50):
                if messages:
                    break
                await asyncio.sleep(0.02)
            assert any("logged in" in m for m in messages)
        finally:
            await session.close()


async def test_battleye_session_stops_on_a_refused_password() -> None:
    async with FakeBattlEyeServer(password="right") as fake:
        session = BattlEyeAdapter().open(_target(fake.address, "wrong"), FAST)
        try:
            with pytest.raises(RconAuthError):
                await session.execute("players", timeout=2.0)
            assert session.state is SessionState.AUTH_FAILED
        finally:
            await session.close()


@pytest.mark.parametrize("adapter", [SourceRconAdapter(), BattlEyeAdapter()])
async def test_login_tests_tell_ok_from_refused(
    adapter: SourceRconAdapter | BattlEyeAdapter,
) -> None:
    fake_type = FakeRCONServer if isinstance(adapter, SourceRconAdapter) else FakeBattlEyeServer
    async with fake_type(password="pw") as fake:
        ok = await adapter.test_login(*fake.address, "pw", timeout=2.0)
        refused = await adapter.test_login(*fake.address, "nope", timeout=2.0)
    assert ok.status is LoginStatus.OK and ok.ok
    assert refused.status is LoginStatus.REFUSED
    assert adapter.hints.for_status(LoginStatus.REFUSED)
