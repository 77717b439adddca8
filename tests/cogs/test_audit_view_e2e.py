"""End to end: ``/audit view`` usability (action autocomplete, word matching, mentions and
Discord timestamps), rows a crash left ``pending`` shown as ``unknown`` after a restart, and
``AUDIT_RETENTION_DAYS`` wired into the bot's prune."""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.app import OutpostBot
from bot.services.audit import Actor
from bot.storage import Store
from bot.storage.audit import iso_at
from tests.cogs.rcon_world import RconWorld, audit_rows, world_fixture
from tests.fakes.discord import InteractionHandle, payloads, run_bot

world = world_fixture(AUDIT_RETENTION_DAYS="30")


async def test_action_autocomplete_offers_the_known_actions(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()):

        async def offered(text: str, user: int = w.admin) -> list[str]:
            choices = await w.fake.autocomplete(
                w.guild_id, user, "audit view", {"action": text}, "action"
            )
            return [c["value"] for c in choices]

        everything = await offered("")
        assert "rcon" in everything and "rcon kick" in everything and len(everything) <= 25
        assert await offered("kick") == ["rcon kick", "ban kick"]
        assert await offered("rcon b") == ["rcon ban"]
        assert "permissions grant" in await offered("gra")
        assert await offered("kick", w.member) == []  # not for members without Manage Server


async def test_kick_finds_rcon_kick_and_ids_show_as_mentions(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        actor = Actor(w.guild_id, w.admin, "alice")
        await bot.services.audit.record(
            actor, "rcon kick", "player='Gus' reason='camping'", allowed_by=f"role {w.mods_role}"
        )
        await bot.services.audit.record(actor, "rcon say", "message='kick me'")
        await bot.services.audit.record(
            actor, "alert set", f"channel={w.channel_id} role={w.mods_role}"
        )
        before = int(time.time()) - 5
        kicks = await w.as_admin("audit view", {"action": "kick"})
        text = kicks.embeds[0]["description"]
        assert "rcon kick" in text and "rcon say" not in text
        # The filters in use are said in the footer.
        assert kicks.embeds[0]["footer"]["text"] == "action: kick · Page 1 of 1 · 1 entry"
        assert text.startswith("✅ <t:") and f"<@{w.admin}> **rcon kick**" in text
        mine = await w.as_admin("audit view", {"user": w.admin, "since": "1d"})
        assert mine.embeds[0]["footer"]["text"].startswith("user: alice · since: 1d · Page 1")
        assert f"(via role <@&{w.mods_role}>)" in text
        everything = await w.as_admin("audit view")
    text = everything.embeds[0]["description"]
    assert f"channel=<#{w.channel_id}> role=<@&{w.mods_role}>" in text
    stamps = re.findall(r"<t:(\d+):f> \(<t:(\d+):R>\)", text)
    assert len(stamps) == 3 and all(a == b and int(a) >= before for a, b in stamps)
    assert "times UTC" not in everything.embeds[0]["footer"]["text"]
    assert w.fake.pinging_messages() == []


async def test_pending_rows_of_a_crash_are_unknown_after_restart(world: RconWorld) -> None:
    w = world
    store = await Store.open(w.settings.database_path)
    try:
        # What a bot killed between writing the row and the RCON answer leaves behind.
        await store.database.execute(
            "INSERT INTO audit_log (guild_id, user_id, user_name, action, arguments) "
            "VALUES (?, ?, ?, ?, ?)",
            (w.guild_id, w.admin, "alice", "rcon ban", "player='Gus'"),
        )
    finally:
        await store.close()
    async with run_bot(w.fake, w.bot()):
        view = await w.as_admin("audit view")
    text = view.embeds[0]["description"]
    assert text.startswith("⚠️") and "rcon ban" in text and "→ unknown" in text
    (row,) = audit_rows(w.settings)
    assert row["outcome"] == "unknown" and "stopped" in row["excerpt"]


async def test_audit_retention_setting_prunes_old_rows(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        now = time.time()
        for days, action in ((31, "rcon old"), (29, "rcon kept")):
            await bot.services.store.database.execute(
                "INSERT INTO audit_log (at, guild_id, user_id, user_name, action, outcome) "
                "VALUES (?, ?, ?, ?, ?, 'ok')",
                (iso_at(now - days * 86400), w.guild_id, w.admin, "alice", action),
            )
        await bot.services.poller.run_round()
    assert [r["action"] for r in audit_rows(w.settings)] == ["rcon kept"]


async def _many_rows(bot: OutpostBot, w: RconWorld, count: int) -> None:
    actor = Actor(w.guild_id, w.admin, "alice")
    for i in range(count):
        # Multi-line arguments: the parts must be cut between CSV rows, not inside one.
        await bot.services.audit.record(actor, "rcon say", f"message='row {i:04d}\n{'x' * 150}'")


@asynccontextmanager
async def _exporting(
    w: RconWorld, monkeypatch: pytest.MonkeyPatch, upload_limit: int, rows: int
) -> AsyncIterator[tuple[InteractionHandle, dict[str, Any]]]:
    """The bot running with ``rows`` audit rows under a Discord upload limit of
    ``upload_limit`` bytes, then ``/audit export`` by the admin: its handle and first follow-up
    (later parts come while the bot still runs)."""
    monkeypatch.setattr(payloads, "ATTACHMENT_SIZE_LIMIT", upload_limit)
    async with run_bot(w.fake, w.bot()) as bot:
        await _many_rows(bot, w, rows)
        handle = await w.as_admin("audit export")
        yield handle, await handle.wait_followup()


async def _refused_export(w: RconWorld, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The answer to an export too big for ten parts: 200 rows under a 2 KiB upload limit."""
    async with _exporting(w, monkeypatch, 2 * 1024, 200) as (_, message):
        return message


async def test_export_past_the_upload_limit_is_split_into_parts(
    world: RconWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = world
    async with _exporting(w, monkeypatch, 8 * 1024, 120) as (handle, first):
        total = int(re.search(r"part 1 of (\d+)", first["content"])[1])  # type: ignore[index]
        messages = [first] + [await handle.wait_followup(n) for n in range(2, total + 1)]
    assert 2 <= total <= 10
    rows: list[dict[str, str]] = []
    for i, message in enumerate(messages, 1):
        assert f"part {i} of {total}" in message["content"]
        (attachment,) = message["attachments"]
        assert attachment["filename"].endswith(f"-part{i}of{total}.csv")
        assert len(attachment["data"]) <= 8 * 1024
        rows += list(csv.DictReader(io.StringIO(attachment["data"].decode())))
    said = [r["arguments"].split("\n")[0] for r in rows]
    assert said == [f"message='row {i:04d}" for i in reversed(range(120))]


async def test_export_too_big_for_ten_parts_is_refused_with_a_hint(
    world: RconWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = await _refused_export(world, monkeypatch)
    assert message["attachments"] == []
    assert "upload limit" in message["content"] and "since:" in message["content"]


async def test_a_german_member_reads_the_audit_log_in_german(world: RconWorld) -> None:
    w = world
    w.fake.user_locales[w.admin] = "de"
    async with run_bot(w.fake, w.bot()) as bot:
        # The guild's shared language is French: the mirror channel is in French.
        await bot.services.languages.choose(w.guild_id, "fr")
        actor = Actor(w.guild_id, w.admin, "alice")
        await bot.services.audit.record(actor, "rcon kick", "player='Gus'")
        page = await w.as_admin("audit view", {"action": "rcon kick"})
        set_ = await w.as_admin("audit channel set", {"channel": w.channel_id})
        await w.fake.wait_until(lambda: len(w.fake.channel_messages(w.channel_id)) >= 1)
        mirrored = w.fake.channel_messages(w.channel_id)[0]["embeds"][0]["description"]
        cleared = await w.as_admin("audit channel clear")
    (embed,) = page.embeds
    assert page.ephemeral and embed["title"] == "Audit-Log"
    assert embed["footer"]["text"] == "action: rcon kick · Seite 1 von 1 · 1 Eintrag"
    # The stored action and arguments as they are; the outcome in German.
    assert "**rcon kick**" in embed["description"] and "player='Gus'" in embed["description"]
    assert "→ erfolgreich" in embed["description"]
    labels = [c["label"] for row in page.components for c in row["components"]]
    assert labels == ["◀ Zurück", "Weiter ▶"]
    assert set_.content == f"Neue Audit-Einträge werden in <#{w.channel_id}> gepostet."
    assert cleared.content == "Audit-Einträge werden nicht mehr gespiegelt."
    assert "**audit channel set**" in mirrored and "→ réussi" in mirrored


async def test_a_german_member_is_refused_a_too_big_export_in_german(
    world: RconWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = world
    w.fake.user_locales[w.admin] = "de"
    message = await _refused_export(w, monkeypatch)
    assert message["attachments"] == []
    assert message["content"].startswith("Der Export ist ")
    assert "Upload-Limit" in message["content"] and "since:" in message["content"]
