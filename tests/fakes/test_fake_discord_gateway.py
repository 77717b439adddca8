"""The fake gateway at the frame level, with a raw aiohttp websocket as the client.

Checks what the discord.py tests cannot pin down exactly: sequence numbers, the RESUME
replay of events missed while disconnected, intent gating and bad-token handling.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.fakes.discord import FakeDiscord
from tests.fakes.discord.pytest_plugin import fake_discord

__all__ = ["fake_discord"]

GUILDS = 1 << 0
GUILD_MESSAGES = 1 << 9


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as http:
        yield http


async def receive(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    message = await ws.receive(timeout=5)
    assert message.type is aiohttp.WSMsgType.TEXT, message
    frame: dict[str, Any] = json.loads(message.data)
    return frame


async def send_identify(ws: aiohttp.ClientWebSocketResponse, token: str, intents: int) -> None:
    """HELLO, then IDENTIFY with ``token`` and ``intents``."""
    hello = await receive(ws)
    assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] == 41250
    await ws.send_json({"op": 2, "d": {"token": token, "intents": intents, "properties": {}}})


async def identify(ws: aiohttp.ClientWebSocketResponse, token: str, intents: int) -> dict[str, Any]:
    """HELLO, IDENTIFY, and the READY it answers."""
    await send_identify(ws, token, intents)
    return await receive(ws)


async def send_resume(
    ws: aiohttp.ClientWebSocketResponse, token: str, session_id: str, seq: int
) -> None:
    """HELLO, then RESUME of ``session_id`` after sequence number ``seq``."""
    await receive(ws)
    await ws.send_json({"op": 6, "d": {"token": token, "session_id": session_id, "seq": seq}})


async def test_heartbeat_identify_ready_and_guild_create(
    fake_discord: FakeDiscord, session: aiohttp.ClientSession
) -> None:
    first = fake_discord.add_guild("One")
    second = fake_discord.add_guild("Two")
    async with session.ws_connect(fake_discord.gateway_url) as ws:
        ready = await identify(ws, fake_discord.token, GUILDS)
        assert (ready["t"], ready["s"]) == ("READY", 1)
        data = ready["d"]
        assert data["resume_gateway_url"] == fake_discord.gateway_url
        assert data["user"]["id"] == str(fake_discord.bot_user_id)
        assert data["application"]["id"] == str(fake_discord.app_id)
        assert [g["id"] for g in data["guilds"]] == [str(first.id), str(second.id)]
        creates = [await receive(ws), await receive(ws)]
        assert [(f["t"], f["s"]) for f in creates] == [("GUILD_CREATE", 2), ("GUILD_CREATE", 3)]
        guild = creates[0]["d"]
        assert guild["roles"][0] == {**guild["roles"][0], "id": str(first.id), "name": "@everyone"}
        assert [m["user"]["id"] for m in guild["members"]] == [str(fake_discord.bot_user_id)]
        await fake_discord.wait_ready(timeout=1)
        await ws.send_json({"op": 1, "d": 3})
        assert await receive(ws) == {"op": 11}
    assert fake_discord.gateway.heartbeats == 1


async def test_bad_token_closes_with_4004(
    fake_discord: FakeDiscord, session: aiohttp.ClientSession
) -> None:
    async with session.ws_connect(fake_discord.gateway_url) as ws:
        await send_identify(ws, "wrong", 0)
        closing = await ws.receive(timeout=5)
        assert closing.type is aiohttp.WSMsgType.CLOSE
        assert closing.data == 4004
    assert not fake_discord.gateway.ready.is_set()


async def test_resume_replays_missed_events_then_resumed(
    fake_discord: FakeDiscord, session: aiohttp.ClientSession
) -> None:
    guild = fake_discord.add_guild()
    async with session.ws_connect(fake_discord.gateway_url) as ws:
        ready = await identify(ws, fake_discord.token, GUILDS)
        session_id = ready["d"]["session_id"]
        last = (await receive(ws))["s"]  # GUILD_CREATE
    await fake_discord.gateway.ready.wait()
    # While the client is away, the world changes.
    role_id = guild.add_role("Mods")
    channel_id = guild.add_channel("feed")
    async with session.ws_connect(fake_discord.gateway_url) as ws:
        await send_resume(ws, fake_discord.token, session_id, last)
        replayed = [await receive(ws) for _ in range(3)]
    assert [(f["t"], f["s"]) for f in replayed] == [
        ("GUILD_ROLE_CREATE", last + 1),
        ("CHANNEL_CREATE", last + 2),
        ("RESUMED", last + 3),
    ]
    assert replayed[0]["d"]["role"]["id"] == str(role_id)
    assert replayed[1]["d"]["id"] == str(channel_id)
    assert fake_discord.gateway.resumes == 1


async def test_resume_of_unknown_session_is_invalid_session(
    fake_discord: FakeDiscord, session: aiohttp.ClientSession
) -> None:
    async with session.ws_connect(fake_discord.gateway_url) as ws:
        await send_resume(ws, fake_discord.token, "nope", 3)
        assert await receive(ws) == {"op": 9, "d": False}


async def test_events_follow_the_identified_intents(
    fake_discord: FakeDiscord, session: aiohttp.ClientSession
) -> None:
    guild = fake_discord.add_guild()
    member = guild.add_member("dave")
    async with session.ws_connect(fake_discord.gateway_url) as ws:
        ready = await identify(ws, fake_discord.token, GUILD_MESSAGES)
        assert ready["t"] == "READY"
        await fake_discord.wait_ready(timeout=1)
        # No GUILDS intent: no GUILD_CREATE, no role events. No members intent: no update for
        # another member, but the bot always hears about itself.
        role_id = guild.add_role("Mods")
        guild.set_member_roles(member, [role_id])
        guild.set_member_roles(fake_discord.bot_user_id, [guild.bot_role_id, role_id])
        update = await receive(ws)
    assert update["t"] == "GUILD_MEMBER_UPDATE"
    assert update["d"]["user"]["id"] == str(fake_discord.bot_user_id)
    assert update["s"] == 2
