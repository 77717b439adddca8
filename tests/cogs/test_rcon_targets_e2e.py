"""End to end: kick and ban act on the player that was chosen, not on the slot, and the replies
say what happened to whom, confirmed by the server (fake Discord, fake BattlEye, fake Source)."""

from __future__ import annotations

import pytest

from bot.app import OutpostBot
from bot.protocols.battleye import Player
from tests.cogs.rcon_world import (
    AMBER,
    GREEN,
    RED,
    RconWorld,
    SourceConsole,
    asked,
    audit_rows,
    confirm,
    last_audited,
    player_choices,
    register,
    register_listed,
    result,
    result_of,
    world_fixture,
)
from tests.fakes.discord import InteractionHandle, run_bot

GUS_GUID = "c" * 32
IVY_GUID = "d" * 32
GUS = Player(3, "Griefer Gus", "1.2.3.4", 2304, 40, GUS_GUID, True)
IVY = Player(3, "Innocent Ivy", "1.2.3.9", 2304, 30, IVY_GUID, True)
ANN = Player(0, "Ann", "1.2.3.5", 2304, 50, "a" * 32, True)


pytestmark = pytest.mark.usefixtures("no_rcon_cooldown")


world = world_fixture(console=SourceConsole, players=[ANN, GUS])


async def _bravo(w: RconWorld, bot: OutpostBot) -> None:
    await register_listed(bot, w.guild_id, "bravo", "dayz", w.battleye.address[1])


async def _gus_token(w: RconWorld, command: str) -> str:
    choices = await player_choices(w, command, "bravo", "gus")
    assert [c["name"] for c in choices] == ["#3 Griefer Gus"]
    return str(choices[0]["value"])


async def _on_gus(
    w: RconWorld, bot: OutpostBot, command: str, **options: object
) -> InteractionHandle:
    """``/command`` by the admin on Gus of bravo, chosen from the ``player`` autocomplete (so
    the command gets his token, not his name)."""
    await _bravo(w, bot)
    token = await _gus_token(w, command)
    return await w.by_admin(command, {"server": "bravo", "player": token, **options})


def _slot_changes_hands(w: RconWorld) -> list[str]:
    """Gus leaves; Ivy joins and BattlEye hands her slot #3."""
    w.battleye.players = [ANN, IVY]
    return ["Player #3 Griefer Gus disconnected", *w.battleye.player_joins(IVY)]


def _sent(w: RconWorld) -> list[str]:
    return [c for c in w.battleye.received_commands if c not in ("players", "bans")]


async def test_ban_confirmed_after_the_slot_changed_hands_bans_nobody(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        question = await asked(await _on_gus(w, bot, "rcon ban", reason="spawn camping"))
        assert "Ban **Griefer Gus** (#3) on **bravo** permanently?" in question["content"]
        await w.battleye.push_messages(_slot_changes_hands(w))
        refused = await confirm(w.fake, question, w.admin)
        failed = result_of(refused)
        assert (failed["title"], failed["color"]) == ("Failed on bravo", RED)
        assert failed["description"].endswith("**Griefer Gus** left the server; nothing was sent.")
    assert _sent(w) == [] and w.battleye.bans == []
    assert IVY in w.battleye.players
    row = [r for r in audit_rows(w.settings) if r["action"] == "rcon ban"][-1]
    assert row["outcome"] == "denied" and "left the server" in row["excerpt"]


async def test_kick_from_autocomplete_after_the_slot_changed_hands_kicks_nobody(
    world: RconWorld,
) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await _bravo(w, bot)
        token = await _gus_token(w, "rcon kick")
        await w.battleye.push_messages(_slot_changes_hands(w))
        text = await w.admin_reads("rcon kick", {"server": "bravo", "player": token})
    assert text.endswith("**Griefer Gus** left the server; nothing was sent.")
    assert _sent(w) == [] and IVY in w.battleye.players
    assert last_audited(w.settings) == ("rcon kick", "denied")


async def test_ban_bans_the_guid_and_says_so_confirmed_by_the_kick_line(
    world: RconWorld,
) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        question = await asked(
            await _on_gus(w, bot, "rcon ban", duration=60, reason="spawn camping")
        )
        done = await confirm(w.fake, question, w.admin)
    banned = result_of(done)
    assert (banned["title"], banned["color"]) == ("Done on bravo", GREEN)
    assert banned["description"] == (
        "Banned **Griefer Gus** (#3) on **bravo** for 60 minutes: spawn camping"
    )
    assert "fields" not in banned or not banned["fields"]  # BattlEye answered nothing
    assert _sent(w) == [f"addBan {GUS_GUID} 60 spawn camping", "kick 3 spawn camping"]
    assert w.battleye.bans == [(GUS_GUID, 60, "spawn camping")]


async def test_kick_reply_names_the_player_and_is_confirmed_by_the_kick_line(
    world: RconWorld,
) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        kicked = await result(await _on_gus(w, bot, "rcon kick", reason="spawn camping"))
    assert (kicked["title"], kicked["color"]) == ("Done on bravo", GREEN)
    assert kicked["description"] == "Kicked **Griefer Gus** (#3) from **bravo**: spawn camping"
    # BattlEye answers a kick with nothing: a plain line, no code block of an empty answer.
    assert not kicked.get("fields") and "```" not in kicked["description"]
    assert _sent(w) == ["kick 3 spawn camping"]


async def test_unconfirmed_kick_says_so_honestly(world: RconWorld) -> None:
    w = world
    # The server answers the command but never writes the kick line.
    w.battleye.responses["kick 3 spawn camping"] = ""
    async with run_bot(w.fake, w.bot()) as bot:
        bot.services.live_players.confirm_seconds = 0.3
        await _bravo(w, bot)
        sent = await result(
            await w.by_admin(
                "rcon kick",
                {"server": "bravo", "player": "Griefer Gus", "reason": "spawn camping"},
            )
        )
    # Amber, not green: sent, but the server did not say it happened.
    assert (sent["title"], sent["color"]) == ("Sent to bravo, not confirmed yet", AMBER)
    assert sent["description"] == (
        "Kick of **Griefer Gus** (#3) sent to **bravo**; the server did not confirm yet."
    )


async def test_battleye_unban_names_the_ban_and_confirms_it_from_the_list(
    world: RconWorld,
) -> None:
    w = world
    w.battleye.bans = [(ANN.guid, 0, "old"), (GUS_GUID, 0, "spawn camping")]
    async with run_bot(w.fake, w.bot()) as bot:
        await _bravo(w, bot)
        lifted = await result(await w.by_admin("rcon unban", {"server": "bravo", "ban": "1"}))
        missing = await w.admin_reads("rcon unban", {"server": "bravo", "ban": "7"})
    assert lifted["description"] == f"Lifted ban #1 (**{GUS_GUID}**) on **bravo**"
    assert lifted["color"] == GREEN
    assert w.battleye.bans == [(ANN.guid, 0, "old")]
    assert "has no ban '7'" in missing and "nothing was sent" in missing
    assert _sent(w) == ["removeBan 1"]


async def test_source_kick_ban_and_unban_replies_are_confirmed_by_the_next_list(
    world: RconWorld,
) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "alpha", "cs2", w.source.address[1])
        kicked = await result(await w.by_admin("rcon kick", {"server": "alpha", "player": "Ann"}))
        unbanned = await result(
            await w.by_admin("rcon unban", {"server": "alpha", "ban": "STEAM_1:0:99"})
        )
    assert kicked["description"] == "Kicked **Ann** (#2) from **alpha**"
    assert unbanned["description"] == "Unbanned **STEAM\\_1:0:99** on **alpha**"
    assert kicked["color"] == unbanned["color"] == GREEN
    assert "removeid STEAM_1:0:99" in w.source.received
    assert w.source.received[-1] == "listid"  # the confirmation
