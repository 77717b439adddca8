"""Loss, duplication, reordering, corruption, silence and restart, against the fake server."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.protocols.battleye import (
    BattlEyeClient,
    ClientConfig,
    LoginRefused,
    LoginTimeout,
    RCONCommandError,
)
from bot.protocols.battleye.protocol import ProtocolConfig
from tests.fakes.battleye_server import FakeBattlEyeServer

from .helpers import FAST, FAST_PROTOCOL, Collector, login_ok_then, start_scripted

LOSSY = replace(FAST, protocol=replace(FAST_PROTOCOL, liveness_timeout=3.0, keepalive_interval=1.0))


def _collect(client: BattlEyeClient, prefix: str) -> Collector:
    collector = Collector(prefix)
    client.add_listener("raw_event", collector)
    return collector


async def _deliver_all(
    server: FakeBattlEyeServer, got: Collector, messages: list[str], *, within: float
) -> None:
    """Push ``messages``: the server must see every ack, ``got`` each message once, in order."""
    await server.push_messages(messages)
    async with asyncio.timeout(within):
        await server.wait_acked()
        await got.wait_count(len(messages))
    assert got.items == messages


async def test_burst_under_loss_dup_and_reorder_arrives_exactly_once_in_order() -> None:
    async with FakeBattlEyeServer(
        loss=0.05, duplicate=0.05, reorder=True, seed=7, resend_interval=0.1
    ) as server:
        client = BattlEyeClient(LOSSY)
        got = _collect(client, "msg ")
        async with client.connect(*server.address, "secret"):
            await _deliver_all(server, got, [f"msg {i}" for i in range(1000)], within=20)
            assert client.stats.duplicate_messages > 0  # the faults did happen
            # Commands under the same faults: every one answered, each run exactly once.
            for i in range(40):
                assert await client.send_command(f"say -1 hello {i}") == ""
            says = [c for c in server.received_commands if c.startswith("say")]
            assert says == [f"say -1 hello {i}" for i in range(40)]
        assert server.dropped_clients == 0


async def test_corrupted_packets_are_dropped_counted_and_recovered() -> None:
    async with FakeBattlEyeServer(corrupt=0.2, seed=3, resend_interval=0.1) as server:
        client = BattlEyeClient(LOSSY)
        got = _collect(client, "m")
        async with client.connect(*server.address, "secret"):
            await _deliver_all(server, got, [f"m{i}" for i in range(100)], within=10)
            dropped = client.stats.dropped
            assert dropped["crc"] + dropped["header"] + dropped["type"] > 0


async def test_silent_server_is_detected_and_client_reconnects() -> None:
    async with FakeBattlEyeServer() as server:
        client = BattlEyeClient(FAST)
        async with client.connect(*server.address, "secret"):
            lost = asyncio.ensure_future(client.wait_for("disconnect", timeout=5))
            back = asyncio.ensure_future(client.wait_for("login", timeout=5))
            server.silent = True
            await lost
            assert not client.is_connected()
            with pytest.raises(RCONCommandError):
                await client.send_command("players")
            server.silent = False
            await back
            assert client.reconnects == 1 and client.is_connected()
            assert await client.send_command("") == ""


async def test_server_restart_new_sequence_space() -> None:
    async with FakeBattlEyeServer() as server:
        client = BattlEyeClient(FAST)
        got = _collect(client, "after")
        async with client.connect(*server.address, "secret"):
            await server.push_messages(["before"] * 3)
            async with asyncio.timeout(5):
                await server.wait_acked()
            back = asyncio.ensure_future(client.wait_for("login", timeout=5))
            await server.restart()
            await back
            assert server.logins == 2
            # The restarted server numbers messages from 0 again: not mistaken for duplicates.
            await _deliver_all(server, got, ["after 0", "after 1"], within=5)


async def test_wrong_password_is_never_retried() -> None:
    async with FakeBattlEyeServer("right") as server:
        client = BattlEyeClient(FAST)
        with pytest.raises(LoginRefused) as info:
            async with client.connect(*server.address, "wrong-pass"):
                pytest.fail("should not log in")
        await asyncio.sleep(0.3)  # longer than every backoff step: no retry may follow
        assert server.refused_logins == 1
        assert "wrong-pass" not in str(info.value) and "wrong-pass" not in repr(info.value)
        assert not client.is_running()
        with pytest.raises(LoginRefused):
            client.is_logged_in()


async def test_no_answer_is_a_login_timeout_after_the_configured_attempts() -> None:
    peer = await start_scripted(lambda packet: [])
    try:
        client = BattlEyeClient(FAST)
        with pytest.raises(LoginTimeout):
            async with client.connect(*peer.address, "secret"):
                pytest.fail("should not log in")
        assert len(peer.received) == FAST.login_attempts
    finally:
        assert peer.transport is not None
        peer.transport.close()


async def test_password_refused_on_reconnect_ends_the_block() -> None:
    async with FakeBattlEyeServer("one") as server:
        client = BattlEyeClient(FAST)
        with pytest.raises(LoginRefused):
            async with client.connect(*server.address, "one"):
                server._password = b"two"  # the admin changed the password, then restarted
                await server.restart()
                await asyncio.sleep(5)
                pytest.fail("the block should have been cancelled")
        assert server.refused_logins == 1


async def test_keepalive_keeps_an_idle_connection_logged_in() -> None:
    async with FakeBattlEyeServer(command_timeout=0.9) as server:
        client = BattlEyeClient(FAST)
        async with client.connect(*server.address, "secret"):
            await asyncio.sleep(2.0)  # idle far longer than the server's command timeout
            assert server.keepalives >= 4
            assert server.clients == 1 and server.dropped_clients == 0
            assert await client.send_command("players")


async def test_without_keepalive_battleye_would_forget_us() -> None:
    """The control experiment for the test above: the fake does enforce its timeout."""
    slow = replace(
        FAST,
        protocol=ProtocolConfig(
            command_attempts=1, command_interval=0.1, keepalive_interval=5.0, liveness_timeout=6.0
        ),
    )
    async with FakeBattlEyeServer(command_timeout=0.3) as server:
        client = BattlEyeClient(slow)
        async with client.connect(*server.address, "secret"):
            await asyncio.sleep(0.5)
            with pytest.raises(RCONCommandError):
                await client.send_command("players")


async def test_multipart_answer_missing_a_part_fails_cleanly() -> None:
    parts_sent: list[int] = []

    def on_command(cmd: object) -> list[bytes]:
        from bot.protocols.battleye import packets

        assert isinstance(cmd, packets.CommandRequest)
        parts = packets.split_command_response(cmd.sequence, b"x" * 30, 10)
        parts_sent.append(len(parts))
        return [parts[0], parts[2]]  # part 1 never comes

    peer = await start_scripted(login_ok_then(on_command))  # type: ignore[arg-type]
    try:
        client = BattlEyeClient(replace(FAST, reask_rounds=0))
        async with client.connect(*peer.address, "secret"):
            async with asyncio.timeout(2):
                with pytest.raises(RCONCommandError):
                    await client.send_command("players")
            assert len(parts_sent) == FAST.protocol.command_attempts
    finally:
        assert peer.transport is not None
        peer.transport.close()


async def test_read_only_commands_are_reasked_others_are_not() -> None:
    from bot.protocols.battleye import packets

    seen: dict[int, int] = {}

    def on_command(cmd: packets.CommandRequest) -> list[bytes]:
        # Like berconpy's server: a re-sent sequence number is never answered, and the first
        # copy of each number is lost.
        seen[cmd.sequence] = seen.get(cmd.sequence, 0) + 1
        if cmd.command == b"" or seen[cmd.sequence] > 1 or cmd.sequence == 0:
            return [] if cmd.command else [packets.encode_command_response(cmd.sequence, b"")]
        return [packets.encode_command_response(cmd.sequence, b"answer")]

    peer = await start_scripted(login_ok_then(on_command))
    try:
        client = BattlEyeClient(FAST)
        async with client.connect(*peer.address, "secret"):
            assert await client.send_command("players") == "answer"  # seq 0 lost, re-asked as 1
            seen.clear()
            seen.update({s: 1 for s in range(256)})  # from now on nothing is answered
            with pytest.raises(RCONCommandError):
                await client.send_command("say -1 hi")
            says = [c for c in peer.commands() if c.command == b"say -1 hi"]
            assert len({c.sequence for c in says}) == 1  # one sequence number: run at most once
    finally:
        assert peer.transport is not None
        peer.transport.close()


# Liveness far away: only the unanswered keep-alive (or command) can end the session quickly.
NO_LIVENESS = replace(
    FAST,
    reconnect_delay=0.0,
    protocol=replace(FAST_PROTOCOL, keepalive_interval=0.3, liveness_timeout=30.0),
)


async def test_restarted_server_is_back_within_seconds_and_nothing_is_lost_or_doubled() -> None:
    async with FakeBattlEyeServer() as server:
        client = BattlEyeClient(NO_LIVENESS)
        got = _collect(client, "m")
        async with client.connect(*server.address, "secret"):
            await server.push_messages(["m before 0", "m before 1"])
            async with asyncio.timeout(5):
                await server.wait_acked()
            loop = asyncio.get_running_loop()
            back = asyncio.ensure_future(client.wait_for("login", timeout=10))
            await server.restart()
            restarted = loop.time()
            await back
            # Keep-alive 0.3 s + 3 x 0.1 s unanswered, then a login at once: well under the
            # 30 s liveness timeout that was the only way out before.
            assert loop.time() - restarted < 5.0
            assert client.reconnects == 1 and server.logins == 2
            await server.push_messages([f"m after {i}" for i in range(20)])
            async with asyncio.timeout(5):
                await server.wait_acked()
                await got.wait_count(22)
            await asyncio.sleep(0.2)  # a copy delivered twice would show up here
            assert got.items == ["m before 0", "m before 1"] + [f"m after {i}" for i in range(20)]


async def test_unanswered_command_after_a_restart_ends_the_session_at_once() -> None:
    quiet = replace(NO_LIVENESS, protocol=replace(NO_LIVENESS.protocol, keepalive_interval=20.0))
    async with FakeBattlEyeServer() as server:
        client = BattlEyeClient(quiet)
        async with client.connect(*server.address, "secret"):
            back = asyncio.ensure_future(client.wait_for("login", timeout=10))
            await server.restart()
            with pytest.raises(RCONCommandError):
                await client.send_command("say -1 hello")
            await back
            assert await client.send_command("say -1 again") == ""
            assert server.received_commands == ["say -1 again"]


def test_default_reconnect_waits_stay_short_with_jitter() -> None:
    import random

    from bot.protocols.backoff import Backoff

    config = ClientConfig()
    assert config.reconnect_delay == 0.0 and config.connect_delay == 0.0
    backoff = Backoff(config.backoff_policy(), rng=random.Random(7))  # as the client builds it
    waits = [backoff.failed() for _ in range(39)]
    # A server back up is logged into within one wait plus a login timeout: under 20 s.
    assert max(waits) + config.login_timeout < 20.0
    assert len({round(w, 6) for w in waits[10:]}) > 1  # jittered, not in step


async def test_server_dropping_us_right_after_login_gets_the_backoff() -> None:
    # The first loss is answered by a login at once; a second one soon after waits the
    # backoff instead of logging in at once again (a server kicking us each login).
    slept: list[float] = []

    async def fake_sleep(delay: float) -> None:
        slept.append(delay)
        await asyncio.sleep(0)

    config = replace(NO_LIVENESS, backoff_initial=0.1, backoff_max=1.0, jitter=0.0)
    async with FakeBattlEyeServer() as server:
        client = BattlEyeClient(config, sleep=fake_sleep)
        async with client.connect(*server.address, "secret"):
            for _ in range(2):
                back = asyncio.ensure_future(client.wait_for("login", timeout=10))
                await server.restart()
                await back
            assert client.reconnects == 2
            assert slept == [0.1]  # nothing before the first re-login, one step before the next
