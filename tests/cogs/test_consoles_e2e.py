"""Consoles beyond srcds and BattlEye, end to end through the fake Discord: 7 Days to Die
telnet, Palworld's REST API and Minecraft RCON get their own typed ``/rcon`` commands."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cogs.rcon_world import (
    PASSWORD,
    RconWorld,
    audit_rows,
    confirm,
    followup_text,
    last_audit,
    message_text,
    on_picked_player,
    register,
    register_listed,
    world_fixture,
)
from tests.fakes.discord import run_bot
from tests.fakes.palworld_server import FakePalworldServer
from tests.fakes.sdtd_server import FakePlayer, FakeSdtdServer
from tests.fakes.webrcon_server import FakeWebRconServer

pytestmark = pytest.mark.usefixtures("no_rcon_cooldown")


class MinecraftConsole:
    """Vanilla's answers to list, kick, say and an unknown command."""

    def __init__(self) -> None:
        self.online = ["Alex", "Steve"]

    def __call__(self, command: str) -> str:
        verb, _, rest = command.partition(" ")
        if verb == "list":
            names = ", ".join(self.online)
            return f"There are {len(self.online)} of a max of 20 players online: {names}"
        if verb == "kick":
            name = rest.split(" ", 1)[0]
            if name in self.online:
                self.online.remove(name)
                return f"Kicked {name}: {rest.partition(' ')[2] or 'Kicked by an operator'}"
            return "No player was found"
        if verb == "say":
            return ""
        return "Unknown or incomplete command, see below for error"


world = world_fixture(console=MinecraftConsole)


async def _kick(w: RconWorld, server: str, needle: str, reason: str = "bye") -> str:
    kick = await on_picked_player(w, "rcon kick", server, needle, reason=reason)
    return await followup_text(kick)


async def test_seven_days_to_die_say_players_and_kick(world: RconWorld) -> None:
    w = world
    players = [FakePlayer(171, "Halp", steam_id="76561198000000001"), FakePlayer(172, "Zed")]
    async with FakeSdtdServer(PASSWORD, players=players) as sdtd, run_bot(w.fake, w.bot()) as bot:
        server = await register(bot, w.guild_id, "Zombies", "7dtd", sdtd.address[1])
        said = await w.admin_reads("rcon say", {"server": "Zombies", "message": "horde at 22"})
        listed = await w.admin_reads("rcon players", {"server": "Zombies"})
        await bot.services.live_players.fetch(server)
        kicked = await _kick(w, "Zombies", "Halp")
    assert "Said on Zombies" in said and sdtd.said == ["horde at 22"]
    assert "Halp" in listed and "Zed" in listed
    assert "Kicked **Halp**" in kicked
    assert [p.name for p in sdtd.players] == ["Zed"]
    assert [r["outcome"] for r in audit_rows(w.settings)] == ["ok", "ok", "ok"]


async def test_seven_days_to_die_unknown_command_is_not_ok(world: RconWorld) -> None:
    w = world
    async with FakeSdtdServer(PASSWORD) as sdtd, run_bot(w.fake, w.bot()) as bot:
        await register(bot, w.guild_id, "Zombies", "7dtd", sdtd.address[1])
        question = await w.admin_asked("rcon exec", {"server": "Zombies", "command": "nosuch 1"})
        done = await confirm(w.fake, question, w.admin)
    assert "did not accept the command" in message_text(done)
    assert last_audit(w.settings)["outcome"] == "error"


async def test_palworld_rest_announce_and_kick_by_user_id(world: RconWorld) -> None:
    w = world
    async with FakePalworldServer(password=PASSWORD) as pal, run_bot(w.fake, w.bot()) as bot:
        server = await register(bot, w.guild_id, "Pals", "palworld_rest", pal.address[1])
        said = await w.admin_reads("rcon say", {"server": "Pals", "message": "save soon"})
        await bot.services.live_players.fetch(server)
        kicked = await _kick(w, "Pals", "Alice", reason="afk")
    calls: list[Any] = [(c.route, c.body) for c in pal.calls]
    assert "Said on Pals" in said
    assert ("announce", {"message": "save soon"}) in [(r.rsplit("/", 1)[-1], b) for r, b in calls]
    kick = next(b for r, b in calls if r.endswith("kick"))
    assert kick["userid"] == "steam_76561197999054170" and kick["message"] == "afk"
    assert "Kicked **Alice**" in kicked


async def test_minecraft_kick_by_name_from_list(world: RconWorld) -> None:
    w = world
    async with run_bot(w.fake, w.bot()) as bot:
        await register_listed(bot, w.guild_id, "Craft", "minecraft", w.source.address[1])
        kicked = await _kick(w, "Craft", "Alex", reason="griefing")
        listed = await w.admin_reads("rcon players", {"server": "Craft"})
    assert "Kicked **Alex**" in kicked
    assert "kick Alex griefing" in w.source.received
    assert "Steve" in listed and "Alex" not in listed.split("Steve")[0].split("\n")[-1]


async def test_rust_webrcon_say_and_kick_by_steamid(world: RconWorld) -> None:
    w = world
    async with FakeWebRconServer(PASSWORD) as rust, run_bot(w.fake, w.bot()) as bot:
        server = await register(bot, w.guild_id, "Rusty", "rust", rust.address[1])
        said = await w.admin_reads("rcon say", {"server": "Rusty", "message": "wipe friday"})
        await bot.services.live_players.fetch(server)
        kicked = await _kick(w, "Rusty", "Alice", reason="cheating")
    assert "Said on Rusty" in said
    assert 'say "wipe friday"' in rust.received
    assert 'kick "76561198000000001" "cheating"' in rust.received
    assert "**Alice**" in kicked
    assert [r["outcome"] for r in audit_rows(w.settings)][:1] == ["ok"]


HOSTILE = 'x"; quit'


async def test_injection_attempts_reach_no_console(world: RconWorld) -> None:
    w = world
    sdtd_players = [FakePlayer(5, HOSTILE, steam_id="76561198000000009")]
    rust_players = [
        {"SteamID": "76561198000000009", "DisplayName": HOSTILE, "Ping": 1, "Address": "1.2.3.4:1"}
    ]
    async with (
        FakeSdtdServer(PASSWORD, players=sdtd_players) as sdtd,
        FakeWebRconServer(PASSWORD, players=rust_players) as rust,
        FakePalworldServer(password=PASSWORD) as pal,
        run_bot(w.fake, w.bot()) as bot,
    ):
        servers = {
            "Zombies": await register(bot, w.guild_id, "Zombies", "7dtd", sdtd.address[1]),
            "Rusty": await register(bot, w.guild_id, "Rusty", "rust", rust.address[1]),
            "Pals": await register(bot, w.guild_id, "Pals", "palworld_rest", pal.address[1]),
            "Craft": await register(bot, w.guild_id, "Craft", "minecraft", w.source.address[1]),
        }
        for name in servers:
            reply = await w.admin_reads("rcon say", {"server": name, "message": "hi\nquit"})
            assert "line breaks" in reply, (name, reply)
        for name in ("Zombies", "Rusty"):
            await bot.services.live_players.fetch(servers[name])
            await _kick(w, name, "x", reason="bye")
    # The hostile name never reaches a console: kicks go by entity id / SteamID.
    assert not any("quit" in c for c in rust.received), rust.received
    assert 'kick "76561198000000009" "bye"' in rust.received
    assert [p.name for p in sdtd.players] == []  # kicked by its entity id
    assert pal.calls == [] and sdtd.said == []
    assert not any("quit" in c for c in w.source.received)
