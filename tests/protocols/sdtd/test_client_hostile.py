"""Hostile and wrong peers: bounded lines and answers, silence, other protocols, secrets."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.protocols.sdtd import NotSdtd, SdtdTelnetClient, SdtdTimeout
from bot.protocols.sdtd.session import SessionConfig
from tests.fakes.sdtd_server import FakeSdtdServer
from tests.fakes.waiting import eventually

from .helpers import FAST_SESSION, client_for


async def test_an_endless_line_is_refused_and_the_connection_dropped() -> None:
    async with FakeSdtdServer(hostile="endless_line") as server:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(NotSdtd, match="line of over"):
            await client_for(server).connect()
        assert loop.time() - started < 1.0  # at the bound, not at the timeout
        await eventually(lambda: server.connections == 1 and not server._clients)


@pytest.mark.parametrize(("mode", "said"), [("silence", "sent nothing"), ("no_newline", "no")])
async def test_no_prompt_within_the_timeout_is_not_sdtd(mode: str, said: str) -> None:
    async with FakeSdtdServer(hostile=mode) as server:  # type: ignore[arg-type]
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(NotSdtd, match=said):
            await client_for(server, timeout=0.3).connect()
        assert 0.25 < loop.time() - started < 1.0


async def test_another_protocol_is_told_at_once() -> None:
    async with FakeSdtdServer(hostile="http") as server:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(NotSdtd, match="another protocol"):
            await client_for(server, timeout=2.0).connect()
        assert loop.time() - started < 1.0


async def test_an_endless_answer_is_cut_at_the_budget_and_the_client_reconnects() -> None:
    config = SessionConfig(
        first_output_wait=0.3, settle=0.05, banner_wait=0.1, max_answer_bytes=64 * 1024
    )
    async with FakeSdtdServer(hostile="flood") as server:
        async with client_for(server, session=config) as client:
            with pytest.raises(NotSdtd, match="answer of over"):
                await client.command("lp")
            await eventually(lambda: client.connected and server.logins == 2)


async def test_the_password_is_in_no_repr_log_or_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "s3cr3t-Pa55"
    async with FakeSdtdServer(secret) as server:
        client = client_for(server, secret)
        async with client:
            server.password = "changed"
            await server.restart()
            await eventually(lambda: client.last_error is not None)
            texts = [repr(client), str(client.last_error), repr(client.last_error), caplog.text]
            texts.append(repr(client.__dict__))
    assert all(secret not in text for text in texts)


async def test_a_command_never_answered_times_out_and_the_connection_stays() -> None:
    # Without an echo nothing says the command arrived: the timeout is the caller's.
    async with FakeSdtdServer(delays={"hang": 10.0}, echo=False) as server:
        async with client_for(server, timeout=0.2) as client:
            with pytest.raises(SdtdTimeout):
                await client.command("hang")
            assert client.connected


def test_fast_session_is_valid() -> None:
    assert isinstance(FAST_SESSION, SessionConfig)
    assert SdtdTelnetClient("h", 8081, "p").timeout == 10.0
