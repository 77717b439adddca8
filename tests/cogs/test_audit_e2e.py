"""End to end: ``/audit view`` pages, ``/audit export`` CSV, ``/audit channel set`` mirroring."""

from __future__ import annotations

import csv
import io

import pytest

from bot.services.audit import Actor
from tests.cogs.rcon_world import (
    GREEN,
    PASSWORD,
    RconWorld,
    SourceConsole,
    answered,
    audit_rows,
    database_bytes,
    followup_text,
    register,
    world_fixture,
)
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec
from tests.fakes.discord import run_bot
from tests.protocols.battleye.helpers import eventually

pytestmark = pytest.mark.usefixtures("no_rcon_cooldown")


world = world_fixture(console=SourceConsole)


async def test_audit_pages_with_buttons(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        actor = Actor(w.guild_id, w.admin, "alice")
        for i in range(23):
            await bot.services.audit.record(actor, "rcon say", f"message='m{i}'")
        await bot.services.audit.record(
            Actor(w.guild_id + 1, w.admin, "x"), "rcon say", "other guild"
        )
        first = await w.as_admin("audit view")
        assert first.ephemeral
        embed = first.embeds[0]
        assert "Page 1 of 3 · 23 entries" in embed["footer"]["text"]
        assert "m22" in embed["description"] and "m12" not in embed["description"]
        assert "other guild" not in embed["description"]
        second = await answered(await w.fake.click(first, "audit:next", w.admin))
        assert "Page 2 of 3" in second.embeds[0]["footer"]["text"]
        assert "m12" in second.embeds[0]["description"]
        filtered = await w.as_admin("audit view", {"action": "server"})
        assert "No entries match." in filtered.embeds[0]["description"]
        refused = await w.as_member("audit view", bypass=True)
        assert "Manage Server" in (refused.content or "")


async def test_audit_export_csv(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Main", "cs2", w.source.address[1])
        await w.admin_reads("rcon say", {"server": "Main", "message": "hello"})
        await followup_text(await w.by_member("rcon players", {"server": "Main"}))
        await bot.services.audit.record(Actor(w.guild_id, w.admin, "alice"), "=HYPERLINK(1)", "x")
        handle = await w.by_admin("audit export", {"since": "1d"})
        await handle.wait_response()
        message = await handle.wait_followup()
    data = next(a["data"] for a in message["attachments"] if a["filename"].endswith(".csv"))
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    by_action = {r["action"]: r for r in rows}
    assert by_action["rcon say"]["outcome"] == "ok"
    assert by_action["rcon say"]["allowed_by"] == "administrator"
    assert by_action["rcon players"]["outcome"] == "denied"
    assert "'=HYPERLINK(1)" in by_action  # no formula injection into spreadsheets
    assert PASSWORD not in data.decode()


async def test_audit_channel_mirrors_new_entries(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Main", "cs2", w.source.address[1])
        done = await w.as_admin("audit channel set", {"channel": w.channel_id})
        assert "will be posted" in (done.content or "")
        await w.admin_reads("rcon say", {"server": "Main", "message": "hi all"})
        await w.fake.wait_until(lambda: len(w.fake.channel_messages(w.channel_id)) >= 2)
        messages = w.fake.channel_messages(w.channel_id)
        texts = [m["embeds"][0]["description"] for m in messages]
        assert "audit channel set" in texts[0] and f"channel=<#{w.channel_id}>" in texts[0]
        assert "rcon say" in texts[1] and "Main" in texts[1]
        # Who as a mention, when as a Discord timestamp, the outcome as an icon and colour.
        assert texts[1].startswith("✅ <t:") and f"<@{w.admin}>" in texts[1]
        assert messages[1]["embeds"][0]["color"] == GREEN
        assert w.fake.pinging_messages() == []  # user mentions render without pinging
        # Sent with no mention allowed at all, whatever the entry holds.
        assert all(m["allowed_mentions"]["parse"] == [] for m in messages)
        assert not any(m["allowed_mentions"].get("users") for m in messages)
        await w.as_admin("audit channel clear")
        count = len(w.fake.channel_messages(w.channel_id))
        await w.admin_reads("rcon say", {"server": "Main", "message": "again"})
        # Mirroring runs from a queue: wait until it has handled the last entry.
        await eventually(lambda: bot.services.audit_mirror.pending() == 0)
        assert len(w.fake.channel_messages(w.channel_id)) == count


async def test_settings_changes_are_audited_without_the_password(world: RconWorld) -> None:
    w = world
    info = InfoSpec(server_name="Fake CS2", map_name="de_dust2", player_count=1, max_players=10)
    async with FakeA2SServer(info=info) as a2s, run_bot(w.fake, w.bot()):
        host, port = a2s.address
        submitted = await w.add_cs2_main(a2s)
        await submitted.wait_followup()
        edit = await w.as_admin("server edit", {"name": "Main", "new_password": True})
        again = await answered(await w.fake.submit_modal(edit, {"password": "Wr0ng-pass"}))
        refused = await again.wait_followup()
        assert "refused" in refused["content"]
        await w.as_admin("alert set", {"server": "Main", "channel": w.channel_id})
        await w.as_admin("status-connect", {"server": "Main", "show": False})
        await w.as_admin("permissions grant", {"role": w.mods_role, "action": "kick"})
        board = await w.as_admin("board set", {"channel": w.channel_id})
        await board.wait_followup()
        removed = await w.as_admin("board remove", {"channel": w.channel_id})
        await removed.wait_followup()
    rows = audit_rows(w.settings)
    assert [(r["action"], r["outcome"]) for r in rows] == [
        ("server add", "ok"),
        ("server edit", "denied"),  # the new password was refused: nothing was saved
        ("alert set", "ok"),
        ("server display", "ok"),
        ("permissions grant", "ok"),
        ("board set", "ok"),
        ("board remove", "ok"),
    ]
    assert rows[5]["arguments"] == f"channel={w.channel_id} servers='every server' style=compact"
    assert rows[0]["arguments"] == f"game=cs2 address={host}:{port}"
    assert "password=changed" in rows[1]["arguments"]
    assert all(r["user_id"] == w.admin and r["latency_ms"] is not None for r in rows)
    assert PASSWORD.encode() not in database_bytes(w.settings)
    assert b"Wr0ng-pass" not in database_bytes(w.settings)


async def test_audit_mirror_is_drained_at_shutdown(world: RconWorld) -> None:
    # A denied attempt waits for its minute-long coalescing window; shutting down must post it
    # (and whatever else is queued) instead of dropping it.
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Main", "cs2", w.source.address[1])
        await w.as_admin("audit channel set", {"channel": w.channel_id})
        await w.fake.wait_until(lambda: len(w.fake.channel_messages(w.channel_id)) >= 1)
        await w.as_member("rcon say", {"server": "Main", "message": "let me in"})
        await eventually(lambda: bot.services.audit_mirror.pending() == 1)
        assert len(w.fake.channel_messages(w.channel_id)) == 1
    texts = [m["embeds"][0]["description"] for m in w.fake.channel_messages(w.channel_id)]
    assert len(texts) == 2 and "denied" in texts[1] and "rcon say" in texts[1]
