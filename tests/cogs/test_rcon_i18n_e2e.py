"""``/rcon`` in the member's language (issue 20): a German member reads refusals, questions,
buttons and results in German, while the audit log keeps English and what the member typed
(a kick reason) reaches the game as typed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import cogs._rcon_ui
from bot.app import OutpostBot
from tests.cogs.rcon_world import (
    GREEN,
    RED,
    RconWorld,
    SourceConsole,
    audit_rows,
    confirm,
    last_audit,
    open_world,
    register,
    result,
    result_of,
)
from tests.fakes.discord import FakeDiscord, run_bot


@pytest.fixture(autouse=True)
def no_cooldown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cogs._rcon_ui, "COOLDOWN_SECONDS", 0.0)


@pytest.fixture
async def world(fake_discord: FakeDiscord, tmp_path: Path) -> AsyncIterator[RconWorld]:
    async with open_world(fake_discord, tmp_path, SourceConsole()) as world:
        # Every member of the guild uses Discord in German.
        for user in (world.admin, world.mod, world.member):
            fake_discord.user_locales[user] = "de"
        yield world


async def main_server(w: RconWorld, bot: OutpostBot) -> None:
    await register(bot, w.guild_id, "Main", "cs2", w.source.address[1])


def labels(message: dict[str, Any]) -> list[str]:
    return [
        str(button.get("label"))
        for row in message.get("components") or []
        for button in row.get("components") or []
    ]


async def test_german_member_without_grant_is_refused_in_german(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await main_server(w, bot)
        refused = await result(await w.by_member("rcon kick", {"server": "Main", "player": "Ann"}))
    assert refused["title"] == "Fehlgeschlagen auf Main" and refused["color"] == RED
    assert refused["description"] == (
        "Das darfst du nicht: dafür brauchst du die Berechtigung **kick** auf 'Main' "
        "(frag einen Admin: /permissions grant)."
    )
    assert w.source.received == [] and w.source.auth_attempts == 0
    # The audit log stays English whoever reads it later.
    row = last_audit(w.settings)
    assert (row["action"], row["outcome"]) == ("rcon kick", "denied")
    assert row["excerpt"] == "needs the kick permission"


async def test_german_admin_kicks_in_german_and_the_reason_is_sent_as_typed(
    world: RconWorld,
) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await main_server(w, bot)
        bad = await result(
            await w.by_admin("rcon kick", {"server": "Main", "player": "Ann", "reason": "a;b"})
        )
        assert bad["title"] == "Fehlgeschlagen auf Main"
        assert bad["description"].startswith("Der Grund darf kein `;` enthalten")
        assert bad["description"].endswith("Es wurde nichts gesendet.")
        done = await result(
            await w.by_admin(
                "rcon kick", {"server": "Main", "player": "Ann", "reason": "tschüss, bis bald"}
            )
        )
    assert done["title"] == "Erledigt auf Main" and done["color"] == GREEN
    assert done["description"] == "**Ann** (#2) von **Main** gekickt: tschüss, bis bald"
    assert 'kickid 2 "tschüss, bis bald"' in w.source.received
    excerpts = [r["excerpt"] for r in audit_rows(w.settings) if r["action"] == "rcon kick"]
    assert excerpts[0].startswith("The reason cannot contain `;`")


async def test_german_ban_question_buttons_and_result(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await main_server(w, bot)
        question = await w.admin_asked(
            "rcon ban", {"server": "Main", "player": "Ann", "duration": 1}
        )
        assert question["content"] == "**Ann** (#2) auf **Main** für 1 Minute bannen?"
        assert labels(question) == ["Bannen", "Abbrechen"]
        done = result_of(await confirm(w.fake, question, w.admin))
    assert done["title"] == "Erledigt auf Main"
    assert done["description"] == "**Ann** (#2) auf **Main** für 1 Minute gebannt"


async def test_console_error_from_the_adapter_is_german(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Bad", "cs2", w.source.address[1], password="nope-nope")
        failed = await result(await w.by_admin("rcon players", {"server": "Bad"}))
    assert failed["title"] == "Fehlgeschlagen auf Bad"
    assert failed["description"] == (
        "Das RCON-Passwort von 'Bad' wurde abgelehnt. Korrigier es mit /server edit; "
        "bis dahin versucht Outpost keinen Login."
    )
    # Raised deep in the adapter with a key: the audit row keeps the English text.
    excerpt = last_audit(w.settings)["excerpt"]
    assert excerpt.startswith("The RCON password") and excerpt.endswith("no login is attempted.")
