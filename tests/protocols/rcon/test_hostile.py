"""Servers as they behave in the wild: ids zeroed without a profile, drops during login,
answers that never end."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from bot.protocols import rcon
from bot.protocols.rcon import (
    BudgetExceeded,
    ClientConnection,
    RCONBudgetExceededError,
    RCONCommunicationError,
    RCONTimeoutError,
)
from bot.protocols.rcon.sync import RCON
from tests.fakes.network_faults import tcp_script
from tests.fakes.rcon_server import AUTH_RESPONSE, RESPONSE_VALUE, FakeRCONServer, packet

_HEADER = struct.Struct("<iii")

# -- servers that zero every id (Palworld) -----------------------------------------------------


async def test_zero_id_server_works_without_a_profile() -> None:
    async with FakeRCONServer(profile="palworld") as server:
        async with rcon.connect(server.address, "secret", timeout=2.0) as conn:
            assert await conn.execute("echo one") == "one"
            # Pipelined: matched in the order sent, one packet each.
            answers = await asyncio.gather(*(conn.execute(f"echo {i}") for i in range(5)))
            assert answers == [str(i) for i in range(5)]
            assert await conn.execute("ShowPlayers") == ""
            assert not conn.profile.match_ids
            assert conn.profile.name == "srcds+zero-ids"
    assert server.received == ["echo one", *(f"echo {i}" for i in range(5)), "ShowPlayers"]


async def test_zero_id_detection_also_in_the_one_shot_and_sync_api() -> None:
    async with FakeRCONServer(profile="palworld") as server:
        assert await rcon.aexecute(server.address, "secret", "echo a", timeout=2.0) == "a"

        def blocking() -> str:
            return rcon.execute(server.address, "secret", "echo b", timeout=2.0)

        assert await asyncio.to_thread(blocking) == "b"


async def test_an_explicit_profile_is_not_overridden() -> None:
    async with FakeRCONServer(profile="palworld") as server:
        async with rcon.connect(server.address, "secret", profile="srcds", timeout=2.0) as conn:
            assert conn.profile.match_ids
            with pytest.raises(RCONTimeoutError):
                await conn.execute("echo x", timeout=0.3)
        async with rcon.connect(server.address, "secret", profile="palworld") as conn:
            assert await conn.execute("echo y") == "y"


async def test_srcds_keeps_id_matching() -> None:
    async with FakeRCONServer() as server:
        async with rcon.connect(server.address, "secret") as conn:
            assert await conn.execute("echo x") == "x"
            assert conn.profile.match_ids and conn.profile.name == "srcds"


def test_sans_io_detection_needs_a_zero_answer_to_a_nonzero_id() -> None:
    sm = ClientConnection(detect_zero_ids=True)
    sm.start_auth("pw")
    sent = sm.data_to_send()
    auth_id = _HEADER.unpack_from(sent)[1]
    assert auth_id != 0
    sm.receive_data(packet(auth_id, AUTH_RESPONSE, b""))
    assert sm.profile.match_ids  # echoed our id: a normal server
    sm = ClientConnection(detect_zero_ids=True)
    sm.start_auth("pw")
    sm.data_to_send()
    sm.receive_data(packet(0, AUTH_RESPONSE, b""))
    assert not sm.profile.match_ids
    request_id = sm.send_command("status")
    # One packet on the wire (no end probe: its answer could not be told apart).
    assert len(sm.data_to_send()) == 4 + 10 + len("status")
    (event,) = sm.receive_data(packet(0, RESPONSE_VALUE, b"ok"))
    assert isinstance(event, rcon.Response) and event.request_id == request_id


# -- the per-request byte budget ---------------------------------------------------------------


@asynccontextmanager
async def streaming_server(
    packet_size: int, limit_packets: int
) -> AsyncIterator[tuple[tuple[str, int], dict[str, int]]]:
    """Accepts any password, then answers every command with ``packet_size``-byte packets
    carrying the command's id, without end (``limit_packets`` bounds the test)."""
    stats = {"sent": 0, "closed": 0}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readexactly(4)
                (size,) = struct.unpack("<i", head)
                rest = await reader.readexactly(size)
                id_, type_ = struct.unpack_from("<ii", rest)
                if type_ == 3:
                    writer.write(packet(id_, RESPONSE_VALUE, b"") + packet(id_, AUTH_RESPONSE, b""))
                    continue
                body = b"A" * (packet_size - 14)
                for _ in range(limit_packets):
                    writer.write(packet(id_, RESPONSE_VALUE, body))
                    stats["sent"] += 1
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            stats["closed"] += 1
        finally:
            writer.close()

    async with tcp_script(handle) as port:
        yield ("127.0.0.1", port), stats


async def test_an_endless_answer_fails_typed_and_closes_the_connection() -> None:
    # 60 KB packets without end (measured: 111 -> 442 MB in 20 s before the budget).
    budget = 1 << 20
    async with streaming_server(60_000, limit_packets=400) as (address, stats):
        conn = await rcon.connect(address, "pw", timeout=5.0, max_response_bytes=budget)
        with pytest.raises(RCONBudgetExceededError) as info:
            await conn.execute("cvarlist")
        assert info.value.budget == budget
        assert conn.closed
        await conn.wait_closed()
        # Stopped reading at the budget: nowhere near the 24 MB the server would send.
        assert stats["sent"] < 400
    assert "budget" in str(info.value)


async def test_the_default_budget_is_4_mib() -> None:
    assert rcon.DEFAULT_MAX_RESPONSE_BYTES == 4 << 20
    async with FakeRCONServer() as server:
        async with rcon.connect(server.address, "secret") as conn:
            assert conn.max_response_bytes == 4 << 20


async def test_answers_within_the_budget_and_pipelined_neighbours() -> None:
    big = "x" * 150_000
    async with FakeRCONServer(responses={"big": big, "huge": "y" * 300_000}) as server:
        async with rcon.connect(server.address, "secret", max_response_bytes=200_000) as conn:
            assert await conn.execute("big") == big  # 37 packets, within the budget
            first = asyncio.ensure_future(conn.execute("huge"))
            second = asyncio.ensure_future(conn.execute("echo after"))
            with pytest.raises(RCONBudgetExceededError):
                await first
            # The connection is gone: the command behind it fails as a connection error.
            with pytest.raises(RCONCommunicationError):
                await second
            assert conn.closed


def test_sans_io_budget_counts_discarded_answers_and_closes() -> None:
    sm = ClientConnection(max_response_bytes=100)
    sm.start_auth("pw")
    auth_id = _HEADER.unpack_from(sm.data_to_send())[1]
    sm.receive_data(packet(auth_id, AUTH_RESPONSE, b""))
    request_id = sm.send_command("x", discard=True)
    assert sm.receive_data(packet(request_id, RESPONSE_VALUE, b"a" * 60)) == []
    events = sm.receive_data(
        packet(request_id, RESPONSE_VALUE, b"a" * 60) + packet(request_id, RESPONSE_VALUE, b"b")
    )
    assert events == [BudgetExceeded(request_id, 100)]
    assert sm.state is rcon.State.CLOSED


async def test_sync_client_budget() -> None:
    async with FakeRCONServer(responses={"huge": "y" * 50_000}) as server:

        def blocking() -> None:
            with RCON(server.address, "secret", max_response_bytes=10_000) as r:
                with pytest.raises(RCONBudgetExceededError):
                    r("huge")
                assert r.closed

        await asyncio.to_thread(blocking)
