"""The asyncio client end to end against the fake console: login, commands, players."""

from __future__ import annotations

import asyncio
import socket

import pytest

from bot.protocols.sdtd import (
    SdtdAuthError,
    SdtdClosed,
    SdtdInvalidCommand,
    SdtdInvalidState,
    SdtdRefused,
    SdtdTelnetClient,
    SdtdTimeout,
    say,
)
from tests.fakes.sdtd_server import FakePlayer, FakeSdtdServer
from tests.fakes.waiting import eventually

from .helpers import FAST_SESSION, client_for

EOS = "EOS_0002b5d970954287afdcb5dc35af0424"
PLAYERS = [
    FakePlayer(171, "Revlin McAwesome", steam_id="76561198012345678"),
    FakePlayer(172, "Jürgen, der 2.", platform_id="Steam_76561198028175941", cross_id=EOS),
]


async def test_login_command_and_players() -> None:
    async with FakeSdtdServer("secret", players=PLAYERS) as server:
        async with client_for(server) as client:
            assert client.connected
            assert await client.command("version") == (
                "Game version: V 1.0 (b333) Compatibility Version: V 1.0"
            )
            players = await client.players()
            assert [(p.entity_id, p.name) for p in players] == [
                (171, "Revlin McAwesome"),
                (172, "Jürgen, der 2."),
            ]
            assert players[0].steam_id == "76561198012345678"
            assert players[1].admin_id == EOS
            answer = await client.command_answer("lp")
            assert answer.ended_by == "trailer" and answer.echoed
        assert server.password_attempts == ["secret"]
        assert server.received_commands == ["version", "lp", "lp"]
    assert not client.connected


async def test_wrong_password_is_an_auth_error_and_never_retried() -> None:
    async with FakeSdtdServer("secret") as server:
        client = client_for(server, "hunter2")
        with pytest.raises(SdtdAuthError) as info:
            await client.connect()
        assert "hunter2" not in str(info.value) and "hunter2" not in repr(client)
        await asyncio.sleep(0.3)  # many backoff steps: no second try may come
        assert server.password_attempts == ["hunter2"]
        assert server.connections == 1
        with pytest.raises(SdtdAuthError):  # says why, without sending anything
            await client.command("lp")
        assert server.connections == 1 and not client.running


async def test_an_empty_password_for_a_server_that_asks_is_an_auth_error() -> None:
    async with FakeSdtdServer("secret") as server:
        with pytest.raises(SdtdAuthError, match="none is set"):
            await client_for(server, "").connect()
        assert server.password_attempts == []


@pytest.mark.parametrize("split", [False, True])
async def test_prompt_without_line_end_and_bytes_one_at_a_time(split: bool) -> None:
    async with FakeSdtdServer(players=PLAYERS, prompt_newline=False, split_writes=split) as server:
        async with client_for(server) as client:
            assert len(await client.players()) == 2


async def test_without_echo_answers_end_by_quiet() -> None:
    async with FakeSdtdServer(echo=False) as server:
        async with client_for(server) as client:
            answer = await client.command_answer("gettime")
            assert (answer.text, answer.ended_by, answer.echoed) == ("Day 7, 14:23", "quiet", False)
            assert await client.command(say('hi "all"')) == ""
        assert server.said == ["hi 'all'"]


async def test_log_lines_between_output_lines_stay_out_of_the_answer() -> None:
    async with FakeSdtdServer(players=PLAYERS, noise=True) as server:
        async with client_for(server) as client:
            answer = await client.command_answer("lp")
            assert len(answer.lines) == 3 and all("FPS" not in line for line in answer.lines)


async def test_concurrent_commands_run_one_at_a_time_each_with_its_answer() -> None:
    responses = {f"c{i}": f"answer {i}\nsecond line {i}" for i in range(5)}
    async with FakeSdtdServer(responses=responses, echo=False) as server:
        async with client_for(server) as client:
            results = await asyncio.gather(*(client.command(f"c{i}") for i in range(5)))
        assert results == [f"answer {i}\nsecond line {i}" for i in range(5)]
        assert server.received_commands == [f"c{i}" for i in range(5)]


async def test_a_timed_out_answer_does_not_leak_into_the_next_one() -> None:
    # No echo (HideCommandExecutionLog): the late output is drained after the timeout.
    late = {"responses": {"slow": "late output"}, "delays": {"slow": 0.2}}
    async with FakeSdtdServer(echo=False, **late) as server:  # type: ignore[arg-type]
        async with client_for(server) as client:
            with pytest.raises(SdtdTimeout):
                await client.command("slow", timeout=0.1)
            assert await client.command("gettime") == "Day 7, 14:23"
            assert client.stats is not None and client.stats.drained_lines == 1


async def test_with_echo_late_output_before_our_echo_is_not_our_answer() -> None:
    # Output slower than `settle` after its echo ends that answer empty; the next answer
    # only starts at its own echo, so the late lines cannot become part of it.
    late = {"responses": {"slow": "late output"}, "delays": {"slow": 0.15}}
    async with FakeSdtdServer(**late) as server:  # type: ignore[arg-type]
        async with client_for(server) as client:
            assert await client.command("gettime") == "Day 7, 14:23"  # echoes: learnt
            assert await client.command("slow") == ""
            assert await client.command("gettime") == "Day 7, 14:23"
            assert client.stats is not None and client.stats.drained_lines == 1


@pytest.mark.parametrize("command", ["lp\r\nshutdown", "say x\nban add 1", "lp\x00", "exit", ""])
async def test_commands_that_could_chain_are_refused_before_sending(command: str) -> None:
    async with FakeSdtdServer() as server:
        async with client_for(server) as client:
            with pytest.raises(SdtdInvalidCommand):
                await client.command(command)
            assert await client.command("gettime") == "Day 7, 14:23"
        assert server.received_commands == ["gettime"]


async def test_a_closed_port_is_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = SdtdTelnetClient("127.0.0.1", port, "x", timeout=1.0)
    with pytest.raises(SdtdRefused):
        await client.connect()


async def test_close_is_idempotent_and_ends_everything() -> None:
    async with FakeSdtdServer() as server:
        client = client_for(server)
        await client.connect()
        with pytest.raises(SdtdInvalidState):
            await client.connect()
        await client.close()
        await client.close()
        with pytest.raises(SdtdClosed):
            await client.command("gettime")
        assert [e async for e in client.events()][-1:] != []  # queued events, then the end
        await server.wait_clients(0)


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError):
        SdtdTelnetClient("h", 0, "x")
    with pytest.raises(ValueError):
        SdtdTelnetClient("h", 8081, "x", timeout=0)
    assert FAST_SESSION.settle < FAST_SESSION.first_output_wait


async def test_every_attempt_asks_resolve_for_the_address() -> None:
    asked: list[str] = []

    async def resolve(host: str) -> str:
        asked.append(host)
        if len(asked) > 1:
            raise PermissionError("private address refused")
        return "127.0.0.1"

    async with FakeSdtdServer() as server:
        client = client_for(server, resolve=resolve)
        client.host = "game.example"
        async with client:
            assert await client.command("gettime") == "Day 7, 14:23"
            await server.restart()
            await eventually(lambda: isinstance(client.last_error, SdtdRefused))
        assert asked[:2] == ["game.example", "game.example"]
        assert isinstance(client.last_error.__cause__, PermissionError)
        assert "private address refused" in str(client.last_error)
        assert server.logins == 1


def test_a_password_that_could_chain_is_refused_at_once() -> None:
    with pytest.raises(SdtdInvalidCommand) as info:
        SdtdTelnetClient("h", 8081, "pw\r\nshutdown")
    assert "shutdown" not in str(info.value)


async def test_the_socket_keeps_tcp_keepalive_on() -> None:
    async with FakeSdtdServer() as server:
        async with client_for(server) as client:
            assert client._link is not None and client._link.transport is not None
            sock = client._link.transport.get_extra_info("socket")
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
