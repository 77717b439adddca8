"""Status boards end to end: posting, in-place edits, Discord errors, restarts, pacing."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from bot.app import OutpostBot
from bot.storage.boards import Board
from tests.cogs.status_world import StatusWorld, make_world, register
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec
from tests.fakes.discord import FakeDiscord, InteractionHandle, run_bot


@pytest.fixture
async def servers() -> AsyncIterator[list[FakeA2SServer]]:
    async with AsyncExitStack() as stack:
        fleet = [
            await stack.enter_async_context(
                FakeA2SServer(info=InfoSpec(server_name=f"S{i}", player_count=i, max_players=32))
            )
            for i in range(12)
        ]
        yield fleet


async def board_set(
    w: StatusWorld, channel_id: int, servers: str | None = None
) -> InteractionHandle:
    options: dict[str, object] = {"channel": channel_id}
    if servers is not None:
        options["servers"] = servers
    handle = await w.as_admin("board set", options)
    await handle.wait_followup(timeout=10)
    return handle


async def poll(bot: OutpostBot) -> None:
    """One round, then the board pass it triggers."""
    await bot.services.poller.run_round()
    await asyncio.wait_for(bot.services.boards.wait_idle(), 10)


async def with_main(w: StatusWorld, bot: OutpostBot, server: FakeA2SServer) -> None:
    """Main registered and polled once, boards posting without pacing."""
    bot.services.boards.pacer.gap = 0.0
    await register(bot, w.guild_id, "Main", server, poll=True)


async def main_board(
    w: StatusWorld, bot: OutpostBot, server: FakeA2SServer, servers: str | None = None
) -> dict[str, object]:
    """The one board message of Main, in the world's channel."""
    await with_main(w, bot, server)
    await board_set(w, w.channel_id, servers)
    (message,) = board_messages(w, w.channel_id)
    return message


def board_messages(w: StatusWorld, channel_id: int) -> list[dict[str, object]]:
    return [m for m in w.fake.channel_messages(channel_id) if m["embeds"]]


async def test_board_posts_ten_embeds_per_message_and_edits_in_place(
    fake_discord: FakeDiscord, tmp_path: Path, servers: list[FakeA2SServer]
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with run_bot(w.fake, w.bot()) as bot:
        bot.services.boards.pacer.gap = 0.0
        for i, server in enumerate(servers):
            await register(bot, w.guild_id, f"Server {i:02d}", server)
        await bot.services.poller.run_round()
        handle = await board_set(w, w.channel_id)
        assert "updates after each poll" in handle.followups[0]["content"]
        posted = board_messages(w, w.channel_id)
        assert [len(m["embeds"]) for m in posted] == [10, 2]  # type: ignore[arg-type]
        ids = [m["id"] for m in posted]
        # Nothing changed: no request at all.
        requests = len(w.fake.requests)
        await poll(bot)
        assert len(w.fake.requests) == requests
        # One server changes: only the message showing it is edited, after a 429 is waited out.
        servers[11].info.player_count = 30
        w.fake.rate_limit("PATCH", r"/channels/\d+/messages/\d+$", retry_after=0.2)
        await poll(bot)
        now = board_messages(w, w.channel_id)
        assert [m["id"] for m in now] == ids
        assert [m["edits"] for m in now] == [0, 1]
        assert "30/32" in str(now[1]["embeds"])


async def test_deleted_message_is_posted_again(
    fake_discord: FakeDiscord, tmp_path: Path, servers: list[FakeA2SServer]
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with run_bot(w.fake, w.bot()) as bot:
        first = await main_board(w, bot, servers[0])
        # Deleted by a moderator: the bot sees MESSAGE_DELETE and reposts at the next pass.
        w.fake.delete_message(int(first["id"]))  # type: ignore[call-overload]
        for _ in range(100):  # bounded: the gateway event arrives within 5 s
            stored = [m.message_id for m in await bot.services.store.boards.messages(1)]
            if stored != [int(first["id"])]:  # type: ignore[call-overload]
                break
            await asyncio.sleep(0.05)
        await asyncio.wait_for(bot.services.boards.wait_idle(), 10)
        (second,) = board_messages(w, w.channel_id)
        assert second["id"] != first["id"]
        # Deleted without the bot seeing it: the edit answers 10008 and it posts a fresh one.
        w.fake.fail_message(int(second["id"]), 10008)  # type: ignore[call-overload]
        servers[0].info.player_count = 5
        await poll(bot)
        messages = board_messages(w, w.channel_id)
        assert [m["id"] for m in messages][-1] != second["id"]
        assert "5/32" in str(messages[-1]["embeds"])
        stored = await bot.services.store.boards.messages(1)
        assert [m.message_id for m in stored] == [int(messages[-1]["id"])]  # type: ignore[call-overload]


async def test_old_message_edit_limit_replaces_the_message(
    fake_discord: FakeDiscord, tmp_path: Path, servers: list[FakeA2SServer]
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with run_bot(w.fake, w.bot()) as bot:
        old = await main_board(w, bot, servers[0])
        w.fake.fail_message(int(old["id"]), 30046, methods=("PATCH",))  # type: ignore[call-overload]
        servers[0].info.player_count = 7
        await poll(bot)
        (new,) = board_messages(w, w.channel_id)
        assert new["id"] != old["id"] and "7/32" in str(new["embeds"])
        assert w.fake.message(int(old["id"]))["deleted"]  # type: ignore[call-overload]
        # No stray repost from our own delete event.
        await poll(bot)
        assert [m["id"] for m in board_messages(w, w.channel_id)] == [new["id"]]


async def _board_that_lost_its_permission(
    w: StatusWorld, bot: OutpostBot, server: FakeA2SServer
) -> Board:
    """A board of Main whose next edit is refused with 50013 (missing permissions), after it."""
    message = await main_board(w, bot, server, "main")
    w.fake.fail_message(int(message["id"]), 50013)  # type: ignore[call-overload]
    server.info.player_count = 9
    await poll(bot)
    (board,) = await bot.services.store.boards.for_guild(w.guild_id)
    return board


async def test_lost_permission_pauses_the_board_and_list_says_why(
    fake_discord: FakeDiscord, tmp_path: Path, servers: list[FakeA2SServer]
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with run_bot(w.fake, w.bot()) as bot:
        board = await _board_that_lost_its_permission(w, bot, servers[0])
        assert board.paused is not None and "permission" in board.paused
        listing = await w.as_admin("board list")
        value = listing.embeds[0]["fields"][0]["value"]
        assert value.startswith("⏸️ paused: I lost the permission") and "Main" in value
        # Paused: no more requests for it until its retry is due.
        requests = len(w.fake.requests)
        servers[0].info.player_count = 10
        await poll(bot)
        assert len(w.fake.requests) == requests
        # /board set again resumes it.
        await board_set(w, w.channel_id, "main")
        (board,) = await bot.services.store.boards.for_guild(w.guild_id)
        assert board.paused is None


async def test_a_paused_board_resumes_by_itself_when_the_permission_is_back(
    fake_discord: FakeDiscord, tmp_path: Path, servers: list[FakeA2SServer]
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with run_bot(w.fake, w.bot()) as bot:
        board = await _board_that_lost_its_permission(w, bot, servers[0])
        assert board.paused is not None
        # The permission is back (the failure was one request); the retry is due.
        bot.services.boards.paused_retry = 0.0
        bot.services.boards._retry_paused_at.clear()
        servers[0].info.player_count = 11
        await poll(bot)
        (board,) = await bot.services.store.boards.for_guild(w.guild_id)
        assert board.paused is None
        (message,) = board_messages(w, w.channel_id)
        assert "11/" in str(message["embeds"])


async def test_restart_edits_the_same_message(
    fake_discord: FakeDiscord, tmp_path: Path, servers: list[FakeA2SServer]
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Main", servers[3], poll=True)
        await board_set(w, w.channel_id)
    (before,) = board_messages(w, w.channel_id)
    servers[3].info.player_count = 20
    async with run_bot(w.fake, w.bot()) as bot:
        await poll(bot)
    (after,) = board_messages(w, w.channel_id)
    assert after["id"] == before["id"] and after["edits"] == 1
    assert "20/32" in str(after["embeds"])


async def test_board_remove_and_refusals(
    fake_discord: FakeDiscord, tmp_path: Path, servers: list[FakeA2SServer]
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Main", servers[0], poll=True)
        unknown = await w.as_admin("board set", {"channel": w.channel_id, "servers": "Main, Nope"})
        assert unknown.content == "No such server here."
        member = await w.as_member("board list", bypass=True)
        assert "Manage Server" in (member.content or "")
        await board_set(w, w.channel_id, "Main")
        (message,) = board_messages(w, w.channel_id)
        removed = await w.as_admin("board remove", {"channel": w.channel_id})
        assert "Removed the status board" in (await removed.wait_followup())["content"]
        assert w.fake.message(int(message["id"]))["deleted"]  # type: ignore[call-overload]
        assert await bot.services.store.boards.for_guild(w.guild_id) == []
        choices = await w.fake.autocomplete(
            w.guild_id,
            w.admin,
            "board set",
            {"channel": w.channel_id, "servers": "Main, ma"},
            focused="servers",
        )
        assert [c["value"] for c in choices] == ["Main, Main"]


async def test_many_boards_of_one_guild_are_paced(
    fake_discord: FakeDiscord, tmp_path: Path, servers: list[FakeA2SServer]
) -> None:
    w = make_world(fake_discord, tmp_path)
    guild = w.fake.guild(w.guild_id)
    channels = [guild.add_channel(f"board-{i}") for i in range(4)]
    async with run_bot(w.fake, w.bot()) as bot:
        await with_main(w, bot, servers[0])
        for channel in channels:
            await board_set(w, channel)
        bot.services.boards.pacer.gap = 0.15
        servers[0].info.player_count = 3
        started = time.monotonic()
        await poll(bot)
        elapsed = time.monotonic() - started
        assert elapsed >= 3 * 0.15  # four edits, at least a gap apart
        assert all(board_messages(w, c)[0]["edits"] == 1 for c in channels)


async def test_board_set_refuses_a_channel_where_the_bot_cannot_post(
    fake_discord: FakeDiscord, tmp_path: Path, servers: list[FakeA2SServer]
) -> None:
    import discord

    w = make_world(fake_discord, tmp_path)
    guild = w.fake.guild(w.guild_id)
    closed = guild.add_channel("closed")
    guild.deny_bot(closed, discord.Permissions(embed_links=True).value)
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Main", servers[0])
        handle = await w.as_admin("board set", {"channel": closed})
        assert handle.ephemeral and "embed links" in (handle.content or "")
        assert await bot.services.store.boards.for_guild(w.guild_id) == []
        assert w.fake.channel_messages(closed) == []


async def test_a_guild_with_many_boards_does_not_hold_back_another_guilds(
    fake_discord: FakeDiscord, tmp_path: Path, servers: list[FakeA2SServer]
) -> None:
    w = make_world(fake_discord, tmp_path)
    guild = w.fake.guild(w.guild_id)
    channels = [guild.add_channel(f"board-{i}") for i in range(40)]
    beta = w.fake.add_guild("Beta")
    beta_channel = beta.add_channel("status")
    async with run_bot(w.fake, w.bot()) as bot:
        bot.services.boards.pacer.gap = 0.0
        bot.services.boards.guild_budget = 5
        await register(bot, w.guild_id, "Busy", servers[0])
        await register(bot, beta.id, "Quiet", servers[1])
        await bot.services.poller.run_round()
        for channel in channels:
            await bot.services.store.boards.upsert(w.guild_id, channel, [], w.admin)
        await bot.services.store.boards.upsert(beta.id, beta_channel, [], w.admin)
        await poll(bot)  # every board posted, over several short passes
        assert all(len(board_messages(w, c)) == 1 for c in channels)
        bot.services.boards.pacer.gap = 0.05  # from now on the busy guild's 40 edits take >= 2 s
        servers[0].info.player_count = 20
        servers[1].info.player_count = 7
        await bot.services.poller.run_round()
        await w.fake.wait_until(lambda: "7/32" in str(board_messages(w, beta_channel)))
        servers[1].info.player_count = 8
        await bot.services.poller.run_round()
        await w.fake.wait_until(lambda: "8/32" in str(board_messages(w, beta_channel)))
        # The quiet guild's second change is shown while the busy guild is still catching up
        # (before: only once every one of its 40 boards was edited).
        edited = sum(board_messages(w, c)[0]["edits"] for c in channels)  # type: ignore[misc]
        assert edited < len(channels)
        await asyncio.wait_for(bot.services.boards.wait_idle(), 20)
        assert all("20/32" in str(board_messages(w, c)[0]["embeds"]) for c in channels)


@pytest.mark.parametrize("restart", [False, True])
async def test_a_post_whose_id_was_not_saved_is_found_again(
    fake_discord: FakeDiscord,
    tmp_path: Path,
    servers: list[FakeA2SServer],
    monkeypatch: pytest.MonkeyPatch,
    restart: bool,
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with run_bot(w.fake, w.bot()) as bot:
        await with_main(w, bot, servers[0])
        boards = bot.services.store.boards

        async def locked(*args: object) -> None:
            raise sqlite3.OperationalError("database is locked")

        # Discord accepts the post, then the database refuses its id.
        monkeypatch.setattr(boards, "set_message", locked)
        await boards.upsert(w.guild_id, w.channel_id, [], w.admin)
        await poll(bot)
        monkeypatch.undo()
        (posted,) = board_messages(w, w.channel_id)
        if not restart:
            servers[0].info.player_count = 4
            await poll(bot)
    if restart:
        servers[0].info.player_count = 4
        async with run_bot(w.fake, w.bot()) as bot:
            await poll(bot)
            await poll(bot)
            stored = await bot.services.store.boards.messages(1)
    else:
        stored = []
    messages = board_messages(w, w.channel_id)
    assert [m["id"] for m in messages] == [posted["id"]]  # edited, never posted twice
    assert "4/32" in str(messages[0]["embeds"])
    if restart:
        assert [m.message_id for m in stored] == [int(posted["id"])]  # type: ignore[call-overload]
