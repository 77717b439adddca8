"""The fake catches the Discord rules a bot breaks, and answers like Discord does.

Each test breaks one rule on purpose (through the real client where discord.py lets it,
otherwise with raw HTTP), checks Discord's answer, and takes the violation out of
``fake.violations`` with ``pop_violations()`` so the fixture's own check still runs.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from tests.fakes.discord import FakeDiscord, FakeGuild, run_bot
from tests.fakes.discord.pytest_plugin import fake_discord

__all__ = ["fake_discord"]


class BigModal(discord.ui.Modal, title="x" * 50):
    field: discord.ui.TextInput[BigModal] = discord.ui.TextInput(label="Field")


class RuleBreaker(commands.Bot):
    """A bot whose commands each break one rule; it records the errors Discord answered."""

    def __init__(self, guild_id: int, extra: list[app_commands.Command[Any, ..., Any]]) -> None:
        super().__init__(command_prefix=commands.when_mentioned, intents=discord.Intents.default())
        self.guild_id = guild_id
        self.extra = extra
        self.errors: asyncio.Queue[BaseException] = asyncio.Queue()
        self.gate = asyncio.Event()
        self.tree.error(self._on_tree_error)

    async def setup_hook(self) -> None:
        guild = discord.Object(self.guild_id)
        for command in [slow, too_long, big_embed, big_modal, late_followup, *self.extra]:
            self.tree.add_command(command, guild=guild)
        await self.tree.sync(guild=guild)

    async def _on_tree_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        await self.errors.put(original)


@app_commands.command(name="slow", description="Answers when the test opens the gate (or 0.3 s)")
async def slow(interaction: discord.Interaction) -> None:
    bot = interaction.client
    assert isinstance(bot, RuleBreaker)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(bot.gate.wait(), 0.3)
    await interaction.response.send_message("late")


@app_commands.command(name="too-long", description="Content over 2000 characters")
async def too_long(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("x" * 2001)


@app_commands.command(name="big-embed", description="Embed title over 256")
async def big_embed(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(embed=discord.Embed(title="t" * 257))


@app_commands.command(name="big-modal", description="Modal title over 45")
async def big_modal(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(BigModal())


@app_commands.command(name="late-followup", description="Follow-up after the token expired")
async def late_followup(interaction: discord.Interaction) -> None:
    await interaction.response.defer()
    await asyncio.sleep(0.2)
    await interaction.followup.send("too late")


@app_commands.command(name="pick", description="Autocomplete with too many choices")
async def pick(interaction: discord.Interaction, item: str) -> None:
    await interaction.response.send_message(item)


@pick.autocomplete("item")
async def pick_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=f"item {i}", value=str(i)) for i in range(30)]


@dataclass
class Env:
    fake: FakeDiscord
    guild: FakeGuild
    user: int
    bot: RuleBreaker
    http: aiohttp.ClientSession

    async def raw(self, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bot {self.fake.token}"}
        async with self.http.request(
            method, self.fake.api_base + path, json=payload, headers=headers
        ) as response:
            return response.status, await response.json(content_type=None)


@pytest.fixture
async def env(fake_discord: FakeDiscord) -> AsyncIterator[Env]:
    guild = fake_discord.add_guild()
    guild.add_channel("general")
    user = guild.add_member("carol")
    bot = RuleBreaker(guild.id, [pick])
    async with aiohttp.ClientSession() as http, run_bot(fake_discord, bot):
        yield Env(fake_discord, guild, user, bot, http)


async def test_late_initial_response_is_unknown_interaction(env: Env) -> None:
    env.fake.interaction_deadline = 0.1
    handle = await env.fake.slash(env.guild.id, env.user, "slow")
    error = await asyncio.wait_for(env.bot.errors.get(), 5)
    assert isinstance(error, discord.NotFound) and error.code == 10062
    assert not handle.responded
    [violation] = env.fake.pop_violations()
    assert "not acknowledged within 0.1 s" in violation


@pytest.mark.parametrize(
    ("command", "violation"),
    [
        pytest.param("too-long", "content is 2001 characters (max 2000)", id="content-over-2000"),
        pytest.param("big-embed", "embeds[0].title is 257 characters (max 256)", id="embed-title"),
        pytest.param("big-modal", "modal title must be 1-45 characters (is 50)", id="modal-title"),
    ],
)
async def test_an_answer_over_a_documented_limit_is_rejected(
    env: Env, command: str, violation: str
) -> None:
    await env.fake.slash(env.guild.id, env.user, command)
    error = await asyncio.wait_for(env.bot.errors.get(), 5)
    assert isinstance(error, discord.HTTPException) and error.code == 50035
    [found] = env.fake.pop_violations()
    assert violation in found


async def test_autocomplete_over_25_choices_is_rejected(env: Env) -> None:
    choices = await env.fake.autocomplete(env.guild.id, env.user, "pick", {}, focused="item")
    assert choices == []  # Discord rejected the answer, the user sees nothing
    [violation] = env.fake.pop_violations()
    assert "autocomplete returned 30 choices (max 25)" in violation


async def test_followup_after_token_lifetime(env: Env) -> None:
    env.fake.followup_window = 0.1
    handle = await env.fake.slash(env.guild.id, env.user, "late-followup")
    error = await asyncio.wait_for(env.bot.errors.get(), 5)
    assert isinstance(error, discord.HTTPException) and error.code == 50027
    assert handle.followups == []
    [violation] = env.fake.pop_violations()
    assert "token used after 0.1 s" in violation


async def test_second_initial_response_is_40060(env: Env) -> None:
    env.fake.interaction_deadline = 2.0
    handle = await env.fake.slash(env.guild.id, env.user, "slow")
    path = f"/interactions/{handle.id}/{handle.token}/callback"
    status, body = await env.raw("POST", path, {"type": 4, "data": {"content": "first"}})
    assert status == 200 and body["interaction"]["id"] == str(handle.id)
    status, body = await env.raw("POST", path, {"type": 4, "data": {"content": "second"}})
    assert (status, body["code"]) == (400, 40060)
    assert handle.content == "first"
    env.bot.gate.set()
    error = await asyncio.wait_for(env.bot.errors.get(), 5)  # the bot's own late answer
    assert isinstance(error, discord.HTTPException) and error.code == 40060
    violations = env.fake.pop_violations()
    assert len(violations) == 2 and all("second initial response" in v for v in violations)


async def test_followup_before_initial_response(env: Env) -> None:
    env.fake.interaction_deadline = 2.0
    handle = await env.fake.slash(env.guild.id, env.user, "slow")
    status, body = await env.raw(
        "POST", f"/webhooks/{env.fake.app_id}/{handle.token}?wait=1", {"content": "early"}
    )
    assert (status, body["code"]) == (404, 10015)
    env.bot.gate.set()
    await handle.wait_response()
    [violation] = env.fake.pop_violations()
    assert "used before its initial response" in violation


async def test_retry_before_retry_after_is_a_violation(env: Env) -> None:
    channel = env.guild.default_channel_id()
    env.fake.rate_limit("POST", r"/channels/\d+/messages$", retry_after=5)
    status, body = await env.raw("POST", f"/channels/{channel}/messages", {"content": "a"})
    assert status == 429 and body["retry_after"] == 5
    status, _ = await env.raw("POST", f"/channels/{channel}/messages", {"content": "a"})
    assert status == 200
    [violation] = env.fake.pop_violations()
    assert "before the retry_after (5 s) of a 429 elapsed" in violation


async def test_empty_message_and_unknown_route(env: Env) -> None:
    channel = env.guild.default_channel_id()
    status, body = await env.raw("POST", f"/channels/{channel}/messages", {})
    assert (status, body["code"]) == (400, 50006)
    status, _ = await env.raw("GET", "/voice/regions")
    assert status == 404
    violations = env.fake.pop_violations()
    assert "cannot send an empty message" in violations[0]
    assert "does not implement GET /api/v10/voice/regions" in violations[1]


async def test_invalid_command_schema_fails_the_sync(env: Env) -> None:
    path = f"/applications/{env.fake.app_id}/guilds/{env.guild.id}/commands"
    bad = [
        {"name": "Status", "description": "ok", "type": 1},
        {"name": "long", "description": "d" * 101, "type": 1},
        {
            "name": "opts",
            "description": "ok",
            "type": 1,
            "options": [
                {"name": "a", "description": "a", "type": 3},
                {"name": "b", "description": "b", "type": 3, "required": True},
            ],
        },
    ]
    before = env.fake.sync_requests
    status, body = await env.raw("PUT", path, bad)
    assert (status, body["code"]) == (400, 50035)
    assert env.fake.sync_requests == before
    violations = env.fake.pop_violations()
    assert len(violations) == 3
    assert "must be lowercase" in violations[0]
    assert "description must be 1-100 characters (is 101)" in violations[1]
    assert "required options must come before optional ones" in violations[2]


async def test_a_bot_with_a_bad_command_fails_to_start(fake_discord: FakeDiscord) -> None:
    guild = fake_discord.add_guild()

    @app_commands.command(name="verbose", description="d" * 120)
    async def verbose(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("never")

    bot = RuleBreaker(guild.id, [verbose])
    with pytest.raises(app_commands.CommandSyncFailure):
        async with run_bot(fake_discord, bot):
            pass
    [violation] = fake_discord.pop_violations()
    assert "command 'verbose': description must be 1-100 characters (is 120)" in violation


async def test_bucket_answers_429_over_its_limit(env: Env) -> None:
    channel = env.guild.default_channel_id()
    env.fake.bucket("POST", r"^/channels/[0-9]+/messages", limit=2, per=30)
    url = f"{env.fake.api_base}/channels/{channel}/messages"
    auth = {"Authorization": f"Bot {env.fake.token}"}
    answers = []
    for _ in range(3):
        async with env.http.post(url, json={"content": "x"}, headers=auth) as response:
            body = await response.json()
            answers.append((response.status, response.headers["X-RateLimit-Remaining"]))
    assert answers == [(200, "1"), (200, "0"), (429, "0")]
    assert 29 < body["retry_after"] <= 30 and response.headers["Via"]
    assert env.fake.ratelimits.limited == [("POST", f"/channels/{channel}/messages")]
    assert env.fake.pop_violations() == []  # a 429 alone is not a breach; retrying early is
