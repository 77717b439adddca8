"""End to end under flood: members spamming denied ``/rcon say`` while an administrator changes
permissions, with the audit log mirrored to a channel under Discord's rate limit."""

from __future__ import annotations

import asyncio

import pytest

from tests.cogs.rcon_world import (
    RconWorld,
    audit_rows,
    followup_text,
    register,
    source_answers,
    world_fixture,
)
from tests.fakes.discord import run_bot
from tests.protocols.battleye.helpers import eventually

SPAMS_PER_MEMBER = 5


pytestmark = pytest.mark.usefixtures("no_rcon_cooldown")


world = world_fixture(handler=source_answers)


async def test_denied_spam_does_not_starve_an_admins_grants(world: RconWorld) -> None:
    w = world
    guild = w.fake.guild(w.guild_id)
    spammers = [w.mod, w.member] + [guild.add_member(f"spammer{i}") for i in range(4)]
    helpers = guild.add_role("Helpers")  # nobody spamming holds it
    # Discord's limit for posting in one channel: 5 messages per 5 s.
    w.fake.bucket("POST", r"^/channels/[0-9]+/messages", 5, 5.0)
    async with run_bot(w.fake, w.bot()) as bot:
        bot.services.audit_mirror.window = 3.0  # the coalescing window, shortened from a minute
        await register(bot, w.guild_id, "Main", "cs2", w.source.address[1])
        await w.as_admin("audit channel set", {"channel": w.channel_id})
        spam = [
            await w.fake.slash(
                w.guild_id, user, "rcon say", {"server": "Main", "message": f"spam {n}"}
            )
            for n in range(SPAMS_PER_MEMBER)
            for user in spammers
        ]
        grants = []
        for action in ("say", "kick", "players"):
            grant = await w.by_admin(
                "permissions grant",
                {"role": helpers, "action": action},
            )
            grants.append(await grant.wait_response(timeout=3.0))
        assert all("may now use" in g["data"]["content"] for g in grants)
        view = await w.by_admin("audit view", {"action": "rcon"})
        await view.wait_response(timeout=3.0)
        texts = await asyncio.gather(*(followup_text(h) for h in spam))
        assert all("needs the **say** permission" in t for t in texts)
        # Every row was written; the mirror shows one line per member for the denials.
        await eventually(
            lambda: (
                bot.services.audit_mirror.pending() == 0
                and len([m for m in w.fake.channel_messages(w.channel_id) if "Denied" in str(m)])
                > 0
            ),
            20.0,
        )
        await asyncio.sleep(0.5)  # a stray extra post would land now
        messages = w.fake.channel_messages(w.channel_id)
    rows = audit_rows(w.settings)
    denied = [r for r in rows if r["outcome"] == "denied"]
    assert len(denied) == SPAMS_PER_MEMBER * len(spammers)
    embeds = [e for m in messages for e in m["embeds"]]
    lines = [
        line
        for e in embeds
        if e.get("title") == "Denied attempts"
        for line in e["description"].splitlines()
    ]
    assert sorted(lines) == sorted(line for line in lines if f"denied {SPAMS_PER_MEMBER}×" in line)
    assert sorted(int(line.split("<@")[1].split(">")[0]) for line in lines) == sorted(spammers)
    granted = [e for e in embeds if "permissions grant" in (e.get("description") or "")]
    assert len(granted) == 3
    assert len(messages) <= 6  # batched: a handful of posts, not one per attempt
    assert w.fake.ratelimits.limited == []  # never sent into an exhausted bucket
