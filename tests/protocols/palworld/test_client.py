"""PalworldClient end to end against the fake server: queries, admin calls, hostile answers."""

from __future__ import annotations

import asyncio
import base64
import socket

import aiohttp
import pytest
from aiohttp import web

from bot.protocols.palworld import (
    AuthRefused,
    BodyTooLarge,
    InvalidArgument,
    NotPalworld,
    PalworldClient,
    PalworldRequestError,
    PalworldTimeout,
    PalworldUnreachable,
)
from bot.protocols.palworld.codec import MAX_PLAYERS_BYTES
from tests.fakes.palworld_server import FakePalworldServer

PASSWORD = "s3cret-Pal"
ALICE = "steam_76561197999054170"


def client_for(
    server: FakePalworldServer, password: str = PASSWORD, timeout: float = 2.0
) -> PalworldClient:
    return PalworldClient(*server.address, password=password, timeout=timeout)


async def test_queries() -> None:
    async with FakePalworldServer(password=PASSWORD) as server:
        client = client_for(server)
        info = await client.info()
        players = await client.players()
        metrics = await client.metrics()
        settings = await client.settings()
    assert info.servername == "Outpost Pals"
    assert [p.user_id for p in players] == [ALICE, "ps5_4591469878499095569"]
    assert (metrics.currentplayernum, metrics.maxplayernum, metrics.days) == (2, 32, 12)
    assert settings["ServerPlayerMaxNum"] == 32
    assert client.ping is not None and client.ping > 0
    assert server.auth_failures == 0


async def test_status_fetches_three_routes_at_once() -> None:
    async with FakePalworldServer(password=PASSWORD) as server:
        status = await client_for(server).status()
        no_players = await client_for(server).status(players=False)
    assert status.info.version == "v0.3.11.0"
    assert status.metrics.currentplayernum == len(status.players) == 2
    assert status.ping > 0 and no_players.players == ()
    assert sorted(r for _, r in server.requests[:3]) == ["info", "metrics", "players"]
    assert ("GET", "players") not in server.requests[3:]


async def test_admin_calls_send_the_exact_bodies() -> None:
    async with FakePalworldServer(password=PASSWORD) as server:
        client = client_for(server)
        await client.announce("Restart in 5 minutes")
        await client.kick(ALICE, "afk")
        await client.ban("ps5_4591469878499095569", "cheating")
        await client.unban("ps5_4591469878499095569")
        await client.save()
        await client.shutdown(60, "Server going down")
        await client.stop()
    calls = [(c.route, c.body) for c in server.calls]
    assert calls == [
        ("announce", {"message": "Restart in 5 minutes"}),
        ("kick", {"userid": ALICE, "message": "afk"}),
        ("ban", {"userid": "ps5_4591469878499095569", "message": "cheating"}),
        ("unban", {"userid": "ps5_4591469878499095569"}),
        ("save", None),
        ("shutdown", {"waittime": 60, "message": "Server going down"}),
        ("stop", None),
    ]
    assert all(c.content_type == "application/json" for c in server.calls if c.body)
    assert [c.raw for c in server.calls if c.body is None] == [b"", b""]
    assert server.banned == set()


async def test_player_list_follows_kicks_and_runtime_changes() -> None:
    async with FakePalworldServer(password=PASSWORD) as server:
        client = client_for(server)
        await client.kick(ALICE)
        assert [p.name for p in await client.players()] == ["Bob"]
        server.players = [{"name": "Carol", "userId": "steam_3", "playerId": "C0"}]
        (carol,) = await client.players()
        assert (carol.name, carol.user_id) == ("Carol", "steam_3")
        assert (await client.metrics()).currentplayernum == 1


async def test_a_non_json_success_body_is_fine_for_admin_calls() -> None:
    async with FakePalworldServer(password=PASSWORD, post_reply=b"OK" * 10_000) as server:
        await client_for(server).save()  # read up to its bound, never parsed
    assert [c.route for c in server.calls] == ["save"]


async def test_wrong_password_is_auth_refused() -> None:
    async with FakePalworldServer(password=PASSWORD) as server:
        client = client_for(server, password="wrong")
        with pytest.raises(AuthRefused):
            await client.info()
        with pytest.raises(AuthRefused):
            await client.kick(ALICE)
    assert server.auth_failures == 2 and server.calls == []


async def test_arguments_are_checked_before_anything_is_sent() -> None:
    async with FakePalworldServer(password=PASSWORD) as server:
        client = client_for(server)
        with pytest.raises(InvalidArgument):
            await client.kick("Alice the display name")
        with pytest.raises(InvalidArgument):
            await client.shutdown(-5, "x")
    assert server.requests == []


async def test_server_errors_carry_the_servers_message() -> None:
    async with FakePalworldServer(password=PASSWORD, modes={"save": "error"}) as server:
        server.modes["kick"] = "bad-request"
        client = client_for(server)
        with pytest.raises(PalworldRequestError) as saved:
            await client.save()
        with pytest.raises(PalworldRequestError) as kicked:
            await client.kick(ALICE)
    assert (saved.value.status, saved.value.message) == (500, "world is busy saving")
    assert (kicked.value.status, kicked.value.message) == (400, "Bad Request: invalid userid")


async def test_unknown_route_is_not_palworld() -> None:
    async with FakePalworldServer(password=PASSWORD) as server:
        client = client_for(server)
        failure: NotPalworld | None = None
        try:
            await client._call(client._get("nosuchroute", 1024))
        except NotPalworld as exc:
            failure = exc
    assert failure is not None and "unknown route" in str(failure)


@pytest.mark.parametrize("mode", ["wrong-json", "html"])
async def test_malformed_answers_are_not_palworld(mode: str) -> None:
    async with FakePalworldServer(password=PASSWORD, modes={"players": mode}) as server:
        with pytest.raises(NotPalworld):
            await client_for(server).players()


async def test_huge_body_is_cut_at_its_bound() -> None:
    async with FakePalworldServer(password=PASSWORD, modes={"players": "huge"}) as server:
        with pytest.raises(BodyTooLarge) as caught:
            await client_for(server, timeout=5).players()
        await asyncio.sleep(0.05)
        assert server.huge_bytes_sent < MAX_PLAYERS_BYTES + 4 * 1024 * 1024
    assert caught.value.limit == MAX_PLAYERS_BYTES


async def test_huge_error_body_is_read_only_in_part() -> None:
    async with FakePalworldServer(password=PASSWORD, modes={"stop": "huge"}) as server:
        await client_for(server, timeout=5).stop()  # 200 with a huge body: done, body cut
        await asyncio.sleep(0.05)
        assert server.huge_bytes_sent < 4 * 1024 * 1024


@pytest.mark.parametrize("mode", ["slow", "hang"])
async def test_one_timeout_covers_the_whole_call(mode: str) -> None:
    async with FakePalworldServer(password=PASSWORD, modes={"metrics": mode}) as server:
        server.slow_delay = 0.02
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(PalworldTimeout) as caught:
            await client_for(server, timeout=0.3).status()
        assert 0.25 < loop.time() - started < 1.5
    assert isinstance(caught.value, TimeoutError)
    assert caught.value.__context__ is None and caught.value.__cause__ is None


async def test_redirects_are_not_followed() -> None:
    async with FakePalworldServer(password=PASSWORD, modes={"info": "redirect"}) as server:
        with pytest.raises(PalworldRequestError) as caught:
            await client_for(server).info()
    assert caught.value.status == 302
    assert ("GET", "/elsewhere") not in server.requests


async def test_closed_port_is_unreachable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        client = PalworldClient("127.0.0.1", sock.getsockname()[1], password=PASSWORD, timeout=2)
        with pytest.raises(PalworldUnreachable) as caught:
            await client.info()
    assert caught.value.reason == "refused"


async def test_invalid_host_is_unreachable() -> None:
    with pytest.raises(PalworldUnreachable, match="not a valid address") as caught:
        await PalworldClient("bad host/x", password=PASSWORD).info()
    assert caught.value.reason == "invalid_address"


async def test_unresolvable_host_says_dns() -> None:
    with pytest.raises(PalworldUnreachable) as caught:
        await PalworldClient("no-such-host.invalid", password=PASSWORD, timeout=2).info()
    assert caught.value.reason == "dns"


async def test_callers_session_is_used_and_left_open() -> None:
    async with FakePalworldServer(password=PASSWORD) as server, aiohttp.ClientSession() as session:
        client = PalworldClient(*server.address, password=PASSWORD, timeout=2, session=session)
        assert (await client.info()).servername == "Outpost Pals"
        assert not session.closed


async def test_basic_auth_is_admin_and_the_password() -> None:
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.headers["Authorization"])
        return web.json_response({"version": "v1", "servername": "s"})

    app = web.Application()
    app.router.add_get("/v1/api/info", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    try:
        await PalworldClient("127.0.0.1", sock.getsockname()[1], password="pä:ss").info()
    finally:
        await runner.cleanup()
    assert seen == ["Basic " + base64.b64encode("admin:pä:ss".encode()).decode()]
