"""A real discord.py client in a child process, pointed at the fake by ``run_patched``."""

from __future__ import annotations

import asyncio
import os
import textwrap
from pathlib import Path

from tests.fakes.discord import FakeDiscord
from tests.fakes.discord.pytest_plugin import fake_discord
from tests.fakes.discord.run_patched import start_patched

__all__ = ["fake_discord"]

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import os
    import sys

    import discord


    class Poster(discord.Client):
        async def on_ready(self) -> None:
            channel = self.get_channel(int(os.environ["CHANNEL_ID"]))
            await channel.send(f"hello from {sys.argv[1:]}")
            await self.close()


    Poster(intents=discord.Intents.default(), guild_ready_timeout=0.05).run(
        os.environ["DISCORD_TOKEN"], log_handler=None
    )
    """
)


async def test_child_process_client_talks_to_the_fake(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    (tmp_path / "poster.py").write_text(CHILD)
    channel = fake_discord.add_guild().add_channel("feed")
    env = {
        **os.environ,
        **fake_discord.subprocess_env(),
        "CHANNEL_ID": str(channel),
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)]),
    }
    process = await start_patched("poster", "--flag", cwd=ROOT, env=env)
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, output.decode()
    [message] = fake_discord.channel_messages(channel)
    assert message["content"] == "hello from ['--flag']"
    assert fake_discord.gateway.identifies == 1
