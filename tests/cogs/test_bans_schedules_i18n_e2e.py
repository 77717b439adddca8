"""The ban list and restarts in other languages, end to end (issue 20): a German member gets
``/ban add``'s answer and refusals in German; in a French guild (``/settings language fr``)
the players read the restart countdown in French, with the plural each count needs, the
cancellation and the channel notice too, and a banned player is kicked with a French word
before the moderator's reason, while an English admin's own answers stay English."""

from __future__ import annotations

from typing import Any

from bot.app import OutpostBot
from tests.cogs.rcon_world import (
    ANN,
    RconWorld,
    SourceConsole,
    followup_text,
    register,
    world_fixture,
)
from tests.cogs.test_ban_list_e2e import ANN_STEAM, STEAM, ban_embed, clocked, fields
from tests.cogs.test_schedule_e2e import T0, craft_console, minutes, reply, scheduled_bot
from tests.fakes.clock import FakeClock
from tests.fakes.discord import run_bot

bans_world = world_fixture(console=SourceConsole, players=[ANN], name="bans_world")


craft_world = world_fixture(handler=craft_console, name="craft_world")


async def test_a_german_member_gets_ban_add_in_german(bans_world: RconWorld) -> None:
    w = bans_world
    w.fake.user_locales[w.admin] = "de"
    async with run_bot(w.fake, w.bot()) as bot:
        clocked(bot)
        await register(bot, w.guild_id, "Main", "css", w.source.address[1])
        embed: dict[str, Any] = await ban_embed(
            await w.by_admin("ban add", {"player": STEAM, "reason": "Aimbot"})
        )
        assert embed["title"] == f"{STEAM} gebannt"
        assert embed["description"] == "**Grund:** Aimbot\n**Dauer:** dauerhaft"
        assert fields(embed) == {"Server": "✅ **Main**: gebannt"}
        assert embed["footer"]["text"] == "Bann #1"
        # The console got the moderator's reason as typed.
        assert "banid 0 STEAM_0:0:28849983" in w.source.received

        # Refusals, from the service and from the length, in German as well.
        again = await w.by_admin("ban add", {"player": STEAM, "reason": "Aimbot"})
        assert (await followup_text(again)) == (
            "Dieser Spieler ist schon gebannt (Bann #1): Heb ihn erst mit `/ban remove` auf, "
            "um ihn zu ändern."
        )
        length = await w.by_admin("ban add", {"player": ANN_STEAM, "reason": "x", "duration": "1y"})
        assert (await followup_text(length)).startswith("Gib die Dauer als `30m`")

        listing = await w.as_admin("ban list")
        (shown,) = listing.embeds
        assert shown["title"] == "Bannliste · 1 aktiv"
        assert shown["description"].endswith("· Aimbot · dauerhaft · 1/1 Server")

        # A member without the ban permission, reading Discord in English: refused in English.
        info = await w.as_member("ban info", {"ban": "1"}, bypass=True)
        assert info.content == "The ban list needs the **ban** permission (or Manage Server)."


async def test_a_french_guild_kicks_with_a_french_word(bans_world: RconWorld) -> None:
    w = bans_world
    async with run_bot(w.fake, w.bot()) as bot:
        clocked(bot)
        await register(bot, w.guild_id, "Main", "css", w.source.address[1])
        await w.as_admin("settings language", {"language": "fr"})
        embed = await ban_embed(
            await w.by_admin("ban add", {"player": ANN_STEAM, "reason": "Toxic"})
        )
        assert embed["title"] == f"Banned {ANN_STEAM}"  # the admin's own answer: English
        # The sweep finds Ann (STEAM_1:0:11) on the live list: "Banni" is the bot's word.
        assert await bot.services.ban_enforcer.sweep() >= 1
        assert 'kickid 2 "Banni : Toxic"' in w.source.received


async def restart_in_french(w: RconWorld, bot: OutpostBot, clock: FakeClock) -> None:
    chosen = await w.as_admin("settings language", {"language": "fr"})
    assert chosen.content is not None and chosen.content.endswith("**Français**.")
    await register(bot, w.guild_id, "Craft", "minecraft", w.source.address[1])
    started = reply(
        await w.as_admin(
            "restart start",
            {
                "server": "Craft",
                "in_minutes": 5,
                "message": "nouveaux mods",
                "steps": "1",
                "channel": w.channel_id,
            },
        )
    )
    # The admin reads Discord in English: their own answer is English.
    assert f"restarts <t:{int(T0 + 300)}:R>" in started and "5, 1 minutes" in started
    await bot.services.schedules.settle()
    await minutes(bot, clock, 5)


async def test_a_french_guild_gets_the_restart_countdown_in_french(
    craft_world: RconWorld,
) -> None:
    w, clock = craft_world, FakeClock(T0)
    async with run_bot(w.fake, scheduled_bot(w, clock)) as bot:
        await restart_in_french(w, bot, clock)
        assert w.source.received == [
            "say Le serveur redémarre dans 5 minutes : nouveaux mods",
            "say Le serveur redémarre dans 1 minute : nouveaux mods",
            "stop",
        ]
        notes = [m["content"] for m in w.fake.channel_messages(w.channel_id)]
        assert notes == ["🔁 **Craft** a été arrêté pour son redémarrage."]

        w.source.received.clear()
        await w.as_admin("restart start", {"server": "Craft", "in_minutes": 10})
        await bot.services.schedules.settle()
        cancelled = await w.admin_reads("restart cancel", {"server": "Craft"})
        assert "cancelled and told the players" in cancelled
    assert w.source.received == [
        "say Le serveur redémarre dans 10 minutes.",
        "say Le redémarrage du serveur est annulé.",
    ]


async def test_a_german_admin_reads_schedules_in_german(craft_world: RconWorld) -> None:
    w, clock = craft_world, FakeClock(T0)
    w.fake.user_locales[w.admin] = "de"
    async with run_bot(w.fake, scheduled_bot(w, clock)) as bot:
        await register(bot, w.guild_id, "Craft", "minecraft", w.source.address[1])
        added = reply(
            await w.as_admin(
                "schedule add",
                {"server": "Craft", "kind": "message", "when": "09:30", "text": "Hallo!"},
            )
        )
        assert added.startswith("Zeitplan hinzugefügt:\n`#1` **Craft** message `Hallo!`")
        assert f"nächster Lauf <t:{int(T0 + 5400)}:R>" in added
        bad = reply(
            await w.as_admin(
                "schedule add", {"server": "Craft", "kind": "message", "when": "25:00", "text": "x"}
            )
        )
        assert bad.startswith("`25:00` ist keine Uhrzeit: Schreib sie als HH:MM (24 h).")
        ran = await w.admin_reads("schedule run-now", {"schedule": 1})
        assert ran == "Zeitplan `#1` ausgeführt: erledigt"
        listing = (await w.as_admin("schedule list")).embeds[0]
        assert listing["title"] == "Zeitpläne"
        assert "\n  zuletzt <t:" in listing["description"]
        assert listing["description"].endswith(": erledigt")
    assert w.source.received == ["say Hallo!"]
