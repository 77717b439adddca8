"""The fake server's bytes on the wire, read with a raw socket (no client code involved)."""

from __future__ import annotations

import asyncio
import struct

from tests.fakes.rcon_server import FakeRCONServer, packet


async def exchange(
    server: FakeRCONServer, *requests: bytes, expect: int
) -> tuple[bytes, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection(*server.address)
    for request in requests:
        writer.write(request)
    async with asyncio.timeout(5):
        data = await reader.readexactly(expect)
    return data, writer


async def test_srcds_auth_and_mirror_bytes() -> None:
    async with FakeRCONServer() as server:
        auth = packet(7, 3, b"secret")
        mirror = packet(8, 0, b"")
        expected = packet(7, 0, b"") + packet(7, 2, b"") + packet(8, 0, b"")
        expected += packet(8, 0, b"\x00\x01\x00\x00")
        data, writer = await exchange(server, auth, mirror, expect=len(expected))
        assert data == expected
        writer.close()


async def test_squad_broken_followup_is_21_bytes_with_size_10() -> None:
    async with FakeRCONServer(profile="squad") as server:
        auth_answer = len(packet(1, 0, b"")) * 2
        data, writer = await exchange(
            server, packet(1, 3, b"secret"), packet(2, 2, b""), expect=auth_answer + 14 + 21
        )
        broken = data[auth_answer + 14 :]
        assert struct.unpack_from("<iii", broken) == (10, 2, 0)
        assert broken[12:] == b"\x00\x00\x00\x01\x00\x00\x00\x00\x00"
        writer.close()


async def test_palworld_zeroes_ids_and_never_splits() -> None:
    async with FakeRCONServer(profile="palworld", responses={"big": "p" * 9000}) as server:
        data, writer = await exchange(
            server, packet(5, 3, b"secret"), packet(6, 2, b"big"), expect=14 + 9014
        )
        assert data[:14] == packet(0, 2, b"")
        assert struct.unpack_from("<iii", data, 14) == (9010, 0, 0)
        writer.close()


async def test_oversized_client_packet_drops_the_connection() -> None:
    async with FakeRCONServer() as server:
        reader, writer = await asyncio.open_connection(*server.address)
        writer.write(packet(1, 2, b"x" * 4083))  # 4097 bytes
        async with asyncio.timeout(5):
            assert await reader.read() == b""
        assert server.bad_packets == 1
        writer.close()
