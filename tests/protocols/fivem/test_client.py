"""fetch_status() end to end against the fake FXServer, hostile modes included."""

from __future__ import annotations

import asyncio
import json
import socket

import aiohttp
import pytest

from bot.protocols.fivem import (
    BodyTooLarge,
    FiveMHTTPError,
    FiveMRateLimited,
    FiveMTimeout,
    FiveMUnreachable,
    NotFiveM,
    fetch_status,
)
from bot.protocols.fivem.decode import MAX_INFO_BYTES, MAX_PLAYERS_BYTES
from tests.fakes.fivem_server import FakeFiveMServer, tiny_png
from tests.fakes.network_faults import silent_tcp


async def test_status_merges_the_three_endpoints() -> None:
    async with FakeFiveMServer() as server:
        status = await fetch_status(*server.address, timeout=2)
    assert status.hostname == "Outpost RP | discord.gg/outpost"
    assert (status.clients, status.max_clients) == (2, 48)
    assert (status.gametype, status.mapname) == ("Freeroam", "San Andreas")
    assert status.server_version == "FXServer-master SERVER v1.0.0.7290 linux"
    assert status.resources_count == 5
    assert status.project_name == "Outpost RP"
    assert status.icon == tiny_png()
    assert status.players is not None
    assert [p.name for p in status.players] == ["Alice", "Bob"]
    assert status.ping > 0 and status.info_reused is False
    assert sorted(server.requests) == ["/dynamic.json", "/info.json", "/players.json"]
    # No compressed body asked for: its size could not be bounded before inflating.
    assert all(h["Accept-Encoding"] == "identity" for h in server.request_headers)


async def test_players_false_skips_players_json() -> None:
    async with FakeFiveMServer() as server:
        status = await fetch_status(*server.address, timeout=2, players=False)
    assert status.players is None and status.clients == 2
    assert "/players.json" not in server.requests


async def test_known_info_is_reused_while_iv_matches() -> None:
    async with FakeFiveMServer() as server:
        first = await fetch_status(*server.address, timeout=2)
        server.requests.clear()
        second = await fetch_status(*server.address, timeout=2, known_info=first.info)
        assert second.info_reused and second.info is first.info
        assert "/info.json" not in server.requests
        # The convars changed: iv changes with them, so info.json is fetched again.
        server.dynamic = server.dynamic | {"iv": "99"}
        server.info = server.info | {"version": 99, "server": "FXServer-new"}
        third = await fetch_status(*server.address, timeout=2, known_info=first.info)
    assert not third.info_reused and third.server_version == "FXServer-new"


async def test_missing_dynamic_json_falls_back_to_info_and_players() -> None:
    async with FakeFiveMServer(modes={"/dynamic.json": "missing"}) as server:
        status = await fetch_status(*server.address, timeout=2)
        no_players = await fetch_status(*server.address, timeout=2, players=False)
    assert status.dynamic is None
    assert status.hostname == "Outpost RP"  # sv_projectName: sv_hostname is never in info.json
    assert (status.clients, status.max_clients) == (2, 48)  # len(players), sv_maxClients
    assert no_players.clients is None


async def test_player_list_changes_at_runtime() -> None:
    async with FakeFiveMServer() as server:
        server.players = [{"name": "^5Carol", "id": 3, "ping": 12, "identifiers": []}]
        status = await fetch_status(*server.address, timeout=2)
    assert status.players is not None and [p.name for p in status.players] == ["Carol"]


@pytest.mark.parametrize(
    ("path", "limit"), [("/info.json", MAX_INFO_BYTES), ("/players.json", MAX_PLAYERS_BYTES)]
)
async def test_huge_body_is_cut_at_its_bound(path: str, limit: int) -> None:
    async with FakeFiveMServer(modes={path: "huge"}) as server:
        with pytest.raises(BodyTooLarge) as caught:
            await fetch_status(*server.address, timeout=5)
        await asyncio.sleep(0.05)
        # Reading stopped near the bound: the server could not push its 64 MiB.
        assert server.huge_bytes_sent < limit + 4 * 1024 * 1024
    assert caught.value.limit == limit and caught.value.path == path


async def test_declared_huge_body_is_refused_before_reading() -> None:
    async with FakeFiveMServer(modes={"/dynamic.json": "huge-declared"}) as server:
        with pytest.raises(BodyTooLarge):
            await fetch_status(*server.address, timeout=2)


async def test_slow_body_hits_the_one_timeout() -> None:
    # Every byte arrives well within any per-read timeout; only the whole-call one stops it.
    async with FakeFiveMServer(modes={"/players.json": "slow"}, slow_delay=0.02) as server:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(FiveMTimeout) as caught:
            await fetch_status(*server.address, timeout=0.3)
        assert 0.25 < loop.time() - started < 1.5
    assert isinstance(caught.value, TimeoutError)


@pytest.mark.parametrize("mode", ["wrong-json", "html", "gzip", "truncated"])
async def test_malformed_answers_are_not_fivem(mode: str) -> None:
    async with FakeFiveMServer(modes={"/info.json": mode}) as server:
        with pytest.raises(NotFiveM):
            await fetch_status(*server.address, timeout=2)


async def test_404_on_info_json_is_not_fivem() -> None:
    async with FakeFiveMServer(modes={"/info.json": "missing"}) as server:
        with pytest.raises(NotFiveM, match="404"):
            await fetch_status(*server.address, timeout=2)


async def test_rate_limit_and_errors_keep_their_status() -> None:
    async with FakeFiveMServer(modes={"/players.json": "rate-limited"}) as server:
        with pytest.raises(FiveMRateLimited) as limited:
            await fetch_status(*server.address, timeout=2)
        server.modes = {"/info.json": "error"}
        with pytest.raises(FiveMHTTPError) as failed:
            await fetch_status(*server.address, timeout=2)
    assert limited.value.status == 429 and failed.value.status == 500


async def test_redirects_are_not_followed() -> None:
    async with FakeFiveMServer(modes={"/info.json": "redirect"}) as server:
        with pytest.raises(FiveMHTTPError) as caught:
            await fetch_status(*server.address, timeout=2)
    assert caught.value.status == 302
    assert "/elsewhere" not in server.requests


async def test_closed_port_is_unreachable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        with pytest.raises(FiveMUnreachable) as caught:
            await fetch_status("127.0.0.1", port, timeout=2)
    assert caught.value.reason == "refused"


async def test_invalid_host_is_unreachable() -> None:
    with pytest.raises(FiveMUnreachable, match="not a valid address") as caught:
        await fetch_status("bad host/x", timeout=1)
    assert caught.value.reason == "invalid_address"


async def test_unresolvable_host_says_dns() -> None:
    with pytest.raises(FiveMUnreachable) as caught:
        await fetch_status("no-such-host.invalid", timeout=2)
    assert caught.value.reason == "dns"


async def test_silent_server_is_a_timeout() -> None:
    async with silent_tcp() as port:
        with pytest.raises(FiveMTimeout):
            await fetch_status("127.0.0.1", port, timeout=0.2)


async def test_callers_session_is_used_and_left_open() -> None:
    async with FakeFiveMServer() as server, aiohttp.ClientSession() as session:
        status = await fetch_status(*server.address, timeout=2, session=session)
        assert status.clients == 2
        assert not session.closed


async def test_content_type_is_not_required() -> None:
    raw = json.dumps({"clients": 1, "hostname": "x"}).encode()
    async with FakeFiveMServer(bodies={"/dynamic.json": raw}) as server:
        status = await fetch_status(*server.address, timeout=2, players=False)
    assert status.clients == 1
