"""Languages end to end (issue 20): a German member in a French guild gets German ephemeral
answers, while what the bot posts for everyone (boards, a public /status) is French; the
synced commands carry their translations."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.app import OutpostBot
from tests.cogs.feed_world import bodies, make_feed_world, settle
from tests.cogs.status_world import StatusWorld, answered, make_world, register
from tests.fakes.a2s_server import FakeA2SServer, InfoSpec, PlayerSpec
from tests.fakes.discord import FakeDiscord, run_bot


def french_guild_world(fake: FakeDiscord, tmp_path: Path, preferred: str) -> StatusWorld:
    world = make_world(
        fake,
        tmp_path,
        guild="Les Gaulois",
        locale=preferred,
        names=("klaus", "greta"),
        channel="statut",
    )
    # Both members use Discord in German.
    fake.user_locales[world.admin] = "de"
    fake.user_locales[world.member] = "de"
    return world


async def board_of(w: StatusWorld, bot: OutpostBot) -> dict[str, object]:
    await bot.services.poller.run_round()
    await asyncio.wait_for(bot.services.boards.wait_idle(), 10)
    # The board's message is marked in its footer (/status answers are in the channel too).
    (message,) = [
        m
        for m in w.fake.channel_messages(w.channel_id)
        if m["embeds"]
        and m["embeds"][-1].get("footer", {}).get("text", "").startswith("Status board")
    ]
    return message


@pytest.mark.parametrize("how", ["guild locale", "settings"])
async def test_german_member_in_a_french_guild(
    fake_discord: FakeDiscord, tmp_path: Path, how: str
) -> None:
    # French either as the guild's own language, or chosen with /settings language.
    w = french_guild_world(fake_discord, tmp_path, "fr" if how == "guild locale" else "en-US")
    players = [PlayerSpec("alice", 12, 754.0), PlayerSpec("bob", 3, 30.0)]
    info = InfoSpec(server_name="Fake", player_count=2, max_players=20, bot_count=1)
    async with FakeA2SServer(info=info, players=players) as game, run_bot(w.fake, w.bot()) as bot:
        bot.services.boards.pacer.gap = 0.0
        await register(bot, w.guild_id, "Main", game, poll=True)

        # The synced commands carry their translations (Discord shows each member theirs).
        (status_command,) = [c for c in w.fake.commands(None) if c["name"] == "status"]
        assert status_command["description_localizations"]["fr"].startswith("Afficher le statut")
        assert status_command["description_localizations"]["de"].startswith("Status eines")

        if how == "settings":
            shown = await w.as_admin("settings language")
            assert shown.ephemeral
            assert shown.content == (
                "Geteilte Nachrichten (Boards, Feeds, Alarme) folgen der Sprache dieses "
                "Discord-Servers: **English**."
            )
            chosen = await w.as_admin("settings language", {"language": "fr"})
            assert chosen.ephemeral
            assert chosen.content == (
                "Geteilte Nachrichten (Boards, Feeds, Alarme) sind jetzt auf **Français**."
            )
        else:
            shown = await w.as_admin("settings language")
            assert shown.content is not None and shown.content.endswith("**Français**.")

        # A refusal, ephemeral: in the member's German.
        refused = await w.as_member("settings language", {"language": "ja"}, bypass=True)
        assert refused.ephemeral
        assert refused.content == (
            "Du brauchst die Berechtigung **Server verwalten**, um diesen Befehl zu nutzen."
        )

        # /permissions refusals, in German (a role above the admin's own, exec).
        helpers = w.fake.guild(w.guild_id).add_role("Helfer", permissions=0)
        above = await w.as_admin("permissions grant", {"role": helpers, "action": "say"})
        assert above.content == "Du kannst nur Rollen unter deiner höchsten Rolle Rechte geben."
        refused = await w.as_admin("permissions grant", {"role": helpers, "action": "exec"})
        assert refused.content == "Nur ein Administrator kann **exec** vergeben."

        # A service's refusal, ephemeral: German too.
        unknown = await w.as_member("status", {"server": "Nope"})
        assert unknown.ephemeral
        assert unknown.content == "Einen solchen Server gibt es hier nicht."

        # The board, for everyone: French.
        posted = await answered(await w.by_admin("board set", {"channel": w.channel_id}))
        await posted.wait_followup(timeout=10)
        # The admin's own confirmation: German.
        assert posted.followups[0]["content"] == (
            f"Statusboard (compact) in <#{w.channel_id}> mit allen Servern; es aktualisiert "
            "sich nach jeder Abfrage."
        )
        board = await board_of(w, bot)
        (embed,) = board["embeds"]  # type: ignore[misc]
        lines = embed["description"].split("\n")
        assert "🟢 **En ligne** · **2/20 (1 bot)** joueurs" in lines[0]
        assert any(line.startswith("Rejoindre : `") for line in lines)

        # A public /status answer, for everyone: French too, within Discord's limits (the
        # fake fails the test on an embed past them).
        status = await w.as_member("status", {"server": "Main"})
        assert not status.ephemeral
        detail = status.embeds[0]
        assert "🟢 **En ligne** · **2/20 (1 bot)** joueurs" in detail["description"]
        assert {f["name"] for f in detail["fields"]} == {"Joueurs (2)"}
        assert detail["footer"]["text"] == "Dernière vérification"
        summary = (await w.as_member("status")).embeds[0]
        assert summary["title"] == "Serveurs de Les Gaulois"
        assert [f["name"] for f in summary["fields"]] == ["En ligne", "Joueurs"]

        # Back to the guild's own language: the next board pass follows it.
        if how == "settings":
            reset = await w.as_admin("settings language", {"language": "default"})
            assert reset.content is not None and reset.content.endswith("**English**.")
            game.info.player_count = 3
            board = await board_of(w, bot)
            assert "🟢 **Online** · **3/20 (1 bot)** players" in str(board["embeds"])
        assert w.fake.violations == []


async def test_alerts_speak_the_guilds_language(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    w = french_guild_world(fake_discord, tmp_path, "ru")
    alerts = w.fake.guild(w.guild_id).add_channel("alerts")
    async with FakeA2SServer() as game, run_bot(w.fake, w.bot()) as bot:
        bot.services.poller.query_timeout = 0.2
        await register(bot, w.guild_id, "Main", game, poll=True)
        await w.as_admin("alert set", {"server": "Main", "channel": alerts})

        async def rounds(pattern: str) -> None:
            for ch in pattern:
                game.silent = ch == "-"
                await bot.services.poller.run_round()
                await bot.services.alerts.wait_idle()

        await rounds("--")
        (down,) = w.fake.channel_messages(alerts)
        assert down["content"].startswith("🔴 **Main** упал (нет ответа с <t:")
        await rounds("++")
        (resolved,) = w.fake.channel_messages(alerts)
        # The outage's length in Russian units; its times are Discord timestamps.
        assert re.fullmatch(
            r"✅ \*\*Main\*\* лежал \d+ (с|мин) \(<t:\d+:f> – <t:\d+:t>\)\.", resolved["content"]
        )


async def test_feed_lines_speak_the_guilds_language(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    w = make_feed_world(fake_discord, tmp_path)
    async with (
        FakeA2SServer(info=InfoSpec(player_count=0)) as game,
        run_bot(w.fake, w.bot()) as bot,
    ):
        await register(bot, w.status.guild_id, "Main", game)
        await bot.services.poller.run_round()
        w.fake.user_locales[w.status.admin] = "de"
        feed = await w.feed_set("Main", "joins, leaves")
        assert feed.content is not None
        assert feed.content.startswith(
            f"Ereignisse von **Main** (joins, leaves) gehen nach <#{w.feed_channel}>.\n"
            "Joins und Leaves kommen aus der Query-Spielerliste"
        )
        watched = await w.as_admin("watch add", {"server": "Main", "name_or_guid": "bob"})
        assert watched.content == (
            f"Beobachte Spieler **bob** auf **Main**: Joins werden in <#{watched.channel_id}> "
            "gepostet."
        )
        chosen = await w.as_admin("settings language", {"language": "pl"})
        assert chosen.ephemeral
        game.info = InfoSpec(player_count=1)
        game.players = [PlayerSpec("alice")]
        await bot.services.poller.run_round()
        await settle(bot)
        game.players = []
        game.info = InfoSpec(player_count=0)
        await bot.services.poller.run_round()
        await settle(bot)
        assert bodies(w.fake.channel_messages(w.feed_channel)) == [
            "➡️ **alice** dołączył ≈",
            "⬅️ **alice** wyszedł ≈",
        ]
        # The footer of approximate lines too.
        footer = w.fake.channel_messages(w.feed_channel)[0]["embeds"][0]["footer"]["text"]
        assert footer == "≈ wejścia i wyjścia wyliczone z list graczy A2S: w przybliżeniu"
