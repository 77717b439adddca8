"""A guild, an admin, a member and helpers to register fake A2S servers for the status tests."""

from __future__ import annotations

import asyncio
import base64
import struct
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.app import OutpostBot
from bot.config import Settings
from bot.protocols.battleye import Player
from bot.storage import Server
from tests.cogs.answers import asked, followup_text
from tests.cogs.conftest import make_settings
from tests.cogs.stored import add_rcon_server
from tests.cogs.stored import register as register  # the status tests import it from here
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec, PlayerSpec
from tests.fakes.battleye_server import FakeBattlEyeServer
from tests.fakes.discord import FakeDiscord, InteractionHandle
from tests.fakes.rcon_server import FakeRCONServer

MANAGE = discord.Permissions(manage_guild=True).value


class Commands:
    """Slash commands of a world's guild by its admin or its plain member, each once Discord
    has the bot's answer."""

    fake: FakeDiscord
    guild_id: int
    admin: int
    member: int

    async def by_admin(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        channel_id: int | None = None,
    ) -> InteractionHandle:
        """``/command`` sent by the admin, not waited for."""
        return await self.fake.slash(
            self.guild_id, self.admin, command, options, channel_id=channel_id
        )

    async def by_member(
        self,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        channel_id: int | None = None,
        bypass_default_permissions: bool = False,
    ) -> InteractionHandle:
        """``/command`` sent by the member, not waited for; ``bypass_default_permissions``: sent
        although Discord's client would hide the command from a member."""
        return await self.fake.slash(
            self.guild_id,
            self.member,
            command,
            options,
            channel_id=channel_id,
            bypass_default_permissions=bypass_default_permissions,
        )

    async def as_admin(
        self, command: str, options: dict[str, Any] | None = None
    ) -> InteractionHandle:
        return await answered(await self.by_admin(command, options))

    async def admin_reads(self, command: str, options: dict[str, Any] | None = None) -> str:
        """``/command`` by the admin: the text of its answer (see ``followup_text``)."""
        return await followup_text(await self.by_admin(command, options))

    async def admin_asked(
        self, command: str, options: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """``/command`` by the admin that asks before it acts: the question (see ``asked``)."""
        return await asked(await self.by_admin(command, options))

    async def as_member(
        self, command: str, options: dict[str, Any] | None = None, *, bypass: bool = False
    ) -> InteractionHandle:
        return await answered(
            await self.by_member(command, options, bypass_default_permissions=bypass)
        )


@dataclass
class StatusWorld(Commands):
    fake: FakeDiscord
    settings: Settings
    guild_id: int
    admin: int
    member: int
    channel_id: int
    admin_role: int

    def bot(self) -> OutpostBot:
        # No poll loop: each test runs rounds itself, so every step is deterministic.
        return OutpostBot(self.settings, guild_ready_timeout=0.05, autopoll=False)


def make_world(
    fake: FakeDiscord,
    tmp_path: Path,
    *,
    guild: str = "Alpha",
    locale: str = "en-US",
    names: tuple[str, str] = ("alice", "bob"),
    channel: str = "status",
) -> StatusWorld:
    """A guild (Discord ``locale``) with an admin and a plain member (``names``) and a
    ``channel``."""
    made = fake.add_guild(guild, preferred_locale=locale)
    admins = made.add_role("Admins", permissions=MANAGE)
    admin, member = names
    return StatusWorld(
        fake=fake,
        settings=make_settings(fake, tmp_path),
        guild_id=made.id,
        admin=made.add_member(admin, roles=[admins]),
        member=made.add_member(member),
        channel_id=made.add_channel(channel),
        admin_role=admins,
    )


DAYZ_PASSWORD = "be-secret"


@asynccontextmanager
async def dayz_fakes(survivor: str) -> AsyncIterator[tuple[FakeA2SServer, FakeBattlEyeServer]]:
    """A DayZ server as the poller meets one: its A2S counts two players but names none,
    its BattlEye (``DAYZ_PASSWORD``) names them ``survivor`` and Bambi."""
    a2s_players = [PlayerSpec("", 0, 100.0), PlayerSpec("", 0, 200.0)]
    be_players = [
        Player(0, survivor, "10.0.0.1", 2304, 30, "a" * 32, True),
        Player(1, "Bambi", "10.0.0.2", 2304, 40, "b" * 32, True),
    ]
    async with (
        FakeA2SServer(info=InfoSpec(player_count=2, max_players=60), players=a2s_players) as a2s,
        FakeBattlEyeServer(DAYZ_PASSWORD, players=be_players) as be,
    ):
        yield a2s, be


@asynccontextmanager
async def cs2_fakes(
    password: str, max_failed_auth: int = 3
) -> AsyncIterator[tuple[FakeA2SServer, FakeRCONServer]]:
    """A CS2 server as ``/server add`` meets one: its A2S (Fake CS2 on de_inferno, 5 of 20
    players) and its Source RCON with ``password``, banning after ``max_failed_auth`` wrong
    logins."""
    info = InfoSpec(server_name="Fake CS2", map_name="de_inferno", player_count=5, max_players=20)
    async with (
        FakeA2SServer(info=info) as a2s,
        FakeRCONServer(password=password, max_failed_auth=max_failed_auth) as rcon,
    ):
        yield a2s, rcon


async def add_dayz(
    bot: OutpostBot,
    guild_id: int,
    name: str,
    a2s: FakeA2SServer,
    be: FakeBattlEyeServer,
    owner: int,
    password: str = DAYZ_PASSWORD,
) -> Server:
    """``name`` on the fakes of ``dayz_fakes``, added by ``owner`` with a BattlEye
    ``password`` (by default the right one)."""
    host, port = a2s.address
    return await add_rcon_server(
        bot,
        guild_id,
        name,
        "dayz",
        be.address[1],
        password=password,
        host=host,
        game_port=2302,
        query_port=port,
        created_by=owner,
    )


def hold_charts(monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Player charts render only once the returned event is set: a chart slower than the
    answer. Patch before the bot starts (the cog module is imported by ``load_extension``)."""
    import bot.rendering.charts as charts

    release = asyncio.Event()
    real = charts.render_history_async

    async def held(*args: Any, **kwargs: Any) -> bytes:
        await release.wait()
        return await real(*args, **kwargs)

    monkeypatch.setattr(charts, "render_history_async", held)
    return release


async def answered(handle: InteractionHandle) -> InteractionHandle:
    await handle.wait_response()
    return handle


async def server_add(
    fake: FakeDiscord,
    guild_id: int,
    user: int,
    name: str,
    address: str,
    game: str,
    rcon_port: int,
    password: str,
) -> InteractionHandle:
    """``/server add`` with an RCON port, then its password modal: the modal's answered handle
    (the bot defers it while it probes; the outcome is its follow-up)."""
    options = {"name": name, "address": address, "game": game, "rcon_port": rcon_port}
    handle = await answered(await fake.slash(guild_id, user, "server add", options))
    assert handle.modal is not None, handle.data
    return await answered(await fake.submit_modal(handle, {"password": password}))


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG signature and IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    length, kind, width, height = struct.unpack(">I4sII", data[8:24])
    assert (length, kind) == (13, b"IHDR")
    return width, height


def make_png(width: int = 64, height: int = 64, shade: int = 0) -> bytes:
    """A valid RGB PNG of one colour (``shade`` tells pictures apart), like a server favicon."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + bytes((shade % 256, 128, 255 - shade % 256)) * width
    pixels = zlib.compress(row * height)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def favicon_uri(image: bytes) -> str:
    """``image`` as a Minecraft status JSON carries its favicon."""
    return "data:image/png;base64," + base64.b64encode(image).decode("ascii")
