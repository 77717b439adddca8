"""Up/down alerts end to end: one incident message down, edited with its length when the
server is back (a new message when it was deleted), nothing while flapping."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from bot.app import OutpostBot
from tests.cogs.status_world import StatusWorld, make_world, register
from tests.fakes.a2s_server import FakeA2SServer
from tests.fakes.discord import FakeDiscord, InteractionHandle, run_bot


async def rounds(bot: OutpostBot, server: FakeA2SServer, pattern: str) -> None:
    """One poll round per character: ``+`` the server answers, ``-`` it is silent."""
    for ch in pattern:
        server.silent = ch == "-"
        await bot.services.poller.run_round()
        await bot.services.alerts.wait_idle()  # alerts go out from their own queue


async def alerted(
    w: StatusWorld,
    bot: OutpostBot,
    name: str,
    server: FakeA2SServer,
    channel: int,
    role: int | None = None,
) -> InteractionHandle:
    """``name`` registered on ``server`` and polled once, with an alert for it in ``channel``
    (pinging ``role``): the admin's answer to ``/alert set``. Queries time out fast, so the
    rounds where the server stays silent are short."""
    bot.services.poller.query_timeout = 0.2
    await register(bot, w.guild_id, name, server, poll=True)
    options: dict[str, object] = {"server": name, "channel": channel}
    if role is not None:
        options["role"] = role
    return await w.as_admin("alert set", options)


async def test_down_and_up_once_each_without_spam_while_flapping(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    guild = w.fake.guild(w.guild_id)
    alerts_channel = guild.add_channel("alerts")
    on_call = guild.add_role("On call")
    async with FakeA2SServer() as server, run_bot(w.fake, w.bot()) as bot:
        handle = await alerted(w, bot, "Main", server, alerts_channel, on_call)
        assert handle.ephemeral and "go to" in (handle.content or "")
        await rounds(bot, server, "+-+-+")  # flapping: never two failures in a row
        assert w.fake.channel_messages(alerts_channel) == []
        await rounds(bot, server, "--")  # down (confirmed at the 2nd failure)
        await rounds(bot, server, "---+-")  # still down, one lone answer: no message
        messages = w.fake.channel_messages(alerts_channel)
        assert len(messages) == 1
        assert messages[0]["content"].startswith(f"<@&{on_call}> 🔴 **Main** is down")
        assert messages[0]["pings"].roles == (on_call,)
        await rounds(bot, server, "++++")  # back up after two answers in a row
        # One line per incident: the "down" message now says how long it lasted.
        (incident,) = w.fake.channel_messages(alerts_channel)
        assert incident["edits"] == 1
        assert re.fullmatch(
            rf"<@&{on_call}> ✅ \*\*Main\*\* was down for \S+ \(<t:\d+:f> – <t:\d+:t>\)\.",
            incident["content"],
        )
        assert incident["pings"].roles == (on_call,)  # the edit pings no one again
        listing = await w.as_admin("alert list")
        assert (
            f"**Main** → <#{alerts_channel}> · <@&{on_call}> · up"
            in (listing.embeds[0]["description"])
        )
    # A restart does not announce anything again.
    async with FakeA2SServer() as _, run_bot(w.fake, w.bot()) as bot:
        await bot.services.poller.run_round()
        await bot.services.alerts.wait_idle()
    assert len(w.fake.channel_messages(alerts_channel)) == 1
    # The next incident's message deleted by a moderator before the server is back: the
    # "back up" line comes as a message of its own.
    async with FakeA2SServer() as second, run_bot(w.fake, w.bot()) as bot:
        await alerted(w, bot, "Second", second, alerts_channel)

        def about_second() -> list[dict[str, Any]]:
            return [m for m in w.fake.channel_messages(alerts_channel) if "Second" in m["content"]]

        await rounds(bot, second, "--")
        (down,) = about_second()
        assert "🔴 **Second** is down" in down["content"]
        w.fake.delete_message(int(down["id"]))
        await rounds(bot, second, "++")
        (back,) = about_second()
        assert "🟢 **Second** is back up after " in back["content"]


async def test_alert_without_role_pings_nobody_and_remove(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with FakeA2SServer() as server, run_bot(w.fake, w.bot()) as bot:
        await alerted(w, bot, "Main", server, w.channel_id)
        await rounds(bot, server, "--")
        (message,) = w.fake.channel_messages(w.channel_id)
        assert message["content"].startswith("🔴 **Main** is down (no answer since <t:")
        assert not message["pings"].anyone
        removed = await w.as_admin("alert remove", {"server": "Main"})
        assert removed.content == "Removed 1 alert of **Main**."
        await rounds(bot, server, "++")
        assert len(w.fake.channel_messages(w.channel_id)) == 1
        again = await w.as_admin("alert remove", {"server": "Main"})
        assert again.content == "**Main** has no alert there."
        refused = await w.as_member("alert list", bypass=True)
        assert "Manage Server" in (refused.content or "")


async def test_a_rate_limited_alert_never_holds_the_poll_round(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with FakeA2SServer() as server, run_bot(w.fake, w.bot()) as bot:
        await alerted(w, bot, "Main", server, w.channel_id)
        # The first post of the down message gets a 429 that asks for a 1 s wait.
        w.fake.rate_limit("POST", rf"^/channels/{w.channel_id}/messages$", retry_after=1.0)
        server.silent = True
        await bot.services.poller.run_round()
        report = await bot.services.poller.run_round()  # down: confirmed at the second failure
        assert report.transitions
        # The round is over while the message still waits out the rate limit.
        assert w.fake.channel_messages(w.channel_id) == []
        assert bot.services.alerts.pending() == 1 and bot.services.alerts.sent == 0
        await bot.services.poller.run_round()  # a later round does not queue it twice
        await asyncio.wait_for(bot.services.alerts.wait_idle(), 10)
        (message,) = w.fake.channel_messages(w.channel_id)
        assert "**Main** is down" in message["content"]
        assert bot.services.alerts.sent == 1
        assert len(w.fake.ratelimits.limited) == 1
        (alert,) = await bot.services.store.alerts.for_guild(w.guild_id)
        assert alert.last_state == "down"
