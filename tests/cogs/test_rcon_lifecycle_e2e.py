"""End to end through the fake Discord: ``/rcon whisper``, ``whitelist``, ``save`` and
``shutdown`` send each console's own lines, need the grant they are documented to need, refuse
what the console cannot do with nothing sent, and leave the audit row each case must leave."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cogs.rcon_world import (
    ANN,
    PASSWORD,
    RconWorld,
    audit_rows,
    confirm,
    followup_text,
    last_audit,
    last_audited,
    message_text,
    on_picked_player,
    pick_player,
    register,
    register_listed,
    world_fixture,
)
from tests.fakes.discord import run_bot
from tests.fakes.palworld_server import FakePalworldServer
from tests.fakes.sdtd_server import FakeSdtdServer
from tests.fakes.webrcon_server import FakeWebRconServer

SQUAD_ANN = (
    "ID: 0 | Online IDs: EOS: 0002a1b2c3d4e5f60718293a4b5c6d7e steam: 76561198000000001 | "
    "Name: Ann | Team ID: 1 | Squad ID: N/A | Is Leader: False | Role: USA_Rifleman_01"
)

pytestmark = pytest.mark.usefixtures("no_rcon_cooldown")


class Console:
    """Minecraft's answers (list, tell, save-all, stop, whitelist) and Squad's ListPlayers."""

    def __init__(self) -> None:
        self.online = ["Alex", "Steve"]
        self.whitelist: list[str] = []

    def __call__(self, command: str) -> str:
        verb, _, rest = command.partition(" ")
        if verb == "list":
            return f"There are {len(self.online)} of a max of 20 players online: " + ", ".join(
                self.online
            )
        if command == "ListPlayers":
            return f"----- Active Players -----\n{SQUAD_ANN}\n----- Recently Disconnected -----"
        if verb == "tell":
            name, _, text = rest.partition(" ")
            return f"You whisper to {name}: {text}" if name in self.online else "No player found"
        if verb == "AdminWarn":
            return "Remote admin has warned player Ann. Message was"
        if command == "save-all":
            return "Saved the game"
        if command == "stop":
            return "Stopping the server"
        if verb == "whitelist":
            op, _, name = rest.partition(" ")
            if op == "add":
                self.whitelist.append(name)
                return f"Added {name} to the whitelist"
            self.whitelist.remove(name)
            return f"Removed {name} from the whitelist"
        return "Unknown or incomplete command, see below for error"


world = world_fixture(console=Console, players=[ANN])


async def _whisper(w: RconWorld, user: int, server: str, player: str, message: str) -> str:
    return await followup_text(
        await w.fake.slash(
            w.guild_id,
            user,
            "rcon whisper",
            {"server": server, "player": player, "message": message},
        )
    )


async def _confirmed(w: RconWorld, command: str, options: dict[str, Any]) -> tuple[str, str]:
    """The question asked, then what the bot said after Confirm was pressed."""
    question = await w.admin_asked(command, options)
    done = await confirm(w.fake, question, w.admin)
    return str(question["content"]), message_text(done)


async def test_minecraft_whisper_to_a_player_from_the_live_list(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register_listed(bot, w.guild_id, "Craft", "minecraft", w.source.address[1])
        value = await pick_player(w, "rcon whisper", "Craft", "Alex")
        w.source.received.clear()
        reply = await _whisper(w, w.admin, "Craft", value, "meet at spawn")
    # A fresh list right before the tell: the player is checked, then whispered to by name.
    assert w.source.received == ["list", "tell Alex meet at spawn"]
    assert reply.startswith("Done on Craft\nWhispered to **Alex** (#")
    assert "You whisper to Alex: meet at spawn" in reply
    row = last_audit(w.settings)
    assert (row["action"], row["outcome"]) == ("rcon say", "ok")
    assert row["arguments"].startswith("whisper player=") and "meet at spawn" in row["arguments"]


async def test_battleye_and_squad_whisper_by_slot_and_steamid(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register_listed(bot, w.guild_id, "DayZ", "dayz", w.battleye.address[1])
        await register_listed(bot, w.guild_id, "Squad", "squad", w.source.address[1])
        be = await followup_text(
            await on_picked_player(w, "rcon whisper", "DayZ", "Ann", message="hi")
        )
        sq = await followup_text(
            await on_picked_player(w, "rcon whisper", "Squad", "Ann", message="no ramming")
        )
    assert "say 0 hi" in w.battleye.received_commands
    assert 'AdminWarn "76561198000000001" no ramming' in w.source.received
    assert be.startswith("Done on DayZ\nWhispered to **Ann** (#0) on **DayZ**")
    assert sq.startswith("Done on Squad\nWhispered to **Ann** (#0) on **Squad**")
    assert [r["outcome"] for r in audit_rows(w.settings)] == ["ok", "ok"]


async def test_whisper_to_a_player_who_left_sends_nothing(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register_listed(bot, w.guild_id, "Craft", "minecraft", w.source.address[1])
        value = await pick_player(w, "rcon whisper", "Craft", "Steve")
        w.source.handler.online.remove("Steve")  # type: ignore[union-attr]
        reply = await _whisper(w, w.admin, "Craft", value, "hi")
    assert "left the server; nothing was sent" in reply
    assert not any(c.startswith("tell") for c in w.source.received)
    assert last_audit(w.settings)["outcome"] == "denied"


async def test_whisper_injection_and_unsupported_console(world: RconWorld) -> None:
    w = world
    async with FakeWebRconServer(PASSWORD) as rust, run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Craft", "minecraft", w.source.address[1])
        await register(bot, w.guild_id, "Rusty", "rust", rust.address[1])
        w.source.received.clear()
        broken = await _whisper(w, w.admin, "Craft", "Alex", "hi\nstop")
        rusty = await _whisper(w, w.admin, "Rusty", "Alice", "hi")
    assert "line breaks" in broken
    assert "no `whisper` command" in rusty and "use `/rcon exec`" in rusty
    # Refused before the player lookup: not even a list reached either console.
    assert w.source.received == [] and rust.received == []
    assert [r["outcome"] for r in audit_rows(w.settings)] == ["denied", "denied"]


async def test_grants_whisper_needs_say_lifecycle_needs_exec_whitelist_needs_ban(
    world: RconWorld,
) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Craft", "minecraft", w.source.address[1])
        await w.admin_reads("permissions grant", {"role": w.mods_role, "action": "say"})
        w.source.received.clear()
        for command, options, needs in [
            ("rcon save", {}, "exec"),
            ("rcon shutdown", {}, "exec"),
            ("rcon whitelist", {"action": "add", "name": "Steve"}, "ban"),
        ]:
            text = await followup_text(
                await w.fake.slash(w.guild_id, w.mod, command, {"server": "Craft", **options})
            )
            assert f"needs the **{needs}** permission" in text, text
            assert last_audited(w.settings) == (f"rcon {needs}", "denied")
        assert w.source.received == []
        # The say grant is enough for a whisper.
        ok = await _whisper(w, w.mod, "Craft", "Alex", "hello")
        denied = await _whisper(w, w.member, "Craft", "Alex", "hello")
    assert ok.startswith("Done on Craft\nWhispered to **Alex**")
    assert "needs the **say** permission" in denied
    assert w.source.received == ["list", "tell Alex hello"]


async def test_minecraft_save_whitelist_and_shutdown(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Craft", "minecraft", w.source.address[1])
        saved = await w.admin_reads("rcon save", {"server": "Craft"})
        added = await w.admin_reads(
            "rcon whitelist",
            {"server": "Craft", "action": "add", "name": "Steve_01"},
        )
        removed = await w.admin_reads(
            "rcon whitelist",
            {"server": "Craft", "action": "remove", "name": "Steve_01"},
        )
        bad = await w.admin_reads(
            "rcon whitelist",
            {"server": "Craft", "action": "add", "name": "x; stop"},
        )
        assert "stop" not in w.source.received  # nothing before the button
        question, done = await _confirmed(w, "rcon shutdown", {"server": "Craft"})
    assert "Saved Craft" in saved and "Saved the game" in saved
    assert "Added Steve_01 to the whitelist" in added
    assert "Removed Steve_01 from the whitelist" in removed
    assert "3 to 16" in bad
    assert "Shut down **Craft** now?" in question and "```\nstop\n```" in question
    assert "Done on Craft" in done and "Stopping the server" in done
    assert w.source.received == [
        "save-all",
        "whitelist add Steve_01",
        "whitelist remove Steve_01",
        "stop",
    ]
    rows = [(r["action"], r["arguments"], r["outcome"]) for r in audit_rows(w.settings)]
    assert rows == [
        ("rcon exec", "save", "ok"),
        ("rcon ban", "whitelist add name='Steve_01'", "ok"),
        ("rcon ban", "whitelist remove name='Steve_01'", "ok"),
        ("rcon ban", "whitelist add name='x; stop'", "denied"),
        ("rcon exec", "shutdown now", "ok"),
    ]


async def test_shutdown_countdown_refused_where_the_console_has_none(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Craft", "minecraft", w.source.address[1])
        await register(bot, w.guild_id, "Main", "cs2", w.source.address[1])
        later = await w.admin_reads("rcon shutdown", {"server": "Craft", "in_seconds": 300})
        cs2 = await w.admin_reads("rcon shutdown", {"server": "Main"})
        cs2_save = await w.admin_reads("rcon save", {"server": "Main"})
    assert "no countdown" in later and "Nothing was sent" in later
    assert "no `shutdown` command" in cs2 and "use `/rcon exec`" in cs2
    assert "no `save` command" in cs2_save
    assert w.source.received == []
    assert [r["outcome"] for r in audit_rows(w.settings)] == ["denied"] * 3


async def test_shutdown_cancelled_sends_nothing(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Craft", "minecraft", w.source.address[1])
        question = await w.admin_asked("rcon shutdown", {"server": "Craft"})
        click = await w.fake.click(question, "rcon:cancel", w.admin)
        await click.wait_response()
    assert w.source.received == []
    assert last_audited(w.settings) == ("rcon exec", "denied")


async def test_palworld_rest_save_and_shutdown_with_countdown(world: RconWorld) -> None:
    w = world
    async with FakePalworldServer(password=PASSWORD) as pal, run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Pals", "palworld_rest", pal.address[1])
        saved = await w.admin_reads("rcon save", {"server": "Pals"})
        question, done = await _confirmed(
            w,
            "rcon shutdown",
            {"server": "Pals", "in_seconds": 60, "message": "maintenance"},
        )
    calls = [(c.route.rsplit("/", 1)[-1], c.body) for c in pal.calls]
    assert "Saved Pals" in saved
    assert "Shut down **Pals** in 60 s?" in question and "shutdown 60 maintenance" in question
    assert "Done on Pals" in done
    assert [r for r, _ in calls] == ["save", "shutdown"]
    assert ("shutdown", {"waittime": 60, "message": "maintenance"}) in calls
    assert [r["outcome"] for r in audit_rows(w.settings)] == ["ok", "ok"]


async def test_rust_shutdown_countdown_and_quote_refused(world: RconWorld) -> None:
    w = world
    async with FakeWebRconServer(PASSWORD) as rust, run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Rusty", "rust", rust.address[1])
        quoted = await w.admin_reads(
            "rcon shutdown",
            {"server": "Rusty", "in_seconds": 30, "message": 'bye"; quit'},
        )
        _, done = await _confirmed(
            w, "rcon shutdown", {"server": "Rusty", "in_seconds": 30, "message": "wipe time"}
        )
    assert "cannot contain" in quoted
    # The quoted message reached nothing; the adapter's own serverinfo probe may ride along.
    assert [c for c in rust.received if c != "serverinfo"] == ['restart 30 "wipe time"']
    assert "Done on Rusty" in done or "answered nothing" in done


async def test_seven_days_to_die_save_and_shutdown(world: RconWorld) -> None:
    w = world
    async with FakeSdtdServer(PASSWORD) as sdtd, run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Zombies", "7dtd", sdtd.address[1])
        await w.admin_reads("rcon save", {"server": "Zombies"})
        _, done = await _confirmed(w, "rcon shutdown", {"server": "Zombies"})
    assert "saveworld" in sdtd.received_commands and "shutdown" in sdtd.received_commands
    assert "Shutting server down" in done
    # Never left pending, whatever the connection did once the server went away.
    assert all(r["outcome"] != "pending" for r in audit_rows(w.settings))


async def test_minecraft_ban_ip_asks_first_then_sends(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Craft", "minecraft", w.source.address[1])
        refused = await w.admin_reads("rcon ban-ip", {"server": "Craft", "target": "a; op me"})
        question = await w.admin_asked(
            "rcon ban-ip",
            {"server": "Craft", "target": "203.0.113.7", "reason": "alts"},
        )
        assert "203.0.113.7" in question["content"]
        await confirm(w.fake, question, w.admin)
    assert "IP address" in refused
    assert "ban-ip 203.0.113.7 alts" in w.source.received
    assert not any("op me" in c for c in w.source.received)
