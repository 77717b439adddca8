"""Join links and board styles end to end: ``/status-link``, the Join button on ``/status``
and on boards, ``/board set style:detailed``."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.storage.audit import AuditFilter
from tests.cogs.status_world import StatusWorld, answered, make_world, register
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec, PlayerSpec
from tests.fakes.discord import FakeDiscord, InteractionHandle, run_bot

JOIN = "https://play.example.org/join?server=main"


async def link(w: StatusWorld, url: str | None, user: int | None = None) -> InteractionHandle:
    options: dict[str, object] = {"server": "Main"}
    if url is not None:
        options["url"] = url
    return await answered(await w.fake.slash(w.guild_id, user or w.admin, "status-link", options))


def link_buttons(components: list[dict[str, object]]) -> list[tuple[str, str]]:
    return [
        (str(b["label"]), str(b["url"]))
        for row in components
        for b in row["components"]  # type: ignore[attr-defined]
        if b["style"] == 5
    ]


async def test_join_link_is_checked_audited_and_shown_as_a_button(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    async with FakeA2SServer() as server, run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Main", server, poll=True)
        for bad in ("javascript:alert(1)", "steam://connect/1.2.3.4:27015", "https://", "x y"):
            refused = await link(w, bad)
            assert refused.ephemeral and "link" in (refused.content or "")
        denied = await w.as_member("status-link", {"server": "Main", "url": JOIN}, bypass=True)
        assert "Manage Server" in (denied.content or "")
        done = await link(w, JOIN)
        assert done.ephemeral and JOIN in (done.content or "")
        shown = await w.as_member("status", {"server": "Main"})
        assert link_buttons(shown.components) == [("Join Main", JOIN)]
        assert shown.embeds[0]["url"] == JOIN
        cleared = await link(w, None)
        assert "no longer" in (cleared.content or "")
        plain = await w.as_member("status", {"server": "Main"})
        assert plain.components == [] and "url" not in plain.embeds[0]
        entries = await bot.services.store.audit.search(AuditFilter(w.guild_id), limit=10)
        assert [e.arguments for e in entries if e.action == "server display"] == [
            "join_url=None",
            f"join_url={JOIN!r}",
        ]


async def test_detailed_board_lists_players_and_carries_the_join_button(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_world(fake_discord, tmp_path)
    players = [PlayerSpec("alice", 5, 3700.0), PlayerSpec("bob", 9, 60.0)]
    async with (
        FakeA2SServer(info=InfoSpec(player_count=2, max_players=10), players=players) as server,
        run_bot(w.fake, w.bot()) as bot,
    ):
        bot.services.boards.pacer.gap = 0.0
        await register(bot, w.guild_id, "Main", server, poll=True)
        await link(w, JOIN)
        handle = await w.as_admin("board set", {"channel": w.channel_id, "style": "detailed"})
        await handle.wait_followup(timeout=10)
        assert "(detailed)" in handle.followups[0]["content"]
        (message,) = [m for m in w.fake.channel_messages(w.channel_id) if m["embeds"]]
        (embed,) = message["embeds"]
        assert embed["fields"][0]["name"] == "Players (2)"
        assert "· ⏱️ 100 % up (7 d)" in embed["description"]  # one polled round, answered
        assert embed["fields"][0]["value"] == "**alice** · 1h 01m\n**bob** · 1m"
        assert link_buttons(message["components"]) == [("Join Main", JOIN)]
        # The link removed: the next pass edits the message without its button.
        await link(w, None)
        await bot.services.poller.run_round()
        await asyncio.wait_for(bot.services.boards.wait_idle(), 10)
        (message,) = [m for m in w.fake.channel_messages(w.channel_id) if m["embeds"]]
        assert message["components"] == [] and message["edits"] == 1
        # Back to compact: one line of names, no player fields.
        handle = await w.as_admin("board set", {"channel": w.channel_id})
        await handle.wait_followup(timeout=10)
        (message,) = [m for m in w.fake.channel_messages(w.channel_id) if m["embeds"]]
        assert "fields" not in message["embeds"][0] or not message["embeds"][0]["fields"]
        assert "alice, bob" in message["embeds"][0]["description"]
