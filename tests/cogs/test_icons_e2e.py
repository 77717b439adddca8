"""Server icons end to end: the real bot polls fake Minecraft, FiveM and A2S servers and shows
each server's own picture as the embed thumbnail of ``/status`` and of boards, attached as a
file (never a URL a server gave), through the fake Discord."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.app import OutpostBot
from bot.rendering.embeds import MAX_EMBED_TOTAL, embed_problems
from tests.cogs.status_world import (
    StatusWorld,
    favicon_uri,
    hold_charts,
    make_png,
    make_world,
    png_size,
    register,
)
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec
from tests.fakes.discord import FakeDiscord, InteractionHandle, run_bot
from tests.fakes.fivem_server import FakeFiveMServer, tiny_png
from tests.fakes.minecraft_server import DEFAULT_STATUS, FakeMinecraftServer

ATTACH_FILES = discord.Permissions(attach_files=True).value


def with_favicon(favicon: str | None) -> dict[str, Any]:
    status = dict(DEFAULT_STATUS)
    if favicon is not None:
        status["favicon"] = favicon
    return status


@asynccontextmanager
async def craft_polled(w: StatusWorld, favicon: str | None) -> AsyncIterator[OutpostBot]:
    """The bot running with Craft, a fake Minecraft server whose status shows ``favicon``,
    registered and polled once."""
    async with (
        FakeMinecraftServer(status=with_favicon(favicon)) as craft,
        run_bot(w.fake, w.bot()) as bot,
    ):
        await register(bot, w.guild_id, "Craft", craft.address, game="minecraft", poll=True)
        yield bot


async def status(w: StatusWorld, server: str) -> InteractionHandle:
    return await w.as_member("status", {"server": server})


async def files_when(handle: InteractionHandle, count: int) -> dict[str, bytes]:
    """The answer's files once there are ``count`` (a late chart is added by an edit)."""
    for _ in range(100):  # bounded: 5 s
        if len(handle.files) >= count:
            break
        await asyncio.sleep(0.05)
    return handle.files


def valid(embeds: list[dict[str, Any]]) -> bool:
    built = [discord.Embed.from_dict(e) for e in embeds]
    return all(not embed_problems(e) for e in built) and sum(map(len, built)) <= MAX_EMBED_TOTAL


async def test_status_shows_the_favicon_as_thumbnail_next_to_the_chart(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    icon = make_png(shade=7)
    async with craft_polled(w, favicon_uri(icon)):
        handle = await status(w, "Craft")
        files = await files_when(handle, 2)
        (embed,) = handle.embeds
    assert embed["thumbnail"]["url"] == "attachment://icon.png"
    assert embed["image"]["url"] == "attachment://players-24h.png"
    assert files["icon.png"] == icon  # the server's own bytes, re-sent as they came
    assert png_size(files["players-24h.png"]) == (600, 200)
    assert set(files) == {"icon.png", "players-24h.png"} and valid(handle.embeds)


async def test_a_late_chart_keeps_the_icon_when_it_is_added(
    fake_discord: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = hold_charts(monkeypatch)  # the chart is "slow" until the test has seen the answer
    w = make_world(fake_discord, tmp_path)
    icon = make_png(shade=9)
    async with craft_polled(w, favicon_uri(icon)):
        handle = await status(w, "Craft")
        # Answered within the 3 s without the chart, the icon already there.
        assert handle.files == {"icon.png": icon}
        assert handle.embeds[0]["thumbnail"]["url"] == "attachment://icon.png"
        release.set()
        files = await files_when(handle, 2)
        (embed,) = handle.embeds
    # The edit that adds the chart replaces the attachments: the icon went again with it.
    assert files["icon.png"] == icon and "players-24h.png" in files
    assert embed["thumbnail"]["url"] == "attachment://icon.png"
    assert embed["image"]["url"] == "attachment://players-24h.png"


async def test_fivem_icon_is_the_thumbnail(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    w = make_world(fake_discord, tmp_path)
    async with FakeFiveMServer() as five, run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Five", five.address, game="fivem", poll=True)
        handle = await status(w, "Five")
        files = await files_when(handle, 2)
    assert handle.embeds[0]["thumbnail"]["url"] == "attachment://icon.png"
    assert files["icon.png"] == tiny_png()


def huge_picture() -> bytes:
    """A "PNG" whose header claims 5000x5000 pixels: small in bytes, passed by the protocol
    (which checks the signature), refused by the snapshot's bound on pixels."""
    real = make_png(1, 1)
    return real[:16] + (5000).to_bytes(4, "big") * 2 + real[24:]


@pytest.mark.parametrize(
    "favicon",
    [
        favicon_uri(b"GIF89a" + bytes(200)),  # not a PNG
        favicon_uri(make_png(1, 1) + bytes(40 * 1024)),  # over MAX_ICON_BYTES (20 KiB)
        favicon_uri(huge_picture()),
        "https://evil.example/icon.png",  # a URL is never fetched nor passed on
    ],
    ids=["gif", "oversized", "huge-pixels", "url"],
)
async def test_a_bad_favicon_is_not_shown(
    fake_discord: FakeDiscord, tmp_path: Path, favicon: str
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with (
        FakeMinecraftServer(status=with_favicon(favicon)) as craft,
        run_bot(w.fake, w.bot()) as bot,
    ):
        server = await register(bot, w.guild_id, "Craft", craft.address, game="minecraft")
        report = await bot.services.poller.run_round()
        assert report.answered == 1  # the server is fine; only its picture is dropped
        info = bot.services.poller.snapshot(server).info
        assert info is not None and info.icon is None
        handle = await status(w, "Craft")
        files = await files_when(handle, 1)
    (embed,) = handle.embeds
    assert "thumbnail" not in embed and "icon.png" not in files
    assert embed["color"] == discord.Colour.green().value and "evil" not in str(embed)


async def board_set(w: StatusWorld) -> None:
    handle = await w.as_admin("board set", {"channel": w.channel_id})
    await handle.wait_followup(timeout=10)


async def poll(bot: OutpostBot) -> None:
    await bot.services.poller.run_round()
    await asyncio.wait_for(bot.services.boards.wait_idle(), 10)


def board_message(w: StatusWorld) -> dict[str, Any]:
    (message,) = [m for m in w.fake.channel_messages(w.channel_id) if m["embeds"]]
    return message


def thumbnails(message: dict[str, Any]) -> dict[str, str | None]:
    """Embed title -> the attachment its thumbnail names (None: no thumbnail)."""
    return {
        e["title"]: e["thumbnail"]["url"].removeprefix("attachment://")
        if "thumbnail" in e
        else None
        for e in message["embeds"]
    }


def attached(message: dict[str, Any]) -> dict[str, bytes]:
    return {a["filename"]: a["data"] for a in message["attachments"]}


async def test_board_thumbnails_follow_each_servers_icon_across_edits_and_restarts(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    first, second = make_png(shade=1), make_png(shade=2)
    async with (
        FakeMinecraftServer(status=with_favicon(favicon_uri(first))) as craft,
        FakeMinecraftServer(status=with_favicon(favicon_uri(first))) as twin,
        FakeA2SServer(info=InfoSpec(server_name="Src", player_count=3, max_players=32)) as src,
    ):
        async with run_bot(w.fake, w.bot()) as bot:
            bot.services.boards.pacer.gap = 0.0
            await register(bot, w.guild_id, "Craft", craft.address, game="minecraft")
            await register(bot, w.guild_id, "Twin", twin.address, game="minecraft")
            await register(bot, w.guild_id, "Source", src)
            await bot.services.poller.run_round()
            await board_set(w)
            posted = board_message(w)
            shown = thumbnails(posted)
            # Minecraft: its favicon; A2S offers none. One picture, one file for both servers.
            assert shown["Source"] is None
            assert shown["Craft"] == shown["Twin"] and shown["Craft"] is not None
            assert attached(posted) == {shown["Craft"]: first} and valid(posted["embeds"])
            kept_id = posted["attachments"][0]["id"]

            # Another server changes: the edit leaves the unchanged icon where it is.
            src.info.player_count = 4
            await poll(bot)
            edited = board_message(w)
            assert edited["edits"] == 1 and "4/32" in str(edited["embeds"])
            assert [a["id"] for a in edited["attachments"]] == [kept_id]
            assert thumbnails(edited) == shown

            # One favicon changes: both pictures are attached, each named by its embed.
            craft.status = with_favicon(favicon_uri(second))
            await poll(bot)
            changed = board_message(w)
            names = thumbnails(changed)
            craft_name, twin_name = names["Craft"], names["Twin"]
            assert craft_name is not None and twin_name is not None and craft_name != twin_name
            assert attached(changed) == {craft_name: second, twin_name: first}

        # After a restart the bot does not know the message's files: it sends them again.
        src.info.player_count = 5
        async with run_bot(w.fake, w.bot()) as bot:
            await poll(bot)
            restarted = board_message(w)
            assert restarted["id"] == posted["id"] and "5/32" in str(restarted["embeds"])
            assert attached(restarted) == {craft_name: second, twin_name: first}

            # No favicon any more: no thumbnail and no file left over to show loose.
            craft.status = twin.status = with_favicon(None)
            await poll(bot)
            plain = board_message(w)
    assert set(thumbnails(plain).values()) == {None}
    assert plain["attachments"] == [] and plain["id"] == posted["id"]


async def test_board_without_attach_files_goes_on_without_thumbnails(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    w.fake.guild(w.guild_id).deny_bot(w.channel_id, ATTACH_FILES)
    async with craft_polled(w, favicon_uri(make_png())) as bot:
        bot.services.boards.pacer.gap = 0.0
        await board_set(w)
        message = board_message(w)
        (board,) = await bot.services.store.boards.for_guild(w.guild_id)
    assert board.paused is None
    assert thumbnails(message) == {"Craft": None} and message["attachments"] == []
    assert "2/20" in str(message["embeds"])
