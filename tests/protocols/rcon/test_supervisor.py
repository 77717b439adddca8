"""The long-lived client: reconnect with backoff and jitter, never re-send a wrong password."""

from __future__ import annotations

import asyncio
import random
import socket
from typing import Any

import pytest

from bot.protocols.rcon import (
    RCONAuthDroppedError,
    RCONAuthenticationError,
    RCONCommunicationError,
    RCONError,
    RCONSupervisor,
    SupervisorState,
)
from tests.fakes.rcon_server import FakeRCONServer

FAST = {"backoff_initial": 0.01, "backoff_max": 0.05, "timeout": 5.0}


class StateLog:
    def __init__(self) -> None:
        self.states: list[SupervisorState] = []
        self._waiters: list[tuple[SupervisorState, int, asyncio.Future[None]]] = []

    def __call__(self, state: SupervisorState) -> None:
        self.states.append(state)
        for wanted, count, future in list(self._waiters):
            if self.states.count(wanted) >= count and not future.done():
                future.set_result(None)

    async def reached(self, state: SupervisorState, count: int = 1) -> None:
        if self.states.count(state) >= count:
            return
        future = asyncio.get_running_loop().create_future()
        self._waiters.append((state, count, future))
        async with asyncio.timeout(5):
            await future


async def test_reconnects_and_reauthenticates_after_restart() -> None:
    log = StateLog()
    async with FakeRCONServer() as server:
        async with RCONSupervisor(server.address, "secret", on_state=log, **FAST) as sup:
            assert await sup.execute("echo one") == "one"
            await server.restart(downtime=0.05)
            await log.reached(SupervisorState.CONNECTED, 2)
            assert await sup.execute("echo two") == "two"
            assert sup.connections == 2
        assert sup.state is SupervisorState.STOPPED
    assert server.auth_attempts == 2
    assert SupervisorState.BACKOFF in log.states


async def test_in_flight_commands_fail_and_are_not_resent() -> None:
    seen = asyncio.Event()

    def handler(command: str) -> str:
        if command == "kickid 7":
            seen.set()
            return "kicked"
        return command.removeprefix("echo ")

    log = StateLog()
    async with FakeRCONServer(handler=handler, command_delays={"kickid 7": 5.0}) as server:
        async with RCONSupervisor(server.address, "secret", on_state=log, **FAST) as sup:
            pending = asyncio.ensure_future(sup.execute("kickid 7"))
            await seen.wait()
            await server.restart()
            with pytest.raises(RCONCommunicationError):
                await pending
            await log.reached(SupervisorState.CONNECTED, 2)
            assert await sup.execute("echo after") == "after"
    assert server.received == ["kickid 7", "echo after"]


async def test_wrong_password_is_never_resent() -> None:
    log = StateLog()
    async with FakeRCONServer() as server:
        sup = RCONSupervisor(server.address, "wrong", on_state=log, **FAST)
        async with sup:
            with pytest.raises(RCONAuthenticationError):
                await sup.execute("status")
            assert sup.state is SupervisorState.AUTH_FAILED
            # Several backoff periods later, still one attempt (a ban needs a few).
            await asyncio.sleep(0.1)
            assert server.auth_attempts == 1
            with pytest.raises(RCONAuthenticationError):
                await sup.execute("status")
            sup.set_password("secret")
            assert await sup.execute("echo fixed") == "fixed"
        assert "wrong" not in repr(sup)
    assert server.auth_attempts == 2


async def test_drop_during_auth_is_retried_with_backoff() -> None:
    # A ban, a restart or a network drop during login all look the same: retried with
    # backoff like any connection error, never frozen as "wrong password".
    log = StateLog()
    async with FakeRCONServer() as server:
        server.banned = True
        async with RCONSupervisor(server.address, "secret", on_state=log, **FAST) as sup:
            await log.reached(SupervisorState.BACKOFF, 2)
            assert sup.state is not SupervisorState.AUTH_FAILED
            assert isinstance(sup.last_error, RCONAuthDroppedError)
            server.unban()
            assert await sup.execute("echo back", timeout=5.0) == "back"
        assert server.connections_made >= 3
    assert SupervisorState.AUTH_FAILED not in log.states


async def test_logins_the_server_keeps_closing_stop_after_three() -> None:
    # Squad closes the connection on a wrong password: retried forever, that password would
    # go out every backoff period. Three in a row without a success stop it like a refusal.
    log = StateLog()
    async with FakeRCONServer(password="right", profile="squad", max_failed_auth=1000) as server:
        async with RCONSupervisor(server.address, "wrong", on_state=log, **FAST) as sup:
            await log.reached(SupervisorState.AUTH_FAILED)
            assert server.auth_attempts == 3
            assert isinstance(sup.last_error, RCONAuthDroppedError)
            with pytest.raises(RCONAuthenticationError):
                await sup.wait_connected(timeout=1.0)
            await asyncio.sleep(0.2)  # many backoff periods: nothing more is sent
            assert server.auth_attempts == 3
            sup.set_password("right")  # what an edit of the server does
            assert await sup.execute("echo fixed", timeout=5.0) == "fixed"
        assert server.auth_attempts == 4


async def test_waits_for_a_server_that_is_not_up_yet() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = StateLog()
    async with RCONSupervisor(("127.0.0.1", port), "secret", on_state=log, **FAST) as sup:
        with pytest.raises(RCONCommunicationError, match="reconnecting"):
            await sup.wait_connected(timeout=0.05)
        await log.reached(SupervisorState.BACKOFF, 2)
        async with FakeRCONServer(port=port):
            assert await sup.execute("echo up") == "up"
        assert sup.connect_attempts >= 3


async def test_execute_on_a_stopped_supervisor() -> None:
    sup = RCONSupervisor(("127.0.0.1", 9), "secret", **FAST)
    with pytest.raises(RCONError, match="not running"):
        await sup.execute("status")


async def _waits_before_attempts(count: int, **options: Any) -> list[float]:
    """The supervisor's own waits between ``count`` refused connection attempts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there: every attempt is refused
    slept: list[float] = []
    enough = asyncio.Event()

    async def fake_sleep(delay: float) -> None:
        slept.append(delay)
        if len(slept) >= count:
            enough.set()
            await asyncio.Event().wait()  # until stop() cancels the loop

    async with RCONSupervisor(("127.0.0.1", port), "pw", sleep=fake_sleep, **options):
        await asyncio.wait_for(enough.wait(), 10)
    return slept


async def test_backoff_is_exponential_capped_and_jittered() -> None:
    bases = [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    jittered = await _waits_before_attempts(
        len(bases), backoff_initial=1.0, backoff_max=8.0, jitter=0.5, rng=random.Random(1)
    )
    assert all(base * 0.5 <= d <= base for d, base in zip(jittered, bases, strict=True))
    assert jittered != bases  # jittered, not lock-step
    plain = await _waits_before_attempts(
        len(bases), backoff_initial=1.0, backoff_max=8.0, jitter=0.0
    )
    assert plain == bases
    with pytest.raises(ValueError):
        RCONSupervisor(("127.0.0.1", 1), "pw", jitter=2.0)


async def test_connections_dropped_right_after_login_back_off() -> None:
    # A server that accepts the login and drops it at once used to get a reconnect every
    # initial delay for ever; now each quick loss waits one step longer, and a connection
    # that stayed up for healthy_after forgives them.
    slept: list[float] = []
    now = [0.0]

    async def fake_sleep(delay: float) -> None:
        slept.append(delay)
        await asyncio.sleep(0)

    async with FakeRCONServer(password="secret") as fake:
        log = StateLog()
        sup = RCONSupervisor(
            fake.address,
            "secret",
            backoff_initial=0.01,
            backoff_max=10.0,
            jitter=0.0,
            healthy_after=30.0,
            sleep=fake_sleep,
            clock=lambda: now[0],
            on_state=log,
        )
        async with sup:
            for count in range(1, 5):
                await log.reached(SupervisorState.CONNECTED, count)
                now[0] += 1.0
                fake.drop_connections()
            await log.reached(SupervisorState.CONNECTED, 5)
            assert slept == [0.01, 0.01, 0.02, 0.04]  # one step as before, then growing
            now[0] += 30.0
            fake.drop_connections()
            await log.reached(SupervisorState.CONNECTED, 6)
            assert slept[-1] == 0.01
