"""The asyncio client against the fake server, every profile, over loopback TCP."""

from __future__ import annotations

import asyncio
import socket

import pytest

from bot.protocols import rcon
from bot.protocols.rcon import (
    RCONAuthDroppedError,
    RCONAuthenticationError,
    RCONCommunicationError,
    RCONError,
    RCONMessage,
    RCONMessageError,
    RCONTimeoutError,
)
from tests.fakes.network_faults import silent_tcp, tcp_script
from tests.fakes.rcon_server import ARK_NO_RESPONSE, FakeRCONServer

BIG = "".join(f"line {i:05d} Jürgen ✓\n" for i in range(5000)).encode()  # ~120 KB, multibyte
CVARLIST = (
    "cvar list\n--------------\n"
    + "".join(
        f'{f"sv_var_{i:05d}":<40} : {i:<8} : , "sv", "rep"  : Variable number {i}\n'
        for i in range(1200)
    )
    + "--------------\n  1200 total convars/concommands\n"
)

PAIRS = [
    ("srcds", "srcds"),
    ("srcds", "srcds-mirror"),
    ("minecraft", "minecraft"),
    ("ark", "ark"),
    ("squad", "squad"),
    ("palworld", "palworld"),
]


@pytest.mark.parametrize(("server_profile", "client_profile"), PAIRS)
async def test_every_profile_end_to_end(server_profile: str, client_profile: str) -> None:
    answers: dict[str, str | bytes] = {"big": BIG, "status": "hostname: Outpost test"}
    async with FakeRCONServer(profile=server_profile, responses=answers) as server:
        async with rcon.connect(server.address, "secret", profile=client_profile) as conn:
            assert conn.connected and conn.authenticated and not conn.closed
            assert await conn.execute("status") == "hostname: Outpost test"
            assert await conn.execute("big", raw=True) == BIG
            results = await asyncio.gather(*(conn.execute(f"echo {i}") for i in range(20)))
            assert results == [str(i) for i in range(20)]
            quiet = await conn.execute("sv_cheats 0")
            assert quiet == (ARK_NO_RESPONSE if server_profile == "ark" else "")
    assert server.received[:2] == ["status", "big"]
    assert conn.closed


@pytest.mark.parametrize("order", ["empty-first", "auth-first", "auth-only"])
@pytest.mark.parametrize("coalesce", [False, True])
async def test_srcds_auth_orders_in_one_or_several_writes(order: str, coalesce: bool) -> None:
    async with FakeRCONServer(auth_order=order, coalesce=coalesce) as server:
        async with rcon.connect(server.address, "secret", timeout=5) as conn:
            assert await conn.execute("echo first") == "first"
            assert await conn.execute("echo second") == "second"


@pytest.mark.parametrize(
    "knobs",
    [{"fragment": 7, "fragment_delay": 0.0}, {"coalesce": True}, {"fragment": 1000}],
    ids=["fragment-7", "coalesce", "fragment-1000"],
)
async def test_long_answer_with_any_tcp_chunking(knobs: dict[str, object]) -> None:
    async with FakeRCONServer(responses={"big": BIG}, **knobs) as server:  # type: ignore[arg-type]
        async with rcon.connect(server.address, "secret") as conn:
            first, second = await asyncio.gather(conn.execute("big"), conn.execute("echo ok"))
            assert first == BIG.decode() and second == "ok"


async def test_cvarlist_of_100_kb() -> None:
    assert len(CVARLIST) > 100_000
    async with FakeRCONServer(responses={"cvarlist": CVARLIST}) as server:
        async with rcon.connect(server.address, "secret") as conn:
            convars = [c async for c in conn.cvarlist()]
    assert len(convars) == 1200
    expected = rcon.ConVar("sv_var_00007", "7", frozenset({"sv", "rep"}), "Variable number 7")
    assert convars[7] == expected


async def test_timeout_loses_only_that_answer() -> None:
    async with FakeRCONServer(command_delays={"slow": 0.3}, responses={"slow": "SLOW"}) as server:
        async with rcon.connect(server.address, "secret") as conn:
            with pytest.raises(RCONTimeoutError):
                await conn.execute("slow", timeout=0.05)
            assert conn.authenticated
            # The server answers in order: the late "SLOW" arrives first and must be dropped.
            assert await conn.execute("echo after") == "after"


async def test_non_blocking_and_raw_and_bad_utf8() -> None:
    answers: dict[str, str | bytes] = {"name": b"J\xfcrgen \xe2\x9c"}
    async with FakeRCONServer(responses=answers) as server:
        async with rcon.connect(server.address, "secret") as conn:
            assert await conn.execute("say hello", block=False) is None
            assert await conn.execute("name", raw=True) == b"J\xfcrgen \xe2\x9c"
            assert await conn.execute("name") == "J\ufffdrgen \ufffd"
            assert await conn.execute("echo Jürgen ✓") == "Jürgen ✓"
    assert server.received == ["say hello", "name", "name", "echo Jürgen ✓"]


async def test_wrong_password_is_sent_once() -> None:
    async with FakeRCONServer() as server:
        with pytest.raises(RCONAuthenticationError) as info:
            async with rcon.connect(server.address, "wrong"):
                pytest.fail("authenticated with a wrong password")
        assert not isinstance(info.value, RCONCommunicationError)
        assert "wrong" not in str(info.value).replace("wrong RCON password", "")
    assert (server.auth_attempts, server.failed_auth) == (1, 1)


async def test_banned_ip_is_a_dropped_connection_not_a_refusal() -> None:
    # SRCDS drops a banned IP without answering: from here that is indistinguishable from a
    # restart or a network drop, so it is a connection error, never "wrong password".
    async with FakeRCONServer(max_failed_auth=2) as server:
        for _ in range(2):
            with pytest.raises(RCONAuthenticationError):
                await rcon.aexecute(server.address, "nope", "status")
        with pytest.raises(RCONAuthDroppedError) as info:
            await rcon.aexecute(server.address, "secret", "status")
        assert isinstance(info.value, RCONCommunicationError)
        assert not isinstance(info.value, RCONAuthenticationError)
        server.unban()
        assert await rcon.aexecute(server.address, "secret", "echo back") == "back"


async def test_squad_wrong_password_closes_the_connection() -> None:
    async with FakeRCONServer(profile="squad") as server:
        with pytest.raises(RCONAuthDroppedError):
            await rcon.aexecute(server.address, "nope", "status", profile="squad")


async def test_auth_timeout() -> None:
    async with silent_tcp() as port:
        with pytest.raises(RCONTimeoutError):
            await rcon.aexecute(("127.0.0.1", port), "secret", "status", timeout=0.05)


async def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(RCONCommunicationError, match="cannot connect"):
        await rcon.aexecute(("127.0.0.1", port), "secret", "status")


async def test_restart_fails_commands_in_flight() -> None:
    seen = asyncio.Event()

    def handler(command: str) -> str:
        seen.set()
        return "never"

    async with FakeRCONServer(handler=handler, delay=5.0) as server:
        async with rcon.connect(server.address, "secret") as conn:
            pending = asyncio.ensure_future(conn.execute("status"))
            await seen.wait()
            await server.restart()
            with pytest.raises(RCONCommunicationError):
                await pending
            await conn.wait_closed()
            assert conn.closed and not conn.connected
            with pytest.raises(RCONError):
                await conn.execute("status")


async def test_close_is_idempotent_and_fails_pending() -> None:
    async with FakeRCONServer(delay=5.0) as server:
        conn = await rcon.connect(server.address, "secret")
        pending = asyncio.ensure_future(conn.execute("status"))
        await asyncio.sleep(0)
        conn.close()
        conn.close()
        with pytest.raises(RCONCommunicationError):
            await pending
        await conn.wait_closed()
        assert conn.closed


async def test_squad_chat_is_surfaced() -> None:
    chats: list[RCONMessage] = []
    async with FakeRCONServer(profile="squad", interleave_chat="[ChatAll] gg") as server:
        async with rcon.connect(
            server.address, "secret", profile="squad", on_unsolicited=chats.append
        ) as conn:
            assert await conn.execute("echo x") == "x"
            server.send_chat("[ChatAdmin] hello")
            assert await conn.execute("echo y") == "y"
    assert [(m.type, m.text) for m in chats] == [
        (1, "[ChatAll] gg"),
        (1, "[ChatAdmin] hello"),
        (1, "[ChatAll] gg"),
    ]


async def test_desynchronised_stream_is_a_communication_error() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        header = await reader.readexactly(12)
        await reader.readexactly(int.from_bytes(header[:4], "little") - 8)
        auth_ok = (10).to_bytes(4, "little") + header[4:8] + (2).to_bytes(4, "little") + bytes(2)
        writer.write(auth_ok)
        await reader.readexactly(14)
        writer.write(b"\xff\xff\xff\x7f garbage")  # absurd size field
        await writer.drain()
        await reader.read()
        writer.close()

    async with tcp_script(serve) as port:
        async with rcon.connect(("127.0.0.1", port), "secret") as conn:
            with pytest.raises(RCONCommunicationError, match="desynchronised"):
                await conn.execute("status")
            assert conn.closed


async def test_too_long_command_is_never_sent() -> None:
    async with FakeRCONServer() as server:
        async with rcon.connect(server.address, "secret") as conn:
            with pytest.raises(RCONMessageError):
                await conn.execute("say " + "x" * 5000)
            assert await conn.execute("echo fine") == "fine"
    assert server.received == ["echo fine"] and server.bad_packets == 0


async def test_one_shot_and_awaitable_connect() -> None:
    async with FakeRCONServer(profile="minecraft") as server:
        assert await rcon.aexecute(server.address, "secret", "echo hi", profile="minecraft") == "hi"
        conn = await rcon.connect(server.address, "secret", profile="minecraft")
        try:
            assert "minecraft" in repr(conn) and "secret" not in repr(conn)
            assert await conn.execute("echo again") == "again"
        finally:
            conn.close()


def test_runs_on_uvloop() -> None:
    # The bot uses uvloop when installed; its transports are not asyncio.Transport instances.
    import uvloop

    async def scenario() -> str:
        async with FakeRCONServer(responses={"big": BIG}) as server:
            async with rcon.connect(server.address, "secret") as conn:
                assert await conn.execute("big", raw=True) == BIG
                with pytest.raises(RCONTimeoutError):
                    await conn.execute("echo slow", timeout=0.0)
                return await conn.execute("echo uv")

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        assert runner.run(scenario()) == "uv"


async def test_password_never_logged_or_shown(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    secret = "Pa55-w0rd-xyz"
    async with FakeRCONServer(password=secret) as server:
        pending = rcon.connect(server.address, "Wr0ng-pa55-abc")
        with pytest.raises(RCONAuthenticationError) as info:
            await pending
        sup = rcon.RCONSupervisor(server.address, "Wr0ng-pa55-abc", backoff_initial=0.01)
        async with sup:
            with pytest.raises(RCONAuthenticationError):
                await sup.wait_connected()
        async with rcon.connect(server.address, secret) as conn:
            shown = [repr(conn), repr(pending), repr(sup), str(info.value), repr(info.value)]
    text = caplog.text + "".join(shown)
    assert secret not in text and "Wr0ng-pa55-abc" not in text


async def test_garbage_answer_to_auth_is_not_reported_as_a_ban() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readexactly(4)
        writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")  # wrong port: not an RCON server
        await writer.drain()
        await reader.read()
        writer.close()

    async with tcp_script(serve) as port:
        with pytest.raises(RCONCommunicationError, match="desynchronised"):
            await rcon.aexecute(("127.0.0.1", port), "secret", "status")


async def test_failing_unsolicited_handler_does_not_break_commands(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(message: RCONMessage) -> None:
        raise RuntimeError("listener bug")

    async with FakeRCONServer(profile="squad", interleave_chat="[ChatAll] x") as server:
        async with rcon.connect(server.address, "secret", on_unsolicited=broken) as conn:
            assert await conn.execute("echo still works") == "still works"
    assert "on_unsolicited handler failed" in caplog.text
