"""The blocking client (python-valve's API), run in a worker thread against the fake server."""

from __future__ import annotations

import asyncio

import pytest

from bot.protocols.rcon import (
    RCON,
    RCONAuthDroppedError,
    RCONAuthenticationError,
    RCONCommunicationError,
    RCONError,
    RCONTimeoutError,
    execute,
)
from tests.fakes.rcon_server import FakeRCONServer

CVARLIST = (
    "cvar list\n--------------\n"
    'sv_cheats                                : 0        : , "sv", "nf", "rep" : Allow cheats\n'
    "status                                   : cmd      :                  : Show status\n"
    "--------------\n  2 total convars/concommands\n"
)


async def test_seed_api() -> None:
    answers = {"status": "hostname: x", "cvarlist": CVARLIST, "big": "y" * 50_000}
    async with FakeRCONServer(responses=answers, coalesce=True) as server:

        def session() -> None:
            with RCON(server.address, "secret") as r:
                assert r.connected and r.authenticated and not r.closed
                assert r("status") == "hostname: x"
                message = r.execute("big")
                assert message is not None and message.body == b"y" * 50_000
                assert r.execute("say hi", block=False) is None
                assert [c.name for c in r.cvarlist()] == ["sv_cheats", "status"]
            assert r.closed and not r.connected
            assert execute(server.address, "secret", "echo one-shot") == "one-shot"

        await asyncio.to_thread(session)
    assert server.received == ["status", "big", "say hi", "cvarlist", "echo one-shot"]


async def test_step_by_step_and_state_errors() -> None:
    async with FakeRCONServer(profile="minecraft") as server:

        def session() -> None:
            r = RCON(server.address, "secret", profile="minecraft")
            with pytest.raises(RCONError, match="not connected"):
                r.authenticate()
            r.connect()
            with pytest.raises(RCONError, match="already connected"):
                r.connect()
            with pytest.raises(RCONError, match="not authenticated"):
                r.execute("status")
            r.authenticate()
            assert r("echo ok") == "ok"
            r.close()
            r.close()
            with pytest.raises(RCONError):
                r.connect()

        await asyncio.to_thread(session)


async def test_timeout_keeps_the_connection() -> None:
    answers = {"slow": "SLOW"}
    async with FakeRCONServer(responses=answers, command_delays={"slow": 0.3}) as server:

        def session() -> None:
            with RCON(server.address, "secret", timeout=2.0) as r:
                with pytest.raises(RCONTimeoutError):
                    r.execute("slow", timeout=0.05)
                assert r("echo next") == "next"

        await asyncio.to_thread(session)


async def test_wrong_password_and_ban() -> None:
    async with FakeRCONServer(max_failed_auth=1) as server:

        def session() -> None:
            with pytest.raises(RCONAuthenticationError):
                execute(server.address, "nope", "status")
            # Dropped without an answer: a connection error, not a refusal.
            with pytest.raises(RCONAuthDroppedError):
                execute(server.address, "secret", "status")

        await asyncio.to_thread(session)
    assert server.auth_attempts == 1  # the banned connection was dropped before its AUTH


async def test_connection_lost_mid_command() -> None:
    seen = asyncio.Event()
    loop = asyncio.get_running_loop()

    def handler(command: str) -> str:
        loop.call_soon(seen.set)
        return "never"

    async with FakeRCONServer(handler=handler, delay=5.0) as server:

        def session() -> None:
            with RCON(server.address, "secret") as r:
                with pytest.raises(RCONCommunicationError):
                    r("status")
                assert r.closed

        task = asyncio.ensure_future(asyncio.to_thread(session))
        await seen.wait()
        await server.restart()
        await task


async def test_connect_failure() -> None:
    def session() -> None:
        with pytest.raises(RCONCommunicationError):
            RCON(("127.0.0.1", 1), "secret", timeout=1.0).connect()

    await asyncio.to_thread(session)


async def test_squad_chat_kept_aside() -> None:
    async with FakeRCONServer(profile="squad", interleave_chat="[ChatAll] gg") as server:

        def session() -> None:
            with RCON(server.address, "secret", profile="squad") as r:
                assert r("echo one") == "one"
                assert [m.text for m in r.unsolicited] == ["[ChatAll] gg"]

        await asyncio.to_thread(session)
