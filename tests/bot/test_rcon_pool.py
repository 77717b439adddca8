"""The RCON pool against the fake Source RCON and fake BattlEye servers on loopback."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace

import pytest

from bot.protocols.battleye import Player
from bot.services.rcon.errors import (
    RconAuthError,
    RconNotConfigured,
    RconRefused,
    RconTimeout,
    RconUnavailable,
)
from bot.services.rcon.pool import ConnectionState, RconPool
from bot.services.servers.resolver import Resolver
from bot.services.status.player_names import PollContext, PooledPlayerNames, RconAccess
from bot.snapshots import Target
from bot.storage import Server
from tests.fakes.battleye_server import FakeBattlEyeServer
from tests.fakes.rcon_server import FakeRCONServer
from tests.protocols.battleye.berconpy_peer import start_peer
from tests.protocols.battleye.helpers import FAST as FAST_BE  # BattlEye's timings in tenths

PASSWORD = "Pool-pa55word"


def server(port: int, game: str = "cs2", *, token: str = "token-1", sid: int = 1) -> Server:
    return Server(
        id=sid,
        guild_id=10,
        name=f"S{sid}",
        game=game,
        host="127.0.0.1",
        game_port=27015,
        query_port=27015,
        rcon_port=port,
        rcon_password=token,
        created_by=1,
        created_at="",
        updated_at="",
    )


def make_pool(password: str = PASSWORD) -> RconPool:
    return RconPool(
        lambda _s: password,
        connect_timeout=1.0,
        command_timeout=2.0,
        backoff_initial=0.05,
        backoff_max=0.2,
        battleye_config=FAST_BE,
    )


@pytest.fixture
async def pool() -> AsyncIterator[RconPool]:
    p = make_pool()
    yield p
    await p.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_until(predicate: Callable[[], bool], limit: float = 3.0) -> None:
    """Poll a condition the code under test exposes no event for (socket state)."""
    async with asyncio.timeout(limit):
        while True:
            if predicate():
                return
            await asyncio.sleep(0.01)


# -- Source RCON ---------------------------------------------------------------------------------


async def test_source_connection_is_reused(pool: RconPool) -> None:
    async with FakeRCONServer(password=PASSWORD, responses={"status": "hostname: x"}) as fake:
        s = server(fake.address[1])
        assert await pool.execute(s, "status") == "hostname: x"
        assert await pool.execute(s, "echo hi") == "hi"
        assert fake.connections_made == 1 and fake.auth_attempts == 1
        assert fake.received == ["status", "echo hi"]
        assert pool.state(s.id) is ConnectionState.CONNECTED


async def test_source_reconnects_after_server_restart(pool: RconPool) -> None:
    async with FakeRCONServer(password=PASSWORD) as fake:
        s = server(fake.address[1])
        assert await pool.execute(s, "echo one") == "one"
        await fake.restart()
        # The supervisor notices the drop and logs in again by itself (backoff 0.05 s).
        await wait_until(
            lambda: fake.connections_made == 2 and pool.state(s.id) is ConnectionState.CONNECTED
        )
        assert await pool.execute(s, "echo two") == "two"
        assert fake.connections_made == 2


async def test_source_wrong_password_is_tried_once(pool: RconPool) -> None:
    async with FakeRCONServer(password="other", max_failed_auth=10) as fake:
        s = server(fake.address[1])
        for _ in range(5):
            with pytest.raises(RconAuthError) as info:
                await pool.execute(s, "status")
            assert PASSWORD not in str(info.value)
        assert fake.failed_auth == 1 and fake.auth_attempts == 1
        assert fake.received == []
        assert pool.state(s.id) is ConnectionState.AUTH_FAILED


async def test_source_edit_of_the_password_allows_a_new_login() -> None:
    passwords = {"token-1": "wrong", "token-2": PASSWORD}
    pool = RconPool(lambda s: passwords[s.rcon_password or ""], connect_timeout=1.0)
    try:
        async with FakeRCONServer(password=PASSWORD) as fake:
            old = server(fake.address[1])
            with pytest.raises(RconAuthError):
                await pool.execute(old, "status")
            edited = replace(old, rcon_password="token-2")
            await pool.sync([edited])  # the registry's change listener
            assert pool.state(old.id) is ConnectionState.IDLE
            assert await pool.execute(edited, "echo ok") == "ok"
            assert fake.failed_auth == 1 and fake.auth_attempts == 2
    finally:
        await pool.close()


async def test_removed_server_loses_its_connection(pool: RconPool) -> None:
    async with FakeRCONServer(password=PASSWORD) as fake:
        s = server(fake.address[1])
        await pool.execute(s, "echo x")
        await pool.sync([])
        assert pool.state(s.id) is ConnectionState.IDLE
        await wait_until(lambda: fake.connections == 0)


async def test_offline_source_server_is_reported_quickly(pool: RconPool) -> None:
    with pytest.raises(RconUnavailable):
        async with asyncio.timeout(3):
            await pool.execute(server(free_port()), "status")


async def test_server_without_rcon_is_not_configured(pool: RconPool) -> None:
    with pytest.raises(RconNotConfigured):
        await pool.execute(server(1234, game="valheim"), "status")
    with pytest.raises(RconNotConfigured):
        await pool.execute(replace(server(1234), rcon_password=None), "status")


async def test_idle_connections_are_closed() -> None:
    pool = make_pool()
    pool.idle_timeout = 0.0
    try:
        async with (
            FakeRCONServer(password=PASSWORD) as one,
            FakeRCONServer(password=PASSWORD) as two,
        ):
            first, second = server(one.address[1]), server(two.address[1], sid=2)
            await pool.execute(first, "echo a")
            pool.hold(second)
            await pool.execute(second, "echo b")
            assert pool.state(first.id) is ConnectionState.IDLE  # closed: unused, not held
            await pool.execute(first, "echo c")
            assert pool.state(second.id) is ConnectionState.CONNECTED  # held
    finally:
        await pool.close()


# -- BattlEye ------------------------------------------------------------------------------------


async def test_battleye_connection_is_reused(pool: RconPool) -> None:
    players = [Player(0, "Ann", "1.2.3.4", 2304, 40, "a" * 32, True)]
    async with FakeBattlEyeServer(PASSWORD, players=players) as fake:
        s = server(fake.address[1], game="dayz")
        assert "Ann" in await pool.execute(s, "players")
        client = await pool.battleye(s)
        assert [p.name for p in await client.fetch_players()] == ["Ann"]
        assert fake.logins == 1
        assert fake.received_commands == ["players", "players"]


async def test_battleye_wrong_password_is_tried_once(pool: RconPool) -> None:
    async with FakeBattlEyeServer("other") as fake:
        s = server(fake.address[1], game="dayz")
        for _ in range(3):
            with pytest.raises(RconAuthError):
                await pool.execute(s, "players")
        assert fake.refused_logins == 1
        assert fake.received_commands == []


async def test_battleye_disallowed_command_is_refused(pool: RconPool) -> None:
    async with FakeBattlEyeServer(PASSWORD, responses={"#shutdown": "Disallowed command"}) as fake:
        s = server(fake.address[1], game="dayz")
        with pytest.raises(RconRefused):
            await pool.execute(s, "#shutdown")


async def test_battleye_listeners_survive_reconnects_and_new_clients(pool: RconPool) -> None:
    async with FakeBattlEyeServer(PASSWORD) as fake:
        s = server(fake.address[1], game="dayz")
        seen: list[str] = []
        arrived = asyncio.Event()

        async def on_raw(text: str) -> None:
            if text.startswith("hello"):
                seen.append(text)
                arrived.set()

        pool.add_battleye_listener(s.id, "raw_event", on_raw)
        pool.hold(s)
        first = await pool.battleye(s)

        async def push_and_wait(text: str) -> None:
            arrived.clear()
            await fake.push_message(text)
            async with asyncio.timeout(5):
                await arrived.wait()

        await push_and_wait("hello 1")
        relogin = asyncio.ensure_future(first.wait_for("login", timeout=5))
        await fake.restart()  # the server forgets us: the client notices and logs in again
        await relogin
        await push_and_wait("hello 2")
        await pool.forget(s.id)  # a brand-new client gets the listener too
        pool.hold(s)
        await pool.battleye(s)
        await push_and_wait("hello 3")
        assert seen == ["hello 1", "hello 2", "hello 3"]
        pool.remove_battleye_listener(s.id, "raw_event", on_raw)
        marker = asyncio.Event()

        def on_marker(text: str) -> None:
            if text == "marker":
                marker.set()

        pool.add_battleye_listener(s.id, "raw_event", on_marker)
        # Messages arrive in order: once "marker" is seen, "hello 4" was delivered before it.
        await fake.push_messages(["hello 4", "marker"])
        async with asyncio.timeout(5):
            await marker.wait()
        assert seen == ["hello 1", "hello 2", "hello 3"]


async def test_offline_battleye_server_is_reported(pool: RconPool) -> None:
    s = server(free_port(), game="dayz")
    with pytest.raises(RconUnavailable):
        async with asyncio.timeout(4):
            await pool.execute(s, "players")


async def test_closed_pool_refuses_calls() -> None:
    pool = make_pool()
    await pool.close()
    with pytest.raises(RconUnavailable):
        await pool.execute(server(1), "status")


class _Fallback:
    def __init__(self) -> None:
        self.calls = 0

    async def names(self, context: PollContext) -> list[str]:
        self.calls += 1
        return ["from fallback"]


async def test_poller_names_use_the_pooled_battleye_connection(pool: RconPool) -> None:
    players = [Player(0, "Ann", "1.2.3.4", 2304, 40, "a" * 32, True)]
    async with FakeBattlEyeServer(PASSWORD, players=players) as fake:
        s = server(fake.address[1], game="dayz")
        fallback = _Fallback()
        names = PooledPlayerNames(pool, fallback)
        port = fake.address[1]
        context = PollContext(
            Target("127.0.0.1", 2302),
            battleye=RconAccess("127.0.0.1", port, PASSWORD, token=s.rcon_password),
        )
        assert await names.names(context) == ["from fallback"]  # nothing pooled yet
        pool.hold(s)
        await pool.battleye(s)
        assert await names.names(context) == ["Ann"]
        assert fallback.calls == 1 and fake.logins == 1
        # Another guild's server at the same address, with its own stored password: the
        # connection logged in with the first one's credentials never answers for it.
        theirs = PollContext(
            Target("127.0.0.1", 2302),
            battleye=RconAccess("127.0.0.1", port, "guess", token="token-of-another-guild"),
        )
        assert await names.names(theirs) == ["from fallback"]
        assert fallback.calls == 2


async def test_slow_answer_is_a_timeout_and_the_connection_stays(pool: RconPool) -> None:
    async with FakeRCONServer(password=PASSWORD, command_delays={"echo slow": 0.5}) as fake:
        s = server(fake.address[1])
        with pytest.raises(RconTimeout) as info:
            await pool.execute(s, "echo slow", timeout=0.1)
        assert info.value.outcome == "timeout"
        assert await pool.execute(s, "echo fast") == "fast"
        assert fake.connections_made == 1


async def test_battleye_against_berconpys_server_protocol(pool: RconPool) -> None:
    # An independent implementation of the server side: the pool interoperates with it too.
    players = "Players on server:\n0 1.2.3.4:2304 40 " + "a" * 32 + "(OK) Ann\n(1 players in total)"
    peer = await start_peer(PASSWORD, lambda cmd: players if cmd == "players" else "")
    try:
        s = server(peer.address[1], game="dayz")
        assert "Ann" in await pool.execute(s, "players")
        await pool.execute(s, "say -1 hello")
        assert "say -1 hello" in peer.commands
        assert peer.logins == [True]
    finally:
        assert peer.transport is not None
        peer.transport.close()


async def test_changed_settings_replace_the_connection_even_before_sync(pool: RconPool) -> None:
    async with FakeRCONServer(password=PASSWORD) as one, FakeRCONServer(password=PASSWORD) as two:
        before = server(one.address[1])
        assert await pool.execute(before, "echo a") == "a"
        moved = replace(before, rcon_port=two.address[1])
        assert await pool.execute(moved, "echo b") == "b"
        await wait_until(lambda: one.connections == 0)  # the stale one is closed
        assert two.received == ["echo b"]


async def test_battleye_connection_failing_unexpectedly_is_reported_and_closes_cleanly() -> None:
    pool = make_pool()
    # A port the client rejects with ValueError: a failure outside the expected ones.
    s = server(70000, game="dayz")
    try:
        with pytest.raises(RconUnavailable, match="failed"):
            async with asyncio.timeout(0.5):  # at once, not after the connect timeout
                await pool.execute(s, "players")
    finally:
        await pool.close()  # the runner's error was handled, not re-raised here


async def test_source_drop_during_login_is_retried_not_a_wrong_password() -> None:
    # SRCDS drops a banned IP, a restarting server drops everyone: neither is a refusal, so
    # RCON must come back by itself instead of staying disabled until the server is edited.
    # A backoff long enough that the next attempt comes after the unban (below the cap of
    # three logins in a row the server closes, tested further down).
    pool = RconPool(lambda _s: PASSWORD, connect_timeout=1.0, backoff_initial=0.5, backoff_max=1.0)
    try:
        async with FakeRCONServer(password=PASSWORD) as fake:
            fake.banned = True
            s = server(fake.address[1])
            with pytest.raises(
                RconUnavailable, match="closed the connection during the RCON login"
            ):
                await pool.execute(s, "status", timeout=0.2)
            assert pool.state(s.id) in (ConnectionState.RECONNECTING, ConnectionState.CONNECTING)
            fake.unban()
            await wait_until(lambda: pool.state(s.id) is ConnectionState.CONNECTED)
            assert await pool.execute(s, "echo back") == "back"
            assert fake.failed_auth == 0 and fake.connections_made == 2
    finally:
        await pool.close()


async def test_squad_closing_every_login_stops_after_three(pool: RconPool) -> None:
    # Squad answers a wrong password by closing the connection: without a cap the wrong
    # password would be sent again every backoff period, forever.
    async with FakeRCONServer(
        password="the-right-one", profile="squad", max_failed_auth=1000
    ) as fake:
        s = server(fake.address[1], "squad")
        pool.hold(s)  # as the feed does: the supervisor reconnects on its own
        await wait_until(lambda: pool.state(s.id) is ConnectionState.AUTH_FAILED, limit=5.0)
        assert fake.auth_attempts == 3
        await asyncio.sleep(0.5)  # several backoff periods (0.05-0.2 s): nothing more sent
        assert fake.auth_attempts == 3
        with pytest.raises(RconAuthError, match="keeps closing the connection at login") as info:
            await pool.execute(s, "ShowServerInfo")
        assert "Squad closes on a wrong password" in str(info.value)
        assert "banned" in str(info.value) and PASSWORD not in str(info.value)
        assert fake.auth_attempts == 3
        # An edit (a new stored token) clears the mark: the next call logs in again.
        fake.password = PASSWORD
        edited = replace(s, rcon_password="token-2")
        await pool.sync([edited])
        assert await pool.execute(edited, "echo fixed") == "fixed"
        pool.release(edited)


async def test_closed_logins_are_counted_only_until_a_login_succeeds() -> None:
    # Two closed logins after each of two restarts: four in all, never three in a row, so
    # RCON comes back each time. Backoff long enough to unban between the attempts.
    pool = RconPool(lambda _s: PASSWORD, connect_timeout=1.0, backoff_initial=0.3, backoff_max=0.6)
    try:
        async with FakeRCONServer(password=PASSWORD) as fake:
            s = server(fake.address[1])
            pool.hold(s)
            await wait_until(lambda: pool.state(s.id) is ConnectionState.CONNECTED)
            for _ in range(2):
                made = fake.connections_made
                fake.banned = True
                fake.drop_connections()
                await wait_until(lambda m=made: fake.connections_made >= m + 2, limit=5.0)
                fake.unban()
                await wait_until(lambda: pool.state(s.id) is ConnectionState.CONNECTED, limit=5.0)
                assert fake.connections_made == made + 3
            assert await pool.execute(s, "echo up") == "up"
    finally:
        await pool.close()


@pytest.mark.parametrize("game", ["palworld", "other_source", "cs2"])
async def test_zero_id_servers_work_by_game_profile_or_detection(pool: RconPool, game: str) -> None:
    # Palworld by its game's profile; any other Source game by detection at login.
    async with FakeRCONServer(password=PASSWORD, profile="palworld") as fake:
        s = server(fake.address[1], game)
        assert await pool.execute(s, "echo hi") == "hi"
        assert await pool.execute(s, "ShowPlayers") == ""


def test_games_carry_their_source_rcon_profile() -> None:
    from bot.games import GAMES
    from bot.protocols.rcon import PROFILES

    assert GAMES["palworld"].rcon_profile == "palworld"
    assert GAMES["squad"].rcon_profile == "squad" and GAMES["ark"].rcon_profile == "ark"
    for game in GAMES.values():
        assert game.rcon_profile is None or game.rcon_profile in PROFILES


async def test_source_answer_over_the_budget_is_reported(pool: RconPool) -> None:
    async with FakeRCONServer(password=PASSWORD, responses={"flood": "z" * (5 << 20)}) as fake:
        s = server(fake.address[1])
        with pytest.raises(RconUnavailable, match="larger than 4096 KiB"):
            await pool.execute(s, "flood", timeout=10.0)
        # The next command reconnects.
        await wait_until(lambda: pool.state(s.id) is ConnectionState.CONNECTED, limit=5.0)
        assert await pool.execute(s, "echo ok") == "ok"


async def test_battleye_server_offline_at_first_is_one_client_until_it_answers(
    pool: RconPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The client retries its own logins with its backoff: the pool used to give up on it after
    # login_attempts, build a new client and run a second backoff loop around it.
    from bot.protocols import battleye as be

    built: list[be.BattlEyeClient] = []

    class Counted(be.BattlEyeClient):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            built.append(self)

    monkeypatch.setattr(be, "BattlEyeClient", Counted)
    async with FakeBattlEyeServer(PASSWORD) as fake:
        fake.silent = True
        s = server(fake.address[1], game="dayz")
        pool.hold(s)
        # Several login timeouts (0.3 s each, 2 attempts) pass unanswered.
        await asyncio.sleep(1.5)
        assert pool.state(s.id) is not ConnectionState.CONNECTED
        fake.silent = False
        client = await pool.battleye(s)
        assert built == [client] and client.is_connected()
        assert pool.state(s.id) is ConnectionState.CONNECTED


# -- ALLOW_PRIVATE_ADDRESSES=false where traffic goes ----------------------------------------------


def refusing_pool(lookup: Callable[[str], Awaitable[str]] | None = None) -> RconPool:
    async def no_dns(host: str) -> str:
        raise socket.gaierror(socket.EAI_NONAME, "offline test")

    return RconPool(
        lambda _s: PASSWORD,
        connect_timeout=1.0,
        backoff_initial=0.05,
        backoff_max=0.2,
        battleye_config=FAST_BE,
        resolver=Resolver(lookup or no_dns, allow_private=False, ttl=0.0, negative_ttl=0.0),
    )


async def test_refused_private_address_is_never_connected_to_source() -> None:
    # A server stored before the setting was turned off, and a name that now points at the
    # bot's own network (DNS rebinding): no TCP connection, a clear answer at once.
    async def rebound(host: str) -> str:
        return "127.0.0.1"

    async with FakeRCONServer(password=PASSWORD) as fake:
        for host, pool in (
            ("127.0.0.1", refusing_pool()),
            ("game.example", refusing_pool(rebound)),
        ):
            s = replace(server(fake.address[1]), host=host)
            try:
                with pytest.raises(RconUnavailable, match="ALLOW_PRIVATE_ADDRESSES") as info:
                    async with asyncio.timeout(0.5):  # not after the connect timeout
                        await pool.execute(s, "status")
                assert PASSWORD not in str(info.value)
                pool.hold(s)  # the feed's long-lived connection: retried, never sent
                await asyncio.sleep(0.3)
                assert pool.state(s.id) is not ConnectionState.CONNECTED
            finally:
                await pool.close()
        assert fake.connections_made == 0 and fake.auth_attempts == 0


async def test_refused_private_address_is_never_connected_to_battleye() -> None:
    async with FakeBattlEyeServer(PASSWORD) as fake:
        pool = refusing_pool()
        s = server(fake.address[1], game="dayz")
        try:
            with pytest.raises(RconUnavailable, match="ALLOW_PRIVATE_ADDRESSES"):
                async with asyncio.timeout(0.5):
                    await pool.execute(s, "players")
            pool.hold(s)
            await asyncio.sleep(0.3)
            assert pool.state(s.id) is not ConnectionState.CONNECTED
        finally:
            await pool.close()
        assert fake.logins == 0 and fake.refused_logins == 0
