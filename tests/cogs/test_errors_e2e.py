"""The single error path, through real discord.py: every failure is a short ephemeral answer."""

from __future__ import annotations

import io
import re
from pathlib import Path

from bot.app import OutpostBot
from tests.cogs.conftest import make_settings
from tests.fakes.discord import FakeDiscord, InteractionHandle, run_bot


async def run(fake: FakeDiscord, guild_id: int, user: int, name: str) -> InteractionHandle:
    handle = await fake.slash(guild_id, user, name)
    await handle.wait_response()
    return handle


async def test_each_error_kind(
    fake_discord: FakeDiscord, tmp_path: Path, captured_log: io.StringIO
) -> None:
    guild = fake_discord.add_guild("G")
    user = guild.add_member("alice", owner=True)
    bot = OutpostBot(
        make_settings(fake_discord, tmp_path),
        guild_ready_timeout=0.05,
        extensions=["tests.cogs.boom_ext"],
    )
    async with run_bot(fake_discord, bot):
        unexpected = await run(fake_discord, guild.id, user, "boom unexpected")
        assert unexpected.ephemeral and unexpected.response_type == 4
        match = re.fullmatch(
            r"Something went wrong on my side \(error id `([0-9a-f]{8})`\)\. "
            r"Tell the bot's admin\.",
            unexpected.content or "",
        )
        assert match is not None, unexpected.content
        log = captured_log.getvalue()
        line = next(x for x in log.splitlines() if match.group(1) in x)
        assert "unexpected ZeroDivisionError in /boom unexpected" in line
        assert "Traceback" in log and "kaboom" in log

        late = await run(fake_discord, guild.id, user, "boom late")
        assert late.response_type == 5
        followup = await late.wait_followup()
        assert "error id" in followup["content"] and followup["flags"] & 64

        invalid = await run(fake_discord, guild.id, user, "boom invalid")
        assert (invalid.content, invalid.ephemeral) == ("That name is taken.", True)

        check = await run(fake_discord, guild.id, user, "boom check")
        assert check.content == "You are not allowed to use this here." and check.ephemeral

        first = await run(fake_discord, guild.id, user, "boom cooldown")
        assert first.content == "done"
        second = await run(fake_discord, guild.id, user, "boom cooldown")
        assert second.ephemeral
        assert re.fullmatch(r"Slow down: try this again in \d+ seconds?\.", second.content or "")

        opened = await run(fake_discord, guild.id, user, "boom modal")
        submitted = await fake_discord.submit_modal(opened, {"text": "hello"})
        await submitted.wait_response()
        assert submitted.ephemeral and "error id" in (submitted.content or "")
        assert "unexpected RuntimeError in interaction type modal_submit" in captured_log.getvalue()
